import { applyDecorators, CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiQuery } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { decodeQueryString, ParamSpecs, readQuery } from './query-params';

const QUERY_SPECS = 'http:query-specs';
const LIST_NOTE = 'Repeat the parameter (a=1&a=2) or use brackets (a[]=1&a[]=2, a[0]=1&a[1]=2); matches any of the values.';

type WithQuery = FastifyRequest & { parsedQuery?: Record<string, unknown> };

/**
 * The query parameters a route takes, declared once: the interceptor below reads them (any
 * other parameter is a 400), and their OpenAPI description is derived from the same table.
 */
export const AcceptsQuery = (specs: ParamSpecs) =>
  applyDecorators(
    SetMetadata(QUERY_SPECS, specs),
    ...Object.entries(specs).map(([name, spec]) =>
      ApiQuery({
        name,
        required: false,
        description: spec.list ? `${spec.description} ${LIST_NOTE}` : spec.description,
        ...(spec.list
          ? { isArray: true, schema: { type: 'array', items: { type: spec.type, ...spec.schema } } }
          : { schema: { type: spec.type, ...spec.schema } }),
      }),
    ),
  );

/** The route's query, read against its `@AcceptsQuery` table (typed by the caller as QueryValues<typeof SPECS>). */
export const ParsedQuery = createParamDecorator((_: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest<WithQuery>().parsedQuery ?? {};
});

/**
 * Reads every request's query string against its route's declared parameters — none when the
 * route declares none — after authentication (guards run first: an unauthenticated caller
 * learns nothing about parameters) and before the handler.
 */
@Injectable()
export class QueryInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<WithQuery>();
      const specs = this.reflector.get<ParamSpecs | undefined>(QUERY_SPECS, context.getHandler()) ?? {};
      const url = request.raw.url ?? '';
      const start = url.indexOf('?');
      request.parsedQuery = readQuery(start < 0 ? {} : decodeQueryString(url.slice(start + 1)), specs);
    }
    return next.handle();
  }
}

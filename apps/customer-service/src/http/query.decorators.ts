import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiQuery } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { decodeQueryString, ParamSpecs, readQuery } from './query-params';

const QUERY_SPECS = 'http:query-specs';
const LIST_NOTE = 'Repeat the parameter (a=1&a=2) or use brackets (a[]=1&a[]=2, a[0]=1&a[1]=2); matches any of the values.';

type WithQuery = FastifyRequest & { parsedQuery?: Record<string, unknown> };

/**
 * The query parameters a route takes, declared once: the guard below reads them (any
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
 * route declares none — after authentication and before the handler. A controller-level guard
 * (every API controller has it through `CustomersController()`), so it runs after the global
 * AuthGuard: an unauthenticated caller learns nothing about parameters. A guard rather than an
 * interceptor: with no interceptor on a route, Nest calls the handler directly instead of
 * through an rxjs pipeline and two AsyncResource.bind per request (issue 20: ~5% of a GET's CPU).
 */
@Injectable()
export class QueryGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WithQuery>();
    const specs = this.reflector.get<ParamSpecs | undefined>(QUERY_SPECS, context.getHandler()) ?? {};
    const url = request.raw.url ?? '';
    const start = url.indexOf('?');
    request.parsedQuery = readQuery(start < 0 ? {} : decodeQueryString(url.slice(start + 1)), specs);
    return true;
  }
}

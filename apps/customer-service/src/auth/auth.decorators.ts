import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Principal } from './principal';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_SCOPE = 'auth:scope';

/** No token needed (health checks). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The scope a route needs (`customers:read` or `customers:write`). */
export const RequiresScope = (scope: string) => SetMetadata(REQUIRED_SCOPE, scope);

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export function principalOf(request: FastifyRequest): Principal {
  const principal = (request as AuthenticatedRequest).principal;
  if (!principal) throw new Error('route reached without authentication');
  return principal;
}

export function attachPrincipal(request: FastifyRequest, principal: Principal): void {
  (request as AuthenticatedRequest).principal = principal;
}

/** The verified caller of the current request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) =>
  principalOf(context.switchToHttp().getRequest<FastifyRequest>()),
);

import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { AccessScope, scopeOf } from './access';
import { Principal } from './principal';

export const REQUIRED_SCOPE = 'auth:scope';

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

/** The verified caller of the current request (the request gate authenticated it). */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Principal =>
  principalOf(context.switchToHttp().getRequest<FastifyRequest>()),
);

/** What the caller may see and change (auth/access.ts): their counterparty, and branch if scoped. */
export const Access = createParamDecorator((_: unknown, context: ExecutionContext): AccessScope =>
  scopeOf(principalOf(context.switchToHttp().getRequest<FastifyRequest>())),
);

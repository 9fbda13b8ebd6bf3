import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { assertCounterparty, scopeOf } from './access';
import { REQUIRED_SCOPE } from './auth.decorators';
import { unauthenticated } from './bearer';
import { Principal } from './principal';

/**
 * What a route needs of its verified caller — the request gate has already authenticated it
 * (request-gate.ts, before the body was read): a path naming another counterparty is 403
 * (auth/access.ts), and so is a route's scope (`@RequiresScope`) the token lacks, before any
 * handler runs.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = request.principal;
    if (!principal) throw unauthenticated(); // every route of the API is behind the gate
    const pathCounterparty = (request.params as Record<string, string | undefined>).counterparty_guid;
    if (pathCounterparty !== undefined) assertCounterparty(scopeOf(principal), pathCounterparty);
    const scope = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (scope && !principal.scopes.has(scope)) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'INSUFFICIENT_SCOPE', `The token lacks the ${scope} scope.`);
    }
    return true;
  }
}

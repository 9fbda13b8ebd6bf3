import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { Principal } from './principal';
import { PUBLIC_ROUTE, REQUIRED_SCOPE } from './auth.decorators';
import { unauthenticated } from './bearer';

/**
 * What a route needs of its verified caller, unless marked @Public: the request gate has
 * already authenticated it (request-gate.ts, before the body was read). The counterparty
 * always comes from the verified token: a path naming another counterparty is 403, before any
 * handler runs; a route's scope (`@RequiresScope`) is 403 when the token lacks it.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = request.principal;
    if (!principal) throw unauthenticated(); // a route outside the gate's prefix that is not @Public

    const pathCounterparty = (request.params as Record<string, string | undefined>).counterparty_guid;
    if (pathCounterparty !== undefined && pathCounterparty.toLowerCase() !== principal.counterpartyGuid) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'COUNTERPARTY_FORBIDDEN', 'The token does not grant access to this counterparty.');
    }
    const scope = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_SCOPE, targets);
    if (scope && !principal.scopes.has(scope)) {
      throw new ApiError(HttpStatus.FORBIDDEN, 'INSUFFICIENT_SCOPE', `The token lacks the ${scope} scope.`);
    }
    return true;
  }
}

import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { attachPrincipal, PUBLIC_ROUTE, REQUIRED_SCOPE } from './auth.decorators';
import { TokenVerifier } from './token-verifier';

/**
 * Every route needs a valid bearer token unless marked @Public. The counterparty always comes
 * from the verified token: a path naming another counterparty is 403, before any handler runs.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.verifier.verify(bearerToken(request)).catch(() => {
      throw unauthenticated();
    });
    attachPrincipal(request, principal);

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

/** RFC 9110 §11: the scheme is case-insensitive (`bearer`, `BEARER`) and followed by one or more spaces. */
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

function bearerToken(request: FastifyRequest): string {
  const token = bearerTokenOf(request.headers.authorization);
  if (token === null) throw unauthenticated();
  return token;
}

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerTokenOf(header: string | undefined): string | null {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  return match ? match[1] : null;
}

function unauthenticated(): ApiError {
  return new ApiError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', 'A valid bearer token is required.', [], {
    'www-authenticate': 'Bearer',
  });
}

import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { AppConfig } from '../config/app-config';
import * as rules from '../fields/field-rules';
import { Principal } from './principal';

/** Longer bearer values are refused before any parsing (a real one is well under 2 kB). */
const MAX_TOKEN_LENGTH = 8192;

export class InvalidTokenError extends Error {}

/**
 * Verifies bearer JWTs with jose: HS256 with a shared secret, or RS256/ES256 keys from a JWKS
 * endpoint (fetched and cached by jose, refetched on an unknown `kid`, so keys rotate without a
 * restart). Algorithms are pinned, `exp` is required, `iss`/`aud` are checked when configured.
 */
@Injectable()
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    const { jwtSecret, jwksUrl } = config.auth;
    if (jwksUrl) {
      this.key = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 3000, cooldownDuration: 30_000 });
      this.algorithms = ['RS256', 'ES256'];
    } else {
      this.key = new TextEncoder().encode(jwtSecret);
      this.algorithms = ['HS256'];
    }
  }

  async verify(token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('token too long');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch {
      throw new InvalidTokenError('token rejected');
    }
    return toPrincipal(payload);
  }
}

function toPrincipal(payload: JWTPayload): Principal {
  const { sub, counterparty_guid: counterparty, branch_guid: branch, scope } = payload as JWTPayload & Record<string, unknown>;
  // The employee is recorded as each event's actor: text every store and consumer can hold.
  if (typeof sub !== 'string' || rules.text(255)(sub) !== sub) throw new InvalidTokenError('bad sub');
  const counterpartyGuid = typeof counterparty === 'string' ? rules.guid(counterparty) : undefined;
  if (typeof counterpartyGuid !== 'string') throw new InvalidTokenError('bad counterparty_guid');
  const branchGuid = typeof branch === 'string' ? rules.guid(branch) : branch;
  if (branchGuid !== undefined && branchGuid !== null && typeof branchGuid !== 'string') throw new InvalidTokenError('bad branch_guid');
  if (scope !== undefined && typeof scope !== 'string') throw new InvalidTokenError('bad scope');
  return {
    sub,
    counterpartyGuid,
    branchGuid: branchGuid ?? null,
    scopes: new Set((scope ?? '').split(' ').filter(Boolean)),
  };
}

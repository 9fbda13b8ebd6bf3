import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { AppConfig } from '../config/app-config';
import * as rules from '../fields/field-rules';
import { Principal } from './principal';

/** Longer bearer values are refused before any parsing (a real one is well under 2 kB). */
const MAX_TOKEN_LENGTH = 8192;

/** Clocks of the identity provider and of this service may differ this much (`exp`, `nbf`, `iat`). */
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Explicit typing (RFC 8725 §3.11): a JWT access token says `JWT` or `at+jwt` (RFC 9068). Other
 * JWTs an identity provider signs with the same keys (ID tokens of some providers, logout or
 * DPoP tokens) say otherwise and are refused.
 */
const ACCESS_TOKEN_TYPES = new Set(['jwt', 'at+jwt']);

function isAccessTokenType(typ: string | undefined): boolean {
  return typ !== undefined && ACCESS_TOKEN_TYPES.has(typ.toLowerCase().replace(/^application\//, ''));
}

export class InvalidTokenError extends Error {}

/**
 * Verifies bearer JWTs with jose: HS256 with a shared secret, or RS256/ES256 keys from a JWKS
 * endpoint (fetched and cached by jose, refetched on an unknown `kid`, so keys rotate without a
 * restart). Algorithms are pinned; `exp`, `iat` and a `typ` of an access token are required; a
 * token older than AUTH_MAX_TOKEN_AGE_SECONDS is refused; `iss`/`aud` are checked when
 * configured (always with a JWKS: the configuration requires them there).
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
    let typ: string | undefined;
    try {
      ({ payload, protectedHeader: { typ } } = await jwtVerify(token, this.key as Uint8Array, {
        algorithms: this.algorithms,
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        requiredClaims: ['exp', 'sub', 'iat'],
        maxTokenAge: this.config.auth.maxTokenAgeSeconds,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch {
      throw new InvalidTokenError('token rejected');
    }
    if (!isAccessTokenType(typ)) throw new InvalidTokenError('not an access token');
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

import { createHash } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '../database/query-rows';
import { stringifyJson } from '../fields/money';
import { ApiError } from '../http/api-error';

/** How long a key is remembered (DESIGN: at least 24 h). */
const RETENTION = '24 hours';

/** The request a key was first used for, as a fingerprint of method, path and body. */
export interface IdempotencyRequest {
  counterpartyGuid: string;
  key: string;
  fingerprint: string;
}

export interface StoredResponse {
  status: number;
  body: string;
}

/** What a write command answers: the serialised body (stored for replays) and the new version. */
export interface WriteResult {
  body: string;
  version: number;
  replayed: boolean;
}

export function fingerprint(method: string, path: string, canonicalBody: string): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalBody}`).digest('hex');
}

/**
 * `Idempotency-Key` support, inside the command's transaction: the stored response commits
 * with the effect, and a failed command (4xx or 5xx) leaves nothing behind, so a retry runs
 * again. A transaction-scoped advisory lock on the key makes a concurrent duplicate answer
 * 409 at once instead of running twice.
 */
@Injectable()
export class IdempotencyStore {
  /** Returns the stored response to replay, or null when the request should run. */
  async claim(db: EntityManager, request: IdempotencyRequest): Promise<StoredResponse | null> {
    const [{ locked }] = await queryRows<{ locked: boolean }>(
      db,
      `SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0)) AS locked`,
      [request.counterpartyGuid, request.key],
    );
    if (!locked) {
      throw new ApiError(HttpStatus.CONFLICT, 'IDEMPOTENCY_IN_FLIGHT', 'A request with this Idempotency-Key is still being processed; retry later.');
    }
    const [stored] = await queryRows<{ fingerprint: string; response_status: number; response_body: string }>(
      db,
      `SELECT fingerprint, response_status, response_body FROM idempotency_keys
        WHERE counterparty_guid = $1 AND key = $2 AND expires_at > now()`,
      [request.counterpartyGuid, request.key],
    );
    if (!stored) return null;
    if (stored.fingerprint !== request.fingerprint) {
      throw new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different request.',
      );
    }
    return { status: stored.response_status, body: stored.response_body };
  }

  /** Serialises the response and, when the request carried a key, stores it with the effect. */
  async complete(db: EntityManager, request: IdempotencyRequest | undefined, body: object, version: number): Promise<WriteResult> {
    const text = stringifyJson(body);
    if (request) await this.remember(db, request, { status: HttpStatus.OK, body: text });
    return { body: text, version, replayed: false };
  }

  static replay(stored: StoredResponse): WriteResult {
    return { body: stored.body, version: (JSON.parse(stored.body) as { version: number }).version, replayed: true };
  }

  private async remember(db: EntityManager, request: IdempotencyRequest, response: StoredResponse): Promise<void> {
    await db.query(
      `INSERT INTO idempotency_keys (counterparty_guid, key, fingerprint, response_status, response_body, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + $6::interval)
       ON CONFLICT (counterparty_guid, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, response_status = EXCLUDED.response_status,
             response_body = EXCLUDED.response_body, created_at = now(), expires_at = EXCLUDED.expires_at`,
      [request.counterpartyGuid, request.key, request.fingerprint, response.status, response.body, RETENTION],
    );
  }
}

import { FastifyReply, FastifyRequest } from 'fastify';
import { HttpStatus } from '@nestjs/common';
import { principalOf } from '../auth/auth.decorators';
import { ApiError } from '../http/api-error';
import { ExactNumber } from '../http/json-body';
import { fingerprint, IdempotencyRequest, WriteResult } from '../idempotency/idempotency.store';
import { EventContext } from './customer-events';

/** HTTP details shared by the write routes: path guids, headers, and how results are sent. */

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const ENTITY_TAG = /^(W\/)?"(\d{1,10})"$/;

/** The `Idempotency-Key` of a POST, scoped to the counterparty and bound to method, path and body. */
export function idempotencyOf(request: FastifyRequest, counterpartyGuid: string): IdempotencyRequest | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw ApiError.badRequest('Request is invalid.', [
      { field: 'Idempotency-Key', message: 'must be 1-255 visible ASCII characters' },
    ]);
  }
  const body = canonicalJson(request.body ?? null);
  // The path in lower case: guids in it are compared in lower case everywhere (write routes take no query).
  const path = request.url.split('?')[0].toLowerCase();
  // The caller's branch too: the same body from employees of two branches is two requests
  // (a create lands in each one's own branch), so one never gets the other's stored response.
  const branch = principalOf(request).branchGuid ?? '';
  return { counterpartyGuid, key, fingerprint: fingerprint(request.method, `${path} ${branch}`, body) };
}

/**
 * The versions `If-Match` accepts, or undefined for none/`*`. Entity tags are the customer's
 * version in quotes; If-Match compares strongly, so a weak tag never matches.
 */
export function expectedVersions(request: FastifyRequest): number[] | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const versions = header.split(',').map((tag) => {
    const match = ENTITY_TAG.exec(tag.trim());
    if (!match) throw ApiError.badRequest('Request is invalid.', [{ field: 'If-Match', message: 'must be an entity tag such as "3"' }]);
    return match[1] ? -1 : Number(match[2]);
  });
  return versions;
}

export function entityTag(version: number): string {
  return `"${version}"`;
}

/** Who is acting: the verified employee, and their branch if scoped. */
export function eventContext(request: FastifyRequest): EventContext {
  const principal = principalOf(request);
  return { actor: { sub: principal.sub, branch_guid: principal.branchGuid } };
}

/** Sends a command's serialised result with its ETag, marking idempotent replays. */
export function sendWriteResult(reply: FastifyReply, result: WriteResult): string {
  void reply.header('etag', entityTag(result.version)).type('application/json; charset=utf-8');
  if (result.replayed) void reply.header('idempotent-replayed', 'true');
  return result.body;
}

/** JSON with sorted keys and exact numbers: equal bodies give equal fingerprints. */
export function canonicalJson(value: unknown): string {
  if (value instanceof ExactNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A branch-scoped employee may only place customers in their own branch: a customer created
 * without a branch goes to theirs; naming another branch, clearing it or moving a customer
 * out of it is 403. Unscoped employees pass through unchanged.
 */
export function branchForCreate(request: FastifyRequest, requested: string | null | undefined): string | null {
  const own = principalOf(request).branchGuid;
  if (own === null) return requested ?? null;
  return requested == null ? own : ownBranchOrForbidden(own, requested);
}

export function branchForUpdate(request: FastifyRequest, requested: string | null | undefined): string | null | undefined {
  const own = principalOf(request).branchGuid;
  if (own === null || requested === undefined) return requested;
  return ownBranchOrForbidden(own, requested);
}

function ownBranchOrForbidden(own: string, requested: string | null): string {
  if (requested === own) return own;
  throw new ApiError(HttpStatus.FORBIDDEN, 'BRANCH_FORBIDDEN', 'The token only grants access to its own branch.', [
    { field: 'branch_guid', message: 'must be your own branch' },
  ]);
}

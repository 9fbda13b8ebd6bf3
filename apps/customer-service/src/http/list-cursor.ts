import { createHash } from 'node:crypto';
import { guid as guidRule, Problem, Rule } from '../fields/field-rules';
import { ApiError } from './api-error';

/**
 * Opaque list cursors (`cursor=…` / `next_cursor`): where a walk through a list stands — the
 * ordering key and guid of the last row returned, the walk's start (a PostgreSQL snapshot, so
 * rows changed after it are left out of later pages: every row appears at most once) — and a
 * fingerprint of the ordering, filters and caller it was made for. Base64url JSON with a
 * checksum: it is not a secret and grants nothing (the caller's token does), but a cursor that
 * was altered, cut or made up is refused as INVALID_CURSOR before anything reads it, and one
 * reused with other filters as CURSOR_MISMATCH. Its values reach SQL only as parameters.
 * Cursors do not expire.
 */
export interface ListPosition {
  /** The ordering column's value of the last row returned, as PostgreSQL text; null for a NULL. */
  key: string | null;
  /** Its guid: the tie-break. */
  guid: string;
  /** The walk's start: `pg_current_snapshot()` of its first page (absent for lists whose keys never change). */
  snapshot?: string;
}

interface Payload extends ListPosition {
  /** Fingerprint of what the cursor was made for. */
  for: string;
}

/** Longest cursor read: a position, a snapshot with its in-progress transactions, a fingerprint. */
export const MAX_CURSOR_LENGTH = 4096;
const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/;
/** pg_snapshot's text form: xmin:xmax:xip,xip,… */
const SNAPSHOT = /^\d{1,20}:\d{1,20}:(\d{1,20}(,\d{1,20}){0,200})?$/;

/** The `cursor` query parameter: checked for length here; what it says, against the list it is used for. */
export const cursorText: Rule<string> = (raw) => (raw.length > 0 && raw.length <= MAX_CURSOR_LENGTH ? raw : new Problem('is not a cursor'));

/** A page starts at an offset or at a cursor, never both (a 400 naming the cursor). */
export function assertOffsetOrCursor(offset: number | undefined, cursor: string | undefined): void {
  if (offset !== undefined && cursor !== undefined) {
    throw ApiError.badRequest('Request is invalid.', [{ field: 'cursor', message: 'cannot be given with offset: a cursor says where the page starts' }]);
  }
}

/** What a cursor must be made for: the same list, ordering, filters and caller. */
export function listFingerprint(what: unknown): string {
  return createHash('sha256').update(canonical(what)).digest('base64url').slice(0, 22);
}

export function encodeCursor(position: ListPosition, fingerprint: string): string {
  const body = Buffer.from(JSON.stringify({ ...position, for: fingerprint } satisfies Payload)).toString('base64url');
  return `${body}.${checksum(body)}`;
}

/** The position a cursor names, for a list whose fingerprint is `fingerprint`; a 400 otherwise. */
export function decodeCursor(cursor: string, fingerprint: string): ListPosition {
  const payload = readPayload(cursor);
  if (!payload) throw invalidCursor();
  if (payload.for !== fingerprint) {
    throw cursorError('CURSOR_MISMATCH', 'was made for another ordering, other filters or another list; start again without a cursor');
  }
  return { key: payload.key, guid: payload.guid, ...(payload.snapshot !== undefined ? { snapshot: payload.snapshot } : {}) };
}

function readPayload(cursor: string): Payload | null {
  if (cursor.length > MAX_CURSOR_LENGTH || !SHAPE.test(cursor)) return null;
  const [body, sum] = cursor.split('.');
  if (checksum(body) !== sum) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { key, guid, snapshot, for: made } = value as Record<string, unknown>;
  if (!(key === null || (typeof key === 'string' && key.length <= 1024))) return null;
  if (!(snapshot === undefined || (typeof snapshot === 'string' && SNAPSHOT.test(snapshot)))) return null;
  if (typeof guid !== 'string' || typeof made !== 'string') return null;
  const tieBreak = guidRule(guid);
  if (tieBreak instanceof Problem) return null;
  return { key, guid: tieBreak, ...(snapshot !== undefined ? { snapshot } : {}), for: made };
}

function checksum(body: string): string {
  return createHash('sha256').update(`list-cursor:${body}`).digest('base64url').slice(0, 16);
}

/** The 400 for a cursor this service did not make, or one that says what no list holds. */
export function invalidCursor(): ApiError {
  return cursorError('INVALID_CURSOR', 'is not a cursor this service made (altered, cut or from another API)');
}

function cursorError(code: string, message: string): ApiError {
  return ApiError.badRequest('Request is invalid.', [{ field: 'cursor', message }], code);
}

/** JSON with sorted keys and sorted arrays: equal filters give equal fingerprints. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

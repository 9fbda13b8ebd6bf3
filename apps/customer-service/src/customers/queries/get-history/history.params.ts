import { CUSTOMER_PROFILE_FIELD_SCHEMAS } from '@app/contracts';
import * as rules from '../../../fields/field-rules';
import { assertOffsetOrCursor, cursorText } from '../../../http/list-cursor';
import { list, QueryValues, readers, single } from '../../../http/query-params';

export const HISTORY_ORDERINGS = ['version', '-version'] as const;
export type HistoryOrdering = (typeof HISTORY_ORDERINGS)[number];

/** The fields an update's `changes` can name (the event contract's). */
export const HISTORY_FIELDS = Object.keys(CUSTOMER_PROFILE_FIELD_SCHEMAS) as (keyof typeof CUSTOMER_PROFILE_FIELD_SCHEMAS)[];

export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 500;
const MAX_OFFSET = 1_000_000;
const TIME_NOTE = 'RFC 3339 with an offset and any number of fraction digits (compared exactly against the stored microseconds).';

/** `GET …/customers/{customer_guid}/history`'s parameters, declared once (reading and OpenAPI). */
export const HISTORY_PARAMS = {
  min_occurred_at: single(readers.timestampFrom, { type: 'string', description: `Events at or after. ${TIME_NOTE}`, schema: { format: 'date-time' } }),
  max_occurred_at: single(readers.timestampUntil, { type: 'string', description: `Events at or before. ${TIME_NOTE}`, schema: { format: 'date-time' } }),
  fields: list(rules.oneOf(HISTORY_FIELDS), {
    type: 'string',
    description: 'Only updates whose changes touch one of these fields (the whole event is returned, every change it made).',
    schema: { enum: [...HISTORY_FIELDS] },
  }),
  actor: single(rules.text(255), { type: 'string', description: "Only events made by this employee (the token subject, `actor.sub`), exact." }),
  offset: single(rules.integer(0, MAX_OFFSET), {
    type: 'integer',
    description: `Events to skip (0 … ${MAX_OFFSET}). Not with cursor.`,
    schema: { minimum: 0, default: 0 },
  }),
  cursor: single(cursorText, { type: 'string', description: "A previous page's next_cursor (same ordering and filters). Not with offset." }),
  limit: single(rules.integer(1, MAX_HISTORY_LIMIT), {
    type: 'integer',
    description: `Page size (1 … ${MAX_HISTORY_LIMIT}).`,
    schema: { minimum: 1, maximum: MAX_HISTORY_LIMIT, default: DEFAULT_HISTORY_LIMIT },
  }),
  ordering: single(rules.oneOf(HISTORY_ORDERINGS), {
    type: 'string',
    description: 'By version: -version (the default) is newest first.',
    schema: { enum: [...HISTORY_ORDERINGS], default: '-version' },
  }),
  min_version: single(rules.integer(1, 2_147_483_647), {
    type: 'integer',
    description: 'Read-your-writes: wait (up to MIN_VERSION_WAIT_MS, default 3 s) until the history holds at least this version, e.g. the ETag of your last write.',
    schema: { minimum: 1 },
  }),
};

export type HistoryQueryValues = QueryValues<typeof HISTORY_PARAMS>;

/** The history filters, named as in the query string; absent = no condition. */
export type HistoryFilter = Pick<HistoryQueryValues, 'min_occurred_at' | 'max_occurred_at' | 'fields' | 'actor'>;

export interface HistoryRequest {
  filter: HistoryFilter;
  page: { offset: number; limit: number; ordering: HistoryOrdering; cursor?: string };
  minVersion?: number;
}

/** The read query → filter, page and wait, with the defaults applied. */
export function toHistoryRequest(query: HistoryQueryValues): HistoryRequest {
  const { offset, limit = DEFAULT_HISTORY_LIMIT, ordering = '-version', cursor, min_version, ...filter } = query;
  assertOffsetOrCursor(offset, cursor);
  return { filter, page: { offset: offset ?? 0, limit, ordering, ...(cursor !== undefined ? { cursor } : {}) }, ...(min_version !== undefined ? { minVersion: min_version } : {}) };
}

import * as rules from '../../../fields/field-rules';
import { invalidCursor, ListPosition } from '../../../http/list-cursor';
import { AccessScope } from '../../../auth/access';
import { SqlParams, SqlQuery } from '../../../database/sql-params';
import { CUSTOMER_SELECT } from '../../../read-model/read-model.tables';
import { CustomerListFilter, Ordering } from './customer-list.params';

/** With search_string, `total` counts up to this many matches, then says "at least" (DESIGN §2). */
export const SEARCH_TOTAL_CAP = 10_000;

/** A page: by offset, or after a cursor's position (keyset). */
export interface CustomerListPage {
  limit: number;
  ordering: Ordering;
  offset: number;
  after?: ListPosition;
}

/** Ordering values → columns; the only way a request influences ORDER BY. */
const ORDER_COLUMNS: Record<string, string> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  login: 'login',
  name: 'name',
  surname: 'surname',
  kyc_level: 'kyc_level',
  balance_allowed: 'balance_allowed',
};

/** Equality-list filters: parameter → column and the SQL array type of its values. */
const ANY_OF: [keyof CustomerListFilter, string, string][] = [
  ['wallet_user_guids', 'customer_guid', 'uuid[]'],
  ['kyc_levels', 'kyc_level', 'int[]'],
  ['balance_asset_codes', 'balance_asset_code', 'text[]'],
  ['balance_asset_issuers', 'balance_asset_issuer', 'text[]'],
  ['branch_guids', 'branch_guid', 'uuid[]'],
  ['names', 'name', 'text[]'],
  ['paternal_names', 'paternal_name', 'text[]'],
  ['phone_numbers', 'phone_number', 'text[]'],
  ['segments', 'segment', 'text[]'],
  ['statuses', 'status', 'text[]'],
  ['surnames', 'surname', 'text[]'],
];

/** Inclusive bounds: parameter → condition on a placeholder. */
const BOUNDS: [keyof CustomerListFilter, (p: string) => string][] = [
  ['min_balance_allowed', (p) => `balance_allowed >= ${p}::numeric`],
  ['max_balance_allowed', (p) => `balance_allowed <= ${p}::numeric`],
  ['min_created_at', (p) => `created_at >= ${p}::timestamptz`],
  ['max_created_at', (p) => `created_at <= ${p}::timestamptz`],
  ['min_updated_at', (p) => `updated_at >= ${p}::timestamptz`],
  ['max_updated_at', (p) => `updated_at <= ${p}::timestamptz`],
];

/** The ordering columns' types, for a cursor key given back as text; and which may be NULL. */
const KEY_TYPES: Record<string, string> = {
  created_at: 'timestamptz', updated_at: 'timestamptz', login: 'text', name: 'text', surname: 'text', kyc_level: 'int', balance_allowed: 'numeric',
};
const NULLABLE_KEYS = new Set(['login', 'name', 'surname']);

/**
 * Whether a cursor's key could have come from its ordering's column (PostgreSQL's own text of
 * it): checked before it is cast in SQL, so a made-up cursor is a 400, never a cast error.
 */
const KEY_CHECKS: Record<string, (key: string) => boolean> = {
  created_at: isTimestampText,
  updated_at: isTimestampText,
  login: (key) => key.length <= 1024,
  name: (key) => key.length <= 1024,
  surname: (key) => key.length <= 1024,
  kyc_level: (key) => /^\d{1,10}$/.test(key) && Number(key) <= 2_147_483_647,
  balance_allowed: (key) => /^\d{1,9}(\.\d{1,7})?$/.test(key),
};

/** timestamptz as PostgreSQL writes it: `2026-01-01 10:00:00.123456+00` (or `+05:30`). */
export function isTimestampText(key: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([+-]\d{2})(:\d{2})?$/.exec(key);
  return match !== null && !(rules.timestamp(`${match[1]}${match[2]}${match[3] ?? ':00'}`) instanceof rules.Problem);
}

/** Filters customer_counts can answer (its buckets); any other filter makes the total a count(*). */
const COUNTED_FILTERS = new Set<keyof CustomerListFilter>(['is_disabled', 'kyc_levels', 'segments']);

export interface CustomerListSql {
  /** The page's rows, each with `cursor_key` (its ordering value as text) and `walk_snapshot`. */
  page: SqlQuery;
  /**
   * Counts the matches: a sum over customer_counts when only counted filters are set; with
   * search_string, count(*) of at most SEARCH_TOTAL_CAP + 1 of them; else `count`.
   */
  total: SqlQuery;
  /** count(*) of every match under the page's conditions. */
  count: SqlQuery;
}

/**
 * The list's SQL: every value a placeholder, every column and direction from the tables above.
 * Ties are broken by customer_guid in the same direction, so each ordering is one index scan
 * ((counterparty_guid, column, customer_guid), forwards or backwards) and pages are stable.
 * The page's ids are chosen first and its rows fetched after (a "deferred join"): the ordering
 * indexes include is_disabled and branch_guid, so without other filters the ids come from an
 * index-only scan, and a deep offset skips index entries instead of table rows.
 */
export function customerListSql(scope: AccessScope, filter: CustomerListFilter, page: CustomerListPage): CustomerListSql {
  const params = new SqlParams();
  const where = [`counterparty_guid = ${params.add(scope.counterpartyGuid)}`];
  if (scope.branchGuid !== null) where.push(`branch_guid = ${params.add(scope.branchGuid)}`);
  if (!filter.is_disabled) where.push('NOT is_disabled');
  for (const [name, column, type] of ANY_OF) {
    const values = filter[name];
    if (values !== undefined) where.push(`${column} = ANY(${params.add(values)}::${type})`);
  }
  if (filter.logins) {
    // Case-insensitive by the same collation as the write side's unique index (a Unicode rule
    // named in the migration, never the database's default locale).
    where.push(`(login COLLATE unicode_ci) = ANY(${params.add(filter.logins)}::text[])`);
  }
  for (const [name, condition] of BOUNDS) {
    const value = filter[name];
    if (value !== undefined) where.push(condition(params.add(value)));
  }
  if (filter.search_string !== undefined) {
    // Folded as search_text is (unicode_fold), then LIKE's wildcards escaped: folding can make
    // one (a full-width ％ is % in NFKC), so escaping comes after it.
    const folded = `unicode_fold(${params.add(filter.search_string)})`;
    where.push(`search_text LIKE '%' || replace(replace(replace(${folded}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`);
  }
  const { column, direction } = orderOf(page.ordering);
  const counted = (Object.keys(filter) as (keyof CustomerListFilter)[]).every((name) => COUNTED_FILTERS.has(name) || filter[name] === undefined);
  const condition = where.join(' AND ');
  const countParams = params.values.slice();
  // Qualified: a bare name would resolve to the SELECT list's alias (balance_allowed::text).
  const order = `ORDER BY customer_list_view.${column} ${direction}, customer_list_view.customer_guid ${direction}`;
  const limit = params.add(page.limit);
  const ids = page.after
    ? idsAfter(page.after, condition, params, column, direction, order, limit)
    : `SELECT customer_guid FROM customer_list_view WHERE ${condition} ${order} LIMIT ${limit} OFFSET ${params.add(page.offset)}`;
  // The statement's snapshot is the walk's start when this is its first page (list-cursor.ts).
  const pageSql =
    `SELECT ${CUSTOMER_SELECT}, customer_list_view.${column}::text AS cursor_key, pg_current_snapshot()::text AS walk_snapshot ` +
    `FROM customer_list_view WHERE customer_guid IN (${ids}) ${order} LIMIT ${limit}`;
  const count = { text: `SELECT count(*) AS total FROM customer_list_view WHERE ${condition}`, values: countParams };
  // Which plan counts a search fastest depends on the string (docs/performance.md, round 4):
  // with a trigram the GIN index finds the matches (one heap row each: ~15 ms for 4,400 on
  // 1,000,000 customers); without one it cannot help, and the created_at index, which includes
  // search_text, is filtered entry by entry until the cap (~5 ms). The planner's costs sit
  // close for strings with a few thousand matches, and a freshly vacuumed index tips them to
  // filtering all of a large counterparty's entries (~45 ms); so a string with a trigram
  // counts a column that index lacks (`version`, never NULL), which rules that plan out (it is
  // used outside the subquery, so the planner cannot drop it). count(1) is count(*).
  const onlyHeap = filter.search_string !== undefined && hasTrigram(filter.search_string) ? 'version' : '1';
  const capped = {
    text: `SELECT count(${onlyHeap}) AS total FROM (SELECT ${onlyHeap} FROM customer_list_view WHERE ${condition} LIMIT ${SEARCH_TOTAL_CAP + 1}) AS capped`,
    values: countParams,
  };
  const total = counted ? countsLookup(scope, filter) : filter.search_string !== undefined ? capped : count;
  return { page: { text: pageSql, values: params.values }, total, count };
}

/**
 * The ids of the page after `after` (keyset): rows past it in the ordering, ties broken by
 * guid, each an index range scan. Nullable keys sort NULLs last ascending and first descending,
 * so a walk crosses from the values to the NULLs (or back) once: that page reads both sides,
 * each limited. Rows rewritten after the walk's start snapshot are left out, so a customer
 * changed during a walk (its key moved ahead of the cursor) is never returned twice.
 */
function idsAfter(after: ListPosition, condition: string, params: SqlParams, column: string, direction: 'ASC' | 'DESC', order: string, limit: string): string {
  if (after.key !== null && !KEY_CHECKS[column](after.key)) {
    throw invalidCursor();
  }
  const base = after.snapshot === undefined ? condition : `${condition} AND pg_visible_in_snapshot(writer_xid, ${params.add(after.snapshot)}::pg_snapshot)`;
  const guid = `${params.add(after.guid)}::uuid`;
  const beyond = direction === 'ASC' ? '>' : '<';
  const select = (where: string) => `(SELECT customer_guid FROM customer_list_view WHERE ${base} AND ${where} ${order} LIMIT ${limit})`;
  const col = `customer_list_view.${column}`;
  if (after.key === null) {
    const inNulls = select(`${col} IS NULL AND customer_guid ${beyond} ${guid}`);
    return direction === 'ASC' ? inNulls : `${inNulls} UNION ALL ${select(`${col} IS NOT NULL`)}`;
  }
  const inValues = select(`(${col}, customer_guid) ${beyond} (${params.add(after.key)}::${KEY_TYPES[column]}, ${guid})`);
  return direction === 'ASC' && NULLABLE_KEYS.has(column) ? `${inValues} UNION ALL ${select(`${col} IS NULL`)}` : inValues;
}

/**
 * Whether pg_trgm can take a trigram from `%string%`: three letters or digits in a row (its
 * word characters). Decides a plan only (above); a wrong guess costs time, never a result.
 */
export function hasTrigram(searchString: string): boolean {
  return /[\p{L}\p{N}]{3}/u.test(searchString.normalize('NFKC'));
}

function countsLookup(scope: AccessScope, filter: CustomerListFilter): SqlQuery {
  const params = new SqlParams();
  const where = [`counterparty_guid = ${params.add(scope.counterpartyGuid)}`];
  if (scope.branchGuid !== null) where.push(`branch_key = ${params.add(scope.branchGuid)}`);
  if (filter.kyc_levels) where.push(`kyc_level = ANY(${params.add(filter.kyc_levels)}::int[])`);
  if (filter.segments) where.push(`segment_key = ANY(${params.add(filter.segments)}::text[])`);
  const sum = filter.is_disabled ? 'sum(enabled + disabled)' : 'sum(enabled)';
  return { text: `SELECT coalesce(${sum}, 0) AS total FROM customer_counts WHERE ${where.join(' AND ')}`, values: params.values };
}

export function orderOf(ordering: Ordering): { column: string; direction: 'ASC' | 'DESC' } {
  const descending = ordering.startsWith('-');
  const column = ORDER_COLUMNS[descending ? ordering.slice(1) : ordering];
  if (!column) throw new Error('ordering outside the allowlist');
  return { column, direction: descending ? 'DESC' : 'ASC' };
}

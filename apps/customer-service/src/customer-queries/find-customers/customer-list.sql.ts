import { ReadScope, SqlQuery, SqlParams, CUSTOMER_SELECT } from '../read-model/read-model.sql';
import { CustomerListFilter, CustomerListPage, Ordering } from './customer-list.params';

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

/** Filters customer_counts can answer (its buckets); any other filter makes the total a count(*). */
const COUNTED_FILTERS = new Set<keyof CustomerListFilter>(['is_disabled', 'kyc_levels', 'segments']);

export interface CustomerListSql {
  page: SqlQuery;
  /** Counts every match: a sum over customer_counts when only counted filters are set, else `count`. */
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
export function customerListSql(scope: ReadScope, filter: CustomerListFilter, page: CustomerListPage): CustomerListSql {
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
  const pageSql =
    `SELECT ${CUSTOMER_SELECT} FROM customer_list_view WHERE customer_guid IN (` +
    `SELECT customer_guid FROM customer_list_view WHERE ${condition} ${order} LIMIT ${params.add(page.limit)} OFFSET ${params.add(page.offset)}) ` +
    order;
  const count = { text: `SELECT count(*) AS total FROM customer_list_view WHERE ${condition}`, values: countParams };
  return { page: { text: pageSql, values: params.values }, total: counted ? countsLookup(scope, filter) : count, count };
}

function countsLookup(scope: ReadScope, filter: CustomerListFilter): SqlQuery {
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

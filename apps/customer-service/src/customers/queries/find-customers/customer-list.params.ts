import * as rules from '../../../fields/field-rules';
import { ApiError } from '../../../http/api-error';
import { cursorText } from '../../../http/list-cursor';
import { list, QueryValues, RawQuery, readers, readQuery, single } from '../../../http/query-params';

/** The seed's ordering values (DRF style: a leading `-` means descending). */
export const ORDERINGS = [
  'created_at', '-created_at', 'updated_at', '-updated_at', 'login', '-login', 'name', '-name',
  'surname', '-surname', 'kyc_level', '-kyc_level', 'balance_allowed', '-balance_allowed',
] as const;
export type Ordering = (typeof ORDERINGS)[number];

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
export const MAX_OFFSET = 1_000_000;
const DEFAULT_ORDERING: Ordering = '-created_at';

const NAME = rules.text(255);
const UUID = { format: 'uuid' };
const TIME = { format: 'date-time' };
const TIME_NOTE = 'RFC 3339 with an offset and any number of fraction digits (compared exactly against the stored microseconds).';

/**
 * `GET /counterparty/{c}/customers`'s parameters, declared once: what each accepts, how it is
 * normalised (as the write side normalises the field), and its OpenAPI description.
 */
export const CUSTOMER_LIST_PARAMS = {
  wallet_user_guids: list(rules.guid, { type: 'string', description: 'Customer guids (any letter case).', schema: UUID }),
  logins: list(NAME, { type: 'string', description: 'Logins, compared case-insensitively (Unicode).' }),
  kyc_levels: list(rules.integer(0, 2_147_483_647), { type: 'integer', description: 'KYC levels.' }),
  is_disabled: single(readers.boolean, {
    type: 'boolean',
    description: 'Include disabled customers: true lists enabled and disabled; absent or false lists enabled only. Any letter case.',
  }),
  min_balance_allowed: single(readers.moneyText, { type: 'number', description: 'Lowest balance_allowed, inclusive; exact decimal, at most 7 places.' }),
  max_balance_allowed: single(readers.moneyText, { type: 'number', description: 'Highest balance_allowed, inclusive; exact decimal, at most 7 places.' }),
  balance_asset_codes: list(rules.assetCode, { type: 'string', description: 'Balance asset codes, exact.' }),
  balance_asset_issuers: list(rules.stellarAccountId, { type: 'string', description: 'Balance asset issuers (Stellar account ids), exact.' }),
  branch_guids: list(rules.guid, { type: 'string', description: 'Branch guids (any letter case).', schema: UUID }),
  names: list(NAME, { type: 'string', description: 'Names, exact.' }),
  paternal_names: list(NAME, { type: 'string', description: 'Paternal names, exact.' }),
  phone_numbers: list(readers.phone, {
    type: 'string',
    description: 'Phone numbers, normalised to E.164 before matching. A value starting with a space and a digit is read as +digits (a + left unencoded).',
  }),
  segments: list(rules.oneOf(['PL', 'PI']), { type: 'string', description: 'Segments.', schema: { enum: ['PL', 'PI'] } }),
  statuses: list(rules.text(64), { type: 'string', description: 'Statuses, exact.' }),
  surnames: list(NAME, { type: 'string', description: 'Surnames, exact.' }),
  search_string: single(NAME, { type: 'string', description: 'Case-insensitive (Unicode) substring of name, surname, paternal_name or login.' }),
  min_created_at: single(readers.timestampFrom, { type: 'string', description: `Created at or after. ${TIME_NOTE}`, schema: TIME }),
  max_created_at: single(readers.timestampUntil, { type: 'string', description: `Created at or before. ${TIME_NOTE}`, schema: TIME }),
  min_updated_at: single(readers.timestampFrom, { type: 'string', description: `Updated at or after. ${TIME_NOTE}`, schema: TIME }),
  max_updated_at: single(readers.timestampUntil, { type: 'string', description: `Updated at or before. ${TIME_NOTE}`, schema: TIME }),
  offset: single(rules.integer(0, MAX_OFFSET), {
    type: 'integer',
    description: `Matches to skip (0 … ${MAX_OFFSET}). Not with cursor.`,
    schema: { minimum: 0, default: 0 },
  }),
  cursor: single(cursorText, {
    type: 'string',
    description: "A previous page's next_cursor: the page after it, in the same ordering with the same filters (docs/api.md, \"Paging\"). Not with offset.",
  }),
  limit: single(rules.integer(1, MAX_LIMIT), {
    type: 'integer',
    description: `Page size (1 … ${MAX_LIMIT}).`,
    schema: { minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  }),
  ordering: single(rules.oneOf(ORDERINGS), {
    type: 'string',
    description: 'Sort order; a leading - is descending; text sorts by letter (Unicode collation), ties are broken by customer_guid.',
    schema: { enum: [...ORDERINGS], default: DEFAULT_ORDERING },
  }),
};

export type CustomerListQuery = QueryValues<typeof CUSTOMER_LIST_PARAMS>;

/** The list filters, named as in the query string; absent = no condition. */
export type CustomerListFilter = Omit<CustomerListQuery, 'offset' | 'limit' | 'ordering' | 'is_disabled' | 'cursor'> & {
  /** "Include disabled": false (the default) lists enabled customers only. */
  is_disabled: boolean;
};

/** The page as requested: an offset, or a cursor still to be read against the list it names. */
export interface RequestedPage {
  offset: number;
  limit: number;
  ordering: Ordering;
  cursor?: string;
}

/** The read query → filter and page, with the defaults applied. */
export function toCustomerListRequest(query: CustomerListQuery): { filter: CustomerListFilter; page: RequestedPage } {
  const { offset, limit = DEFAULT_LIMIT, ordering = DEFAULT_ORDERING, is_disabled = false, cursor, ...filters } = query;
  if (offset !== undefined && cursor !== undefined) {
    throw ApiError.badRequest('Request is invalid.', [{ field: 'cursor', message: 'cannot be given with offset: a cursor says where the page starts' }]);
  }
  return { filter: { ...filters, is_disabled }, page: { offset: offset ?? 0, limit, ordering, ...(cursor !== undefined ? { cursor } : {}) } };
}

/** A decoded query string → filter and page, or a 400 naming each bad parameter (bench and tests). */
export function parseCustomerListQuery(raw: RawQuery): { filter: CustomerListFilter; page: RequestedPage } {
  return toCustomerListRequest(readQuery(raw, CUSTOMER_LIST_PARAMS));
}

import { list, RawQuery, readers, readQuery, single } from '../http/query-params';

/** The seed's ordering values (DRF style: a leading `-` means descending). */
export const ORDERINGS = [
  'created_at', '-created_at', 'updated_at', '-updated_at', 'login', '-login', 'name', '-name',
  'surname', '-surname', 'kyc_level', '-kyc_level', 'balance_allowed', '-balance_allowed',
] as const;
export type Ordering = (typeof ORDERINGS)[number];

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
export const MAX_OFFSET = 1_000_000;

/** The list filters, named as in the query string; absent = no condition. */
export interface CustomerListFilter {
  wallet_user_guids?: string[];
  logins?: string[];
  kyc_levels?: number[];
  /** "Include disabled": false (the default) lists enabled customers only. */
  is_disabled: boolean;
  /** Exact decimal text. */
  min_balance_allowed?: string;
  max_balance_allowed?: string;
  balance_asset_codes?: string[];
  balance_asset_issuers?: string[];
  branch_guids?: string[];
  names?: string[];
  paternal_names?: string[];
  /** Already E.164. */
  phone_numbers?: string[];
  segments?: string[];
  statuses?: string[];
  surnames?: string[];
  search_string?: string;
  min_created_at?: string;
  max_created_at?: string;
  min_updated_at?: string;
  max_updated_at?: string;
}

export interface CustomerListPage {
  offset: number;
  limit: number;
  ordering: Ordering;
}

const NAME = readers.text(255);

export const CUSTOMER_LIST_PARAMS = {
  wallet_user_guids: list(readers.uuid),
  logins: list(NAME),
  kyc_levels: list(readers.integer(0, 2_147_483_647)),
  is_disabled: single(readers.boolean),
  min_balance_allowed: single(readers.money),
  max_balance_allowed: single(readers.money),
  balance_asset_codes: list(readers.assetCode),
  balance_asset_issuers: list(readers.stellarAccount),
  branch_guids: list(readers.uuid),
  names: list(NAME),
  paternal_names: list(NAME),
  phone_numbers: list(readers.phone),
  segments: list(readers.oneOf(['PL', 'PI'])),
  statuses: list(readers.text(64)),
  surnames: list(NAME),
  search_string: single(NAME),
  min_created_at: single(readers.timestamp),
  max_created_at: single(readers.timestamp),
  min_updated_at: single(readers.timestamp),
  max_updated_at: single(readers.timestamp),
  offset: single(readers.integer(0, MAX_OFFSET)),
  limit: single(readers.integer(1, MAX_LIMIT)),
  ordering: single(readers.oneOf(ORDERINGS)),
};

/** `GET /counterparty/{c}/customers`'s query string → filter and page, or a 400 naming each bad param. */
export function parseCustomerListQuery(raw: RawQuery): { filter: CustomerListFilter; page: CustomerListPage } {
  const { offset = 0, limit = DEFAULT_LIMIT, ordering = '-created_at', is_disabled = false, ...filters } = readQuery(
    raw,
    CUSTOMER_LIST_PARAMS,
  ) as Partial<CustomerListFilter & CustomerListPage>;
  return {
    filter: { ...filters, is_disabled },
    page: { offset, limit, ordering },
  };
}

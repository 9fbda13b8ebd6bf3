import { CustomerSnapshotV1, WalletAccountSnapshotV1 } from '@app/contracts';

/**
 * The read model's tables (migrations 1764316800000-read-model and later), described once for
 * the projector that writes them and the queries that read them. A row holds an event
 * snapshot's fields as stored: money as its exact decimal text, timestamps as written.
 */

/** A customer_list_view row as the projector writes it. */
export type CustomerRow = Omit<CustomerSnapshotV1, 'balance_allowed' | 'accounts' | 'segment'> & {
  balance_allowed: string;
  segment: string | null;
  accounts_total: number;
};

/** An account_view row as the projector writes it. */
export type AccountRow = Omit<WalletAccountSnapshotV1, 'type'> & { type: string };

/** The same rows as PostgreSQL gives them back (node-postgres: timestamptz as Date). */
export type StoredCustomerRow = Omit<CustomerRow, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date };
export type StoredAccountRow = Omit<AccountRow, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date };

export const CUSTOMER_COLUMNS = [
  'customer_guid', 'counterparty_guid', 'login', 'name', 'surname', 'paternal_name', 'phone_number', 'kyc_level',
  'is_disabled', 'balance_allowed', 'balance_asset_code', 'balance_asset_issuer', 'branch_guid', 'segment', 'status',
  'accounts_total', 'version', 'created_at', 'updated_at',
] as const satisfies readonly (keyof CustomerRow)[];

export const ACCOUNT_COLUMNS = [
  'wallet_account_guid', 'customer_guid', 'counterparty_guid', 'iban', 'asset_code', 'asset_issuer', 'activated',
  'registered', 'blocked', 'type', 'created_at', 'updated_at',
] as const satisfies readonly (keyof AccountRow)[];

/** The columns to select a customer row by: money as text, so it keeps its exact digits. */
export const CUSTOMER_SELECT = CUSTOMER_COLUMNS.map((column) => (column === 'balance_allowed' ? 'balance_allowed::text AS balance_allowed' : column)).join(', ');
export const ACCOUNT_SELECT = ACCOUNT_COLUMNS.join(', ');

/** The nil uuid stands for "no branch" in customer_counts (a primary key cannot hold null). */
export const NO_BRANCH = '00000000-0000-0000-0000-000000000000';

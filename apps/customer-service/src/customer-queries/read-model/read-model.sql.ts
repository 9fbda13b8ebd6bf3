import { AccountView, CustomerView } from '../../customers/customer.views';
import { Money } from '../../fields/money';

/** Who is reading: every read-model query is limited to the token's counterparty (and branch). */
export interface ReadScope {
  counterpartyGuid: string;
  /** Set for branch-scoped employees: they see only their branch's customers. */
  branchGuid: string | null;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** Collects values and hands out their placeholders: request values never enter SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export const CUSTOMER_SELECT = `customer_guid, counterparty_guid, login, name, surname, paternal_name, phone_number,
  kyc_level, is_disabled, balance_allowed::text AS balance_allowed, balance_asset_code, balance_asset_issuer,
  branch_guid, segment, status, accounts_total, version, created_at, updated_at`;

export const ACCOUNT_SELECT = `wallet_account_guid, customer_guid, counterparty_guid, iban, asset_code, asset_issuer,
  activated, registered, blocked, type, created_at, updated_at`;

export interface CustomerViewRow extends Omit<CustomerView, 'balance_allowed' | 'wallet_user_guid' | 'created_at' | 'updated_at'> {
  balance_allowed: string;
  created_at: Date;
  updated_at: Date;
}

export interface AccountViewRow extends Omit<AccountView, 'guid' | 'created_at' | 'updated_at'> {
  created_at: Date;
  updated_at: Date;
}

/** A read-model row in the API's Customer shape (the write side's CustomerView, field for field). */
export function toCustomerView(row: CustomerViewRow): CustomerView {
  return {
    customer_guid: row.customer_guid,
    wallet_user_guid: row.customer_guid,
    counterparty_guid: row.counterparty_guid,
    login: row.login,
    name: row.name,
    surname: row.surname,
    paternal_name: row.paternal_name,
    phone_number: row.phone_number,
    kyc_level: row.kyc_level,
    is_disabled: row.is_disabled,
    balance_allowed: Money.fromDecimal(row.balance_allowed),
    balance_asset_code: row.balance_asset_code,
    balance_asset_issuer: row.balance_asset_issuer,
    branch_guid: row.branch_guid,
    segment: row.segment,
    status: row.status,
    accounts_total: row.accounts_total,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function toAccountView(row: AccountViewRow): AccountView {
  return {
    wallet_account_guid: row.wallet_account_guid,
    guid: row.wallet_account_guid,
    customer_guid: row.customer_guid,
    counterparty_guid: row.counterparty_guid,
    iban: row.iban,
    asset_code: row.asset_code,
    asset_issuer: row.asset_issuer,
    activated: row.activated,
    registered: row.registered,
    blocked: row.blocked,
    type: row.type,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

import { WalletAccountSnapshotV1 } from '@app/contracts';
import { Money } from '../fields/money';
import { StoredAccountRow, StoredCustomerRow } from '../read-model/read-model.tables';
import { CustomerState, WalletAccount } from './domain/customer';
import { AccountView, CustomerSnapshot, CustomerView } from './customer.views';

/**
 * The one mapper of the customer shapes: the domain's state (commands) and the read model's
 * rows (queries) to the views the API answers with and the snapshot the events carry. Adding a
 * customer field touches one function here per shape it appears in.
 */

export function accountSnapshot(customer: CustomerState, account: WalletAccount): WalletAccountSnapshotV1 {
  return {
    wallet_account_guid: account.guid,
    customer_guid: customer.guid,
    counterparty_guid: customer.counterparty_guid,
    iban: account.iban,
    asset_code: account.asset_code,
    asset_issuer: account.asset_issuer,
    activated: account.activated,
    registered: account.registered,
    blocked: account.blocked,
    type: 'customer',
    created_at: account.created_at.toISOString(),
    updated_at: account.updated_at.toISOString(),
  };
}

export function customerSnapshot(customer: CustomerState): CustomerSnapshot {
  return {
    ...customerFields(customer),
    accounts: customer.accounts.map((account) => accountSnapshot(customer, account)),
  };
}

export function customerView(customer: CustomerState): CustomerView {
  return { ...customerFields(customer), wallet_user_guid: customer.guid, accounts_total: customer.accounts.length };
}

export function accountView(customer: CustomerState, account: WalletAccount): AccountView {
  const snapshot = accountSnapshot(customer, account);
  return { ...snapshot, guid: snapshot.wallet_account_guid };
}

/** The seed's create response: the first account, with its one asset. */
export function createdCustomerView(customer: CustomerState) {
  const [account] = customer.accounts;
  return {
    activated: account.activated,
    assets: [
      {
        code: account.asset_code,
        stellar_code: account.asset_code,
        stellar_issuer: account.asset_issuer,
        minor_unit: 7,
        balance: 0,
        platform: 'stellar',
        activated: true,
      },
    ],
    assets_total: 1,
    blocked: account.blocked,
    customer_guid: customer.guid,
    guid: account.guid,
    iban: account.iban,
    name: customer.name,
    platform: 'stellar',
    registered: account.registered,
    type: 'customer',
    wallet_account_guid: account.guid,
    version: customer.version,
  };
}

function customerFields(customer: CustomerState) {
  return {
    customer_guid: customer.guid,
    counterparty_guid: customer.counterparty_guid,
    login: customer.login,
    name: customer.name,
    surname: customer.surname,
    paternal_name: customer.paternal_name,
    phone_number: customer.phone_number,
    kyc_level: customer.kyc_level,
    is_disabled: customer.is_disabled,
    balance_allowed: customer.balance_allowed,
    balance_asset_code: customer.balance_asset_code,
    balance_asset_issuer: customer.balance_asset_issuer,
    branch_guid: customer.branch_guid,
    segment: customer.segment,
    status: customer.status,
    version: customer.version,
    created_at: customer.created_at.toISOString(),
    updated_at: customer.updated_at.toISOString(),
  };
}

/** A read-model row in the API's Customer shape (the same CustomerView the commands answer with). */
export function customerViewOfRow(row: StoredCustomerRow): CustomerView {
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
    segment: row.segment as CustomerView['segment'], // the read model's column takes only PL, PI or NULL
    status: row.status,
    accounts_total: row.accounts_total,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function accountViewOfRow(row: StoredAccountRow): AccountView {
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
    type: row.type as AccountView['type'],
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

import { CustomerSnapshotV1, WalletAccountSnapshotV1 } from '@app/contracts';
import { CustomerState, WalletAccount } from './domain/customer';
import { Money } from '../fields/money';

/** `balance_allowed` stays a {@link Money} until serialised, so it is written as an exact number. */
type WithMoney<T> = Omit<T, 'balance_allowed'> & { balance_allowed: Money };

export type CustomerSnapshot = WithMoney<CustomerSnapshotV1>;

/** The customer as the API returns it (DESIGN §2: both guid names, accounts_total, no accounts). */
export type CustomerView = Omit<CustomerSnapshot, 'accounts'> & { wallet_user_guid: string; accounts_total: number };

export type AccountView = WalletAccountSnapshotV1 & { guid: string };

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

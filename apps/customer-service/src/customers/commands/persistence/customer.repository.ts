import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Customer, CustomerState, Segment, WalletAccount } from '../../domain/customer';
import { CustomerError, IbanTakenError, LoginTakenError } from '../../customer-errors';
import { Money } from '../../../fields/money';
import { driverErrorOf } from '../../../database/driver-error';
import { queryPrepared } from '../../../database/prepared';

const UNIQUE_VIOLATION = '23505';

/** Which business error a unique index stands for; the database decides, we only translate. */
const CONFLICT_BY_CONSTRAINT: Record<string, () => CustomerError> = {
  customers_counterparty_login_key: () => new LoginTakenError(),
  wallet_accounts_counterparty_iban_key: () => new IbanTakenError(),
};

const CUSTOMER_COLUMNS = `guid, counterparty_guid, login, name, surname, paternal_name, phone_number, kyc_level,
  is_disabled, balance_allowed::text AS balance_allowed, balance_asset_code, balance_asset_issuer, branch_guid,
  segment, status, version, created_at, updated_at`;

/** The create path's statements, exported so the benchmark's framework-free server runs the very same SQL. */
export const INSERT_CUSTOMER_SQL = `INSERT INTO customers (guid, counterparty_guid, login, name, surname, paternal_name, phone_number,
    kyc_level, is_disabled, balance_allowed, balance_asset_code, balance_asset_issuer, branch_guid,
    segment, status, version, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`;

export const INSERT_ACCOUNT_SQL = `INSERT INTO wallet_accounts (guid, customer_guid, counterparty_guid, iban, asset_code, asset_issuer,
    activated, registered, blocked, type, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'customer', $10, $11)`;

/** The update path's statements (lock and load, then save), exported for the benchmark's pgbench limit. */
export const LOCK_CUSTOMER_SQL = `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE guid = $1 AND counterparty_guid = $2 FOR UPDATE`;

export const SELECT_ACCOUNTS_SQL = `SELECT guid, iban, asset_code, asset_issuer, activated, registered, blocked, created_at, updated_at
  FROM wallet_accounts WHERE customer_guid = $1 ORDER BY created_at, guid`;

export const UPDATE_PROFILE_SQL = `UPDATE customers SET name = $3, surname = $4, paternal_name = $5, phone_number = $6, kyc_level = $7,
    is_disabled = $8, balance_allowed = $9, balance_asset_code = $10, balance_asset_issuer = $11,
    branch_guid = $12, segment = $13, status = $14, version = $15, updated_at = $16
  WHERE guid = $1 AND counterparty_guid = $2`;

export function insertCustomerValues(customer: CustomerState): unknown[] {
  return [
    customer.guid, customer.counterparty_guid, customer.login, customer.name, customer.surname,
    customer.paternal_name, customer.phone_number, customer.kyc_level, customer.is_disabled,
    customer.balance_allowed.toString(), customer.balance_asset_code, customer.balance_asset_issuer,
    customer.branch_guid, customer.segment, customer.status, customer.version, customer.created_at,
  ];
}

export function insertAccountValues(customer: CustomerState, account: WalletAccount): unknown[] {
  return [
    account.guid, customer.guid, customer.counterparty_guid, account.iban, account.asset_code,
    account.asset_issuer, account.activated, account.registered, account.blocked, account.created_at,
    account.updated_at,
  ];
}

/** Customers and their wallet accounts in the write tables; always scoped by counterparty. */
@Injectable()
export class CustomerRepository {
  async insertNew(db: EntityManager, customer: CustomerState): Promise<void> {
    await translateConflicts(async () => {
      await queryPrepared(db, 'insert-customer', INSERT_CUSTOMER_SQL, insertCustomerValues(customer));
      for (const account of customer.accounts) await this.insertAccountRow(db, customer, account);
    });
  }

  /** Loads the customer with its accounts and locks its row until the transaction ends. */
  async lockForUpdate(db: EntityManager, counterpartyGuid: string, customerGuid: string): Promise<Customer | null> {
    const [row] = await queryPrepared<CustomerRow>(db, 'lock-customer', LOCK_CUSTOMER_SQL, [customerGuid, counterpartyGuid]);
    if (!row) return null;
    const accounts = await queryPrepared<WalletAccount>(db, 'select-accounts', SELECT_ACCOUNTS_SQL, [customerGuid]);
    return Customer.restore(toState(row, accounts));
  }

  async saveProfile(db: EntityManager, customer: CustomerState): Promise<void> {
    await queryPrepared(db, 'update-profile', UPDATE_PROFILE_SQL, [
      customer.guid, customer.counterparty_guid, customer.name, customer.surname, customer.paternal_name,
      customer.phone_number, customer.kyc_level, customer.is_disabled, customer.balance_allowed.toString(),
      customer.balance_asset_code, customer.balance_asset_issuer, customer.branch_guid, customer.segment,
      customer.status, customer.version, customer.updated_at,
    ]);
  }

  async addAccount(db: EntityManager, customer: CustomerState, account: WalletAccount): Promise<void> {
    await translateConflicts(() => this.insertAccountRow(db, customer, account));
    await db.query(`UPDATE customers SET version = $3, updated_at = $4 WHERE guid = $1 AND counterparty_guid = $2`, [
      customer.guid, customer.counterparty_guid, customer.version, customer.updated_at,
    ]);
  }

  private async insertAccountRow(db: EntityManager, customer: CustomerState, account: WalletAccount): Promise<void> {
    await queryPrepared(db, 'insert-account', INSERT_ACCOUNT_SQL, insertAccountValues(customer, account));
  }
}

async function translateConflicts<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, constraint } = driverErrorOf(error);
    const conflict = code === UNIQUE_VIOLATION ? CONFLICT_BY_CONSTRAINT[constraint ?? ''] : undefined;
    throw conflict ? conflict() : error;
  }
}

interface CustomerRow extends Omit<CustomerState, 'balance_allowed' | 'accounts' | 'segment'> {
  balance_allowed: string;
  segment: string | null;
}

function toState(row: CustomerRow, accounts: WalletAccount[]): CustomerState {
  return {
    ...row,
    segment: row.segment as Segment | null,
    balance_allowed: Money.fromDecimal(row.balance_allowed),
    accounts,
  };
}

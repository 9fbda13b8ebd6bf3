import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { BACKFILL_SNAPSHOTS } from '../../apps/customer-service/src/database/migrations/1765267200000-customer-snapshots';
import { ISSUER } from './app';

/** Real users' names: Cyrillic, Greek, accented. */
export const NAMES = [['Ёлка', 'Иванова', 'Петровна'], ['Ζωή', 'Παπαδοπούλου', null], ['Zoë', 'Müller-Lüdenscheidt', null], ['François', 'Ørsted', 'José']];

/**
 * Customers that predate the snapshot topic: `count` customers (one account each) written
 * straight into the write tables in one statement each, then the snapshot backfill of
 * migration 1765267200000 — what an upgrade does to an existing database.
 */
export async function insertLegacyCustomers(db: Client, count: number): Promise<void> {
  const counterparty = randomUUID();
  const rows = Array.from({ length: count }, (_, i) => {
    const [name, surname, paternal] = NAMES[i % NAMES.length];
    return { guid: randomUUID(), account: randomUUID(), name, surname, paternal, login: `legacy-${i}`, balance: i % 2 ? '899999999.1234567' : '0.5000000', at: new Date(Date.now() - (count - i) * 1000) };
  });
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
  await db.query(
    `INSERT INTO customers (guid, counterparty_guid, login, name, surname, paternal_name, kyc_level, balance_allowed, version, created_at, updated_at)
     SELECT guid, $1, login, name, surname, paternal, 1, balance, 3, at, at
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::timestamptz[]) AS r(guid, login, name, surname, paternal, balance, at)`,
    [counterparty, column('guid'), column('login'), column('name'), column('surname'), column('paternal'), column('balance'), column('at')],
  );
  await db.query(
    `INSERT INTO wallet_accounts (guid, customer_guid, counterparty_guid, asset_code, asset_issuer, created_at, updated_at)
     SELECT account, guid, $1, 'EURC', $2, at, at FROM unnest($3::uuid[], $4::uuid[], $5::timestamptz[]) AS r(account, guid, at)`,
    [counterparty, ISSUER, column('account'), column('guid'), column('at')],
  );
  await db.query(BACKFILL_SNAPSHOTS);
}

/** Table names of one side: the service's write tables, or a ledger's copy of them. */
export interface CustomerTables {
  customers: string;
  customerGuid: string;
  accounts: string;
  accountGuid: string;
}

export const WRITE_TABLES: CustomerTables = { customers: 'customers', customerGuid: 'guid', accounts: 'wallet_accounts', accountGuid: 'guid' };
export const LEDGER_TABLES: CustomerTables = {
  customers: 'ledger_customers', customerGuid: 'customer_guid', accounts: 'ledger_accounts', accountGuid: 'wallet_account_guid',
};

type Row = Record<string, unknown> & { customer_guid: string; created_at: Date; updated_at: Date };

/** Every customer with its accounts, in one comparable shape (money as numeric(16,7) text, instants as epoch ms). */
export async function customerState(db: Client, t: CustomerTables) {
  const { rows: customers } = await db.query<Row>(
    `SELECT ${t.customerGuid}::text AS customer_guid, counterparty_guid::text, login, name, surname, paternal_name, phone_number, kyc_level,
            is_disabled, balance_allowed::numeric(16,7)::text AS balance_allowed, balance_asset_code, balance_asset_issuer,
            branch_guid::text, segment, status, version, created_at, updated_at
       FROM ${t.customers} ORDER BY ${t.customerGuid}`,
  );
  const { rows: accounts } = await db.query<Row>(
    `SELECT ${t.accountGuid}::text AS wallet_account_guid, customer_guid::text, counterparty_guid::text, iban, asset_code, asset_issuer,
            activated, registered, blocked, type, created_at, updated_at
       FROM ${t.accounts} ORDER BY created_at, ${t.accountGuid}`,
  );
  const instants = <T extends { created_at: Date; updated_at: Date }>(row: T) => ({ ...row, created_at: row.created_at.getTime(), updated_at: row.updated_at.getTime() });
  const byCustomer = new Map<string, unknown[]>();
  for (const account of accounts) byCustomer.set(account.customer_guid, [...(byCustomer.get(account.customer_guid) ?? []), instants(account)]);
  return customers.map((customer) => ({ ...instants(customer), accounts: byCustomer.get(customer.customer_guid) ?? [] }));
}

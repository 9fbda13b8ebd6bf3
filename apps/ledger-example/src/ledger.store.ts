import { CustomerSnapshotV1, ExactNumbers, isNewer, MalformedMessageError } from '@app/contracts';
import { Pool, PoolClient } from 'pg';

/** One customer state to apply: from a snapshot record or from an event's `customer`. */
export interface CustomerState {
  source: 'snapshot' | 'event';
  /** `ce_id` of the message. */
  messageId: string;
  customer: CustomerSnapshotV1;
  exact: ExactNumbers;
}

/**
 * The ledger's own tables: customers and accounts as the service last described them, a
 * journal with one row per applied change (the "effect" a real ledger would post), and the
 * messages it refused. Each batch is one transaction; the version rule (`isNewer`) decides,
 * under a row lock, whether a state is applied, so replays and duplicates change nothing.
 */
export class LedgerStore {
  private constructor(private readonly pool: Pool) {}

  static async open(databaseUrl: string): Promise<LedgerStore> {
    const store = new LedgerStore(new Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5000 }));
    await store.pool.query(SCHEMA);
    return store;
  }

  async apply(states: readonly CustomerState[]): Promise<number> {
    return this.inTransaction(async (db) => {
      let applied = 0;
      for (const state of states) if (await applyOne(db, state)) applied++;
      return applied;
    });
  }

  async reject(where: { topic: string; partition: number; offset: string }, error: MalformedMessageError): Promise<void> {
    await this.pool.query(
      `INSERT INTO ledger_rejected (topic, partition, "offset", reason, problems) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [where.topic, where.partition, where.offset, error.reason, error.problems.join('; ')],
    );
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async inTransaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T> {
    const db = await this.pool.connect();
    try {
      await db.query('BEGIN');
      const result = await work(db);
      await db.query('COMMIT');
      return result;
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      db.release();
    }
  }
}

async function applyOne(db: PoolClient, { source, messageId, customer: c, exact }: CustomerState): Promise<boolean> {
  const held = await db.query<{ version: number }>('SELECT version FROM ledger_customers WHERE customer_guid = $1 FOR UPDATE', [c.customer_guid]);
  if (!isNewer(c.version, held.rows[0]?.version)) return false;
  await db.query(
    `INSERT INTO ledger_customers (customer_guid, counterparty_guid, login, name, surname, paternal_name, phone_number, kyc_level,
       is_disabled, balance_allowed, balance_asset_code, balance_asset_issuer, branch_guid, segment, status, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
     ON CONFLICT (customer_guid) DO UPDATE SET counterparty_guid = $2, login = $3, name = $4, surname = $5, paternal_name = $6,
       phone_number = $7, kyc_level = $8, is_disabled = $9, balance_allowed = $10, balance_asset_code = $11,
       balance_asset_issuer = $12, branch_guid = $13, segment = $14, status = $15, version = $16, created_at = $17, updated_at = $18`,
    [c.customer_guid, c.counterparty_guid, c.login, c.name, c.surname, c.paternal_name, c.phone_number, c.kyc_level, c.is_disabled,
      exact.balance_allowed, c.balance_asset_code, c.balance_asset_issuer, c.branch_guid, c.segment, c.status, c.version, c.created_at, c.updated_at],
  );
  for (const a of c.accounts) {
    await db.query(
      `INSERT INTO ledger_accounts (wallet_account_guid, customer_guid, counterparty_guid, iban, asset_code, asset_issuer, activated,
         registered, blocked, type, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (wallet_account_guid) DO UPDATE SET iban = $4, asset_code = $5, asset_issuer = $6, activated = $7, registered = $8,
         blocked = $9, type = $10, created_at = $11, updated_at = $12`,
      [a.wallet_account_guid, a.customer_guid, a.counterparty_guid, a.iban, a.asset_code, a.asset_issuer, a.activated, a.registered,
        a.blocked, a.type, a.created_at, a.updated_at],
    );
  }
  await db.query('INSERT INTO ledger_journal (customer_guid, version, source, message_id) VALUES ($1, $2, $3, $4)', [
    c.customer_guid, c.version, source, messageId,
  ]);
  return true;
}

/** Deliberately without a unique (customer, version) on the journal: a broken version rule must show as duplicates. */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ledger_customers (
    customer_guid uuid PRIMARY KEY, counterparty_guid uuid NOT NULL, login text, name text, surname text, paternal_name text,
    phone_number text, kyc_level integer NOT NULL, is_disabled boolean NOT NULL, balance_allowed numeric(16,7) NOT NULL,
    balance_asset_code text, balance_asset_issuer text, branch_guid uuid, segment text, status text, version integer NOT NULL,
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE IF NOT EXISTS ledger_accounts (
    wallet_account_guid uuid PRIMARY KEY, customer_guid uuid NOT NULL REFERENCES ledger_customers, counterparty_guid uuid NOT NULL,
    iban text, asset_code text NOT NULL, asset_issuer text NOT NULL, activated boolean NOT NULL, registered boolean NOT NULL,
    blocked boolean NOT NULL, type text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
  CREATE TABLE IF NOT EXISTS ledger_journal (
    id bigserial PRIMARY KEY, customer_guid uuid NOT NULL, version integer NOT NULL, source text NOT NULL, message_id uuid NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS ledger_rejected (
    topic text NOT NULL, partition integer NOT NULL, "offset" bigint NOT NULL, reason text NOT NULL, problems text NOT NULL,
    PRIMARY KEY (topic, partition, "offset"));`;

import { DataSource, QueryRunner } from 'typeorm';
import { changedRows, queryRows } from '../../database/query-rows';
import { ACCOUNT_COLUMNS, CUSTOMER_COLUMNS, NO_BRANCH } from '../../read-model/read-model.tables';

export interface RebuildOptions {
  /** Only this counterparty's customers; all when absent. */
  counterpartyGuid?: string;
  /** Customers copied per statement (progress is reported after each). */
  batchSize?: number;
  log?: (line: string) => void;
}

export interface RebuildReport {
  customers: number;
  inserted: number;
  updated: number;
  removed: number;
  accountsFixed: number;
  keptNewer: number;
  /** How long the merge held the read model against writers (the projector waited, reads went on). */
  mergeSeconds: number;
  seconds: number;
}

/**
 * The read model as the projector would derive it from the write tables: the customer columns
 * of `customers`, `accounts_total` from `wallet_accounts`, and the accounts themselves.
 * (The same snapshot the events carry, since the events are built from these rows.)
 */
export const DERIVED_CUSTOMERS = `
  SELECT c.guid AS customer_guid, c.counterparty_guid, c.login, c.name, c.surname, c.paternal_name, c.phone_number,
         c.kyc_level, c.is_disabled, c.balance_allowed, c.balance_asset_code, c.balance_asset_issuer, c.branch_guid,
         c.segment, c.status,
         (SELECT count(*) FROM wallet_accounts a WHERE a.customer_guid = c.guid)::int AS accounts_total,
         c.version, c.created_at, c.updated_at
    FROM customers c`;

export const DERIVED_ACCOUNTS = `
  SELECT a.guid AS wallet_account_guid, a.customer_guid, a.counterparty_guid, a.iban, a.asset_code, a.asset_issuer,
         a.activated, a.registered, a.blocked, a.type, a.created_at, a.updated_at
    FROM wallet_accounts a`;

const CUSTOMER_LIST = CUSTOMER_COLUMNS.join(', ');
const ACCOUNT_LIST = ACCOUNT_COLUMNS.join(', ');

/**
 * Rebuilds the read model from the write tables while the service keeps serving:
 *  1. copy the write tables, in one consistent snapshot (REPEATABLE READ), into session-private
 *     temporary tables, in batches by customer guid, reporting progress;
 *  2. in one short transaction, lock the live read-model tables against writers only (EXCLUSIVE
 *     mode: SELECTs go on; the projector waits) and merge: a copied customer replaces the live
 *     row when it is at least as new and differs in any column (accounts likewise); a live row
 *     newer than the copy (the projector applied an event during step 1) is kept; customers
 *     gone from the write tables are removed; the counts are recomputed.
 * The live tables are never emptied, so readers see the old or the new state, never a gap.
 */
export async function rebuildReadModel(dataSource: DataSource, options: RebuildOptions = {}): Promise<RebuildReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // A rebuild of a large read model runs longer than any request may: lift the pool's limits
    // for this one session.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SET idle_in_transaction_session_timeout = 0');
    const customers = await copyWriteTables(runner, options, log);
    log(`rebuild: copied ${customers} customers; merging into the read model`);
    const merging = Date.now();
    const merged = await merge(runner, options.counterpartyGuid);
    const report = { customers, ...merged, mergeSeconds: (Date.now() - merging) / 1000, seconds: (Date.now() - started) / 1000 };
    log(
      `rebuild: done in ${report.seconds.toFixed(1)} s (merge ${report.mergeSeconds.toFixed(1)} s) — ${report.inserted} inserted, ${report.updated} updated, ` +
        `${report.removed} removed, ${report.accountsFixed} account rows fixed, ${report.keptNewer} kept (projector was newer)`,
    );
    return report;
  } finally {
    await runner.query('DROP TABLE IF EXISTS rebuild_customers, rebuild_accounts, rebuild_winners').catch(() => undefined);
    await runner.release();
  }
}

async function copyWriteTables(runner: QueryRunner, options: RebuildOptions, log: (line: string) => void): Promise<number> {
  const batchSize = options.batchSize ?? 10_000;
  const scope = options.counterpartyGuid ? [options.counterpartyGuid] : [];
  const scoped = (alias: string) => (scope.length ? `AND ${alias}.counterparty_guid = $2` : '');
  await runner.query(`CREATE TEMP TABLE rebuild_customers (LIKE customer_list_view INCLUDING DEFAULTS)`);
  await runner.query(`ALTER TABLE rebuild_customers DROP COLUMN search_text`);
  await runner.query(`CREATE TEMP TABLE rebuild_accounts (LIKE account_view)`);
  await runner.startTransaction('REPEATABLE READ');
  try {
    const [{ total }] = await queryRows<{ total: number }>(
      runner,
      `SELECT count(*)::int AS total FROM customers ${scope.length ? 'WHERE counterparty_guid = $1' : ''}`,
      scope,
    );
    let after = '00000000-0000-0000-0000-000000000000';
    let copied = 0;
    for (;;) {
      // Keyset pages by guid: each statement is short, and progress can be shown.
      const rows = await queryRows<{ customer_guid: string }>(
        runner,
        `INSERT INTO rebuild_customers (${CUSTOMER_LIST})
         SELECT * FROM (${DERIVED_CUSTOMERS} WHERE c.guid > $1 ${scoped('c')} ORDER BY c.guid LIMIT ${Number(batchSize)}) d
         RETURNING customer_guid`,
        [after, ...scope],
      );
      if (rows.length === 0) break;
      const last = rows.reduce((max, row) => (row.customer_guid > max ? row.customer_guid : max), after);
      await runner.query(
        `INSERT INTO rebuild_accounts (${ACCOUNT_LIST}) ${DERIVED_ACCOUNTS}
          WHERE a.customer_guid > $1 AND a.customer_guid <= $2 ${scope.length ? 'AND a.counterparty_guid = $3' : ''}`,
        [after, last, ...scope],
      );
      after = last;
      copied += rows.length;
      log(`rebuild: copied ${copied}/${total} customers`);
    }
    await runner.commitTransaction();
    return copied;
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  }
}

async function merge(runner: QueryRunner, counterpartyGuid?: string) {
  await runner.query('CREATE INDEX ON rebuild_customers (customer_guid)');
  await runner.query('CREATE INDEX ON rebuild_accounts (customer_guid)');
  await runner.query('ANALYZE rebuild_customers, rebuild_accounts');
  const scope = counterpartyGuid ? [counterpartyGuid] : [];
  const live = (alias: string) => (scope.length ? `${alias}.counterparty_guid = $1` : 'true');
  await runner.startTransaction('READ COMMITTED');
  try {
    // Same table order as the projector (customer rows, accounts, counts): no deadlock with it.
    await runner.query('LOCK TABLE customer_list_view, account_view, customer_counts IN EXCLUSIVE MODE');
    const [{ kept }] = await queryRows<{ kept: number }>(
      runner,
      `SELECT count(*)::int AS kept FROM rebuild_customers r JOIN customer_list_view l USING (customer_guid) WHERE l.version > r.version`,
    );
    await runner.query(
      `CREATE TEMP TABLE rebuild_winners AS
         SELECT r.customer_guid FROM rebuild_customers r LEFT JOIN customer_list_view l USING (customer_guid)
          WHERE l.customer_guid IS NULL OR l.version <= r.version`,
    );
    // Set differences (EXCEPT compares NULLs as equal) find what differs with hash joins.
    const upserted = await queryRows<{ inserted: boolean }>(
      runner,
      `INSERT INTO customer_list_view (${CUSTOMER_LIST})
         SELECT ${CUSTOMER_LIST} FROM rebuild_customers JOIN rebuild_winners USING (customer_guid)
         EXCEPT SELECT ${CUSTOMER_LIST} FROM customer_list_view WHERE customer_guid IN (SELECT customer_guid FROM rebuild_winners)
       ON CONFLICT (customer_guid) DO UPDATE SET ${CUSTOMER_COLUMNS.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')},
         writer_xid = pg_current_xact_id()
       RETURNING (xmax = 0) AS inserted`,
    );
    const staleAccounts = await changedRows(
      runner,
      `DELETE FROM account_view WHERE wallet_account_guid IN (
         SELECT wallet_account_guid FROM (
           SELECT ${ACCOUNT_LIST} FROM account_view WHERE customer_guid IN (SELECT customer_guid FROM rebuild_winners)
           EXCEPT SELECT ${ACCOUNT_LIST} FROM rebuild_accounts) stale)
       RETURNING 1`,
    );
    const addedAccounts = await queryRows(
      runner,
      `INSERT INTO account_view (${ACCOUNT_LIST})
         SELECT ${ACCOUNT_LIST} FROM rebuild_accounts WHERE customer_guid IN (SELECT customer_guid FROM rebuild_winners)
         EXCEPT SELECT ${ACCOUNT_LIST} FROM account_view WHERE customer_guid IN (SELECT customer_guid FROM rebuild_winners)
       ON CONFLICT (wallet_account_guid) DO UPDATE SET ${ACCOUNT_COLUMNS.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
       RETURNING 1`,
    );
    // Customers gone from the write tables (never in practice: the write side deletes nothing).
    const orphanAccounts = await changedRows(
      runner,
      `DELETE FROM account_view l WHERE ${live('l')} AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.guid = l.customer_guid) RETURNING 1`,
      scope,
    );
    const removed = await changedRows(
      runner,
      `DELETE FROM customer_list_view l WHERE ${live('l')} AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.guid = l.customer_guid)
       RETURNING 1`,
      scope,
    );
    await recount(runner, scope);
    await runner.commitTransaction();
    const inserted = upserted.filter((row) => row.inserted).length;
    return {
      inserted,
      updated: upserted.length - inserted,
      removed: removed.length,
      accountsFixed: staleAccounts.length + orphanAccounts.length + addedAccounts.length,
      keptNewer: kept,
    };
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  }
}

/** The counts from the merged rows (a GROUP BY over the index; fast even at 10⁵ customers). */
async function recount(runner: QueryRunner, scope: string[]): Promise<void> {
  const where = scope.length ? 'WHERE counterparty_guid = $1' : '';
  await runner.query(`DELETE FROM customer_counts ${where}`, scope);
  await runner.query(
    `INSERT INTO customer_counts (counterparty_guid, branch_key, kyc_level, segment_key, enabled, disabled)
     SELECT counterparty_guid, coalesce(branch_guid, '${NO_BRANCH}'::uuid), kyc_level, coalesce(segment, ''),
            count(*) FILTER (WHERE NOT is_disabled), count(*) FILTER (WHERE is_disabled)
       FROM customer_list_view ${where} GROUP BY 1, 2, 3, 4`,
    scope,
  );
}

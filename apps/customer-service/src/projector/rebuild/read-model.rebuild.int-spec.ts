import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { withDb } from '@test/support/db';
import { migratedDataSource } from '@test/support/schema';
import { customerListSql } from '../../customers/queries/find-customers/customer-list.sql';
import { rebuildReadModel } from './read-model.rebuild';
import { REPO_ROOT } from '@test/support/repo-root';

/**
 * `npm test` rebuilds 5,000 customers; the 100,000 is the same test with
 * REBUILD_TEST_CUSTOMERS=100000 (see docs/read-model.md).
 */
const CUSTOMERS = Number(process.env.REBUILD_TEST_CUSTOMERS ?? 5000);

let dataSource: DataSource;
beforeAll(async () => {
  dataSource = await migratedDataSource();
});
afterAll(async () => {
  await dataSource?.destroy();
});

/** Customers straight into the write tables: varied fields, 1–2 accounts each. */
async function seedWriteTables(db: Client, counterparty: string, count: number): Promise<void> {
  await db.query(
    `INSERT INTO customers (guid, counterparty_guid, login, name, surname, paternal_name, phone_number, kyc_level, is_disabled,
       balance_allowed, balance_asset_code, balance_asset_issuer, branch_guid, segment, status, version, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'login-' || i, 'name-' || (i % 97), 'surname-' || (i % 89), CASE WHEN i % 3 = 0 THEN NULL ELSE 'p-' || (i % 7) END,
            '+1202555' || lpad((i % 10000)::text, 4, '0'), i % 5, i % 11 = 0, (i * 1.0000001)::numeric(16,7),
            CASE WHEN i % 2 = 0 THEN 'EURC' END, CASE WHEN i % 2 = 0 THEN 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7' END,
            CASE WHEN i % 4 = 0 THEN NULL ELSE md5('branch' || (i % 4))::uuid END, CASE WHEN i % 2 = 0 THEN 'PL' ELSE 'PI' END,
            'status-' || (i % 6), 1 + i % 3, timestamptz '2026-01-01' + i * interval '1 second', timestamptz '2026-02-01' + i * interval '1 second'
       FROM generate_series(1, $2) AS i`,
    [counterparty, count],
  );
  await db.query(
    `INSERT INTO wallet_accounts (guid, customer_guid, counterparty_guid, iban, asset_code, asset_issuer, created_at, updated_at)
     SELECT gen_random_uuid(), c.guid, c.counterparty_guid, NULL, 'EURC', 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7', c.created_at, c.created_at
       FROM customers c CROSS JOIN generate_series(1, 2) AS n
      WHERE c.counterparty_guid = $1 AND (n = 1 OR c.kyc_level > 2)`,
    [counterparty],
  );
}

const checksum = (counterparty: string) =>
  withDb(async (db) => (await db.query<{ customers: string | null; accounts: string | null; counts: string | null }>(
    // writer_xid says which transaction wrote a row last: a rebuild rewrites rows, it is not their content.
    `SELECT (SELECT md5(string_agg((to_jsonb(v) - 'writer_xid')::text, '|' ORDER BY v.customer_guid)) FROM customer_list_view v WHERE counterparty_guid = $1) AS customers,
            (SELECT md5(string_agg(a::text, '|' ORDER BY a.wallet_account_guid)) FROM account_view a WHERE counterparty_guid = $1) AS accounts,
            (SELECT string_agg(concat_ws(':', branch_key, kyc_level, segment_key, enabled, disabled), ',' ORDER BY branch_key, kyc_level, segment_key) FROM customer_counts
              WHERE counterparty_guid = $1 AND (enabled <> 0 OR disabled <> 0)) AS counts`,
    [counterparty],
  )).rows[0]);

describe(`read-model rebuild (${CUSTOMERS} customers)`, () => {
  it('rebuilds a damaged read model to exactly the state before, while reads keep answering', async () => {
    const counterparty = randomUUID();
    await withDb((db) => seedWriteTables(db, counterparty, CUSTOMERS));
    const first = await rebuildReadModel(dataSource, { counterpartyGuid: counterparty });
    process.stderr.write(`rebuild of ${CUSTOMERS} customers into an empty read model: ${first.seconds.toFixed(2)} s\n`);
    expect(first).toMatchObject({ customers: CUSTOMERS, inserted: CUSTOMERS, updated: 0, removed: 0 });
    const before = await checksum(counterparty);

    await withDb(async (db) => {
      await db.query(`DELETE FROM customer_list_view WHERE customer_guid IN (SELECT customer_guid FROM customer_list_view WHERE counterparty_guid = $1 LIMIT 10)`, [counterparty]);
      await db.query(`UPDATE customer_list_view SET name = 'damaged' WHERE customer_guid IN (SELECT customer_guid FROM customer_list_view WHERE counterparty_guid = $1 ORDER BY created_at LIMIT 10)`, [counterparty]);
      await db.query(`DELETE FROM account_view WHERE wallet_account_guid IN (SELECT wallet_account_guid FROM account_view WHERE counterparty_guid = $1 ORDER BY updated_at DESC LIMIT 5)`, [counterparty]);
      await db.query(
        `INSERT INTO customer_list_view (customer_guid, counterparty_guid, kyc_level, is_disabled, balance_allowed, accounts_total, version, created_at, updated_at)
         VALUES (gen_random_uuid(), $1, 0, false, 0, 0, 1, now(), now())`, [counterparty]);
      await db.query(`UPDATE customer_counts SET enabled = enabled + 7 WHERE counterparty_guid = $1`, [counterparty]);
    });
    expect(await checksum(counterparty)).not.toEqual(before);

    // Readers go on during the rebuild: list queries in a loop, each timed.
    let rebuilding = true;
    const latencies: number[] = [];
    const reader = (async () => {
      const sql = customerListSql({ counterpartyGuid: counterparty, branchGuid: null }, { is_disabled: true }, { offset: 0, limit: 50, ordering: 'name' });
      while (rebuilding) {
        const started = Date.now();
        const [rows, [{ total }]] = await Promise.all([dataSource.query<unknown[]>(sql.page.text, sql.page.values), dataSource.query<{ total: string }[]>(sql.total.text, sql.total.values)]);
        expect(rows).toHaveLength(50);
        expect(Number(total)).toBeGreaterThan(0);
        latencies.push(Date.now() - started);
      }
    })();
    const lines: string[] = [];
    let report;
    try {
      report = await rebuildReadModel(dataSource, { counterpartyGuid: counterparty, batchSize: 1000, log: (line) => lines.push(line) });
    } finally {
      rebuilding = false;
      await reader;
    }

    expect(await checksum(counterparty)).toEqual(before);
    expect(report).toMatchObject({ customers: CUSTOMERS, inserted: 10, updated: 10, removed: 1 });
    expect(report.accountsFixed).toBeGreaterThanOrEqual(5);
    expect(lines.some((line) => line.includes(`copied ${CUSTOMERS}/${CUSTOMERS} customers`))).toBe(true);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(2000);
    process.stderr.write(`rebuild of ${CUSTOMERS} customers: ${report.seconds.toFixed(2)} s (merge ${report.mergeSeconds.toFixed(2)} s); ${latencies.length} list reads during it, slowest ${Math.max(...latencies)} ms\n`);
  }, Math.max(60_000, CUSTOMERS * 10));
});

describe('npm run projection:rebuild', () => {
  it('rebuilds one counterparty from the command line, printing progress and a summary', async () => {
    const counterparty = randomUUID();
    await withDb((db) => seedWriteTables(db, counterparty, 30));
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'projection:rebuild', '--', '--counterparty', counterparty, '--batch-size', '10'],
      { cwd: REPO_ROOT, env: process.env },
    );
    expect(stdout).toContain('rebuild: copied 10/30 customers');
    expect(stdout).toContain('rebuild: copied 30/30 customers');
    expect(stdout).toMatch(/rebuild: done in [\d.]+ s \(merge [\d.]+ s\) — 30 inserted, 0 updated, 0 removed/);
    // Then the history, from the events topic (KAFKA_BROKERS and EVENTS_TOPIC of the test run).
    expect(stdout).toMatch(/history rebuild: done in [\d.]+ s — \d+ messages, 0 rows inserted, 0 repaired, 0 removed/);
    const rows = await dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM customer_list_view WHERE counterparty_guid = $1`, [counterparty]);
    expect(rows).toEqual([{ n: 30 }]);
  });
});

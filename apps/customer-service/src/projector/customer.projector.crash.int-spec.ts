import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { RunningApp, startApp } from '@test/support/app';
import { withDb } from '@test/support/db';
import { migratedDataSource } from '@test/support/schema';
import { createTopic, eventMessage, produce, TestCustomer, testAccount, testCustomer, testKafka } from '@test/support/events';
import { DERIVED_ACCOUNTS, DERIVED_CUSTOMERS } from './rebuild/read-model.rebuild';
import { ACCOUNT_COLUMNS, CUSTOMER_COLUMNS } from '../read-model/read-model.tables';
import { REPO_ROOT } from '@test/support/repo-root';

const CUSTOMERS = 300;

/** The customers' histories (v1 created, v2 updated, v3 account opened) and their final states. */
function histories(counterparty: string): TestCustomer[][] {
  return Array.from({ length: CUSTOMERS }, (_, i) => {
    const t = Date.parse('2026-01-01T00:00:00Z') + i * 1000;
    const v1 = testCustomer(counterparty, { login: `crash-${i}`, created_at: new Date(t).toISOString(), updated_at: new Date(t).toISOString() });
    const v2 = { ...v1, version: 2, name: `Name ${i}`, kyc_level: i % 4, balance_allowed: `${i}.0000001`, updated_at: new Date(t + 1).toISOString() };
    const opened = new Date(t + 2).toISOString();
    const v3 = { ...v2, version: 3, updated_at: opened, accounts: [...v2.accounts, testAccount(v1.customer_guid, counterparty, opened, { iban: null })] };
    return [v1, v2, v3];
  });
}

async function insertWriteRows(db: Client, customer: TestCustomer): Promise<void> {
  const c = customer;
  await db.query(
    `INSERT INTO customers (guid, counterparty_guid, login, name, surname, paternal_name, phone_number, kyc_level, is_disabled,
       balance_allowed, balance_asset_code, balance_asset_issuer, branch_guid, segment, status, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [c.customer_guid, c.counterparty_guid, c.login, c.name, c.surname, c.paternal_name, c.phone_number, c.kyc_level, c.is_disabled,
      c.balance_allowed, c.balance_asset_code, c.balance_asset_issuer, c.branch_guid, c.segment, c.status, c.version, c.created_at, c.updated_at],
  );
  for (const a of c.accounts) {
    await db.query(
      `INSERT INTO wallet_accounts (guid, customer_guid, counterparty_guid, iban, asset_code, asset_issuer, activated, registered, blocked, type, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [a.wallet_account_guid, a.customer_guid, a.counterparty_guid, a.iban, a.asset_code, a.asset_issuer, a.activated, a.registered, a.blocked, a.type, a.created_at, a.updated_at],
    );
  }
}

function startProjectorProcess(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'test/support/projector-process.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const processedCount = (counterparty: string) =>
  withDb(async (db) => (await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM processed_events p JOIN customer_list_view v USING (customer_guid) WHERE v.counterparty_guid = $1`,
    [counterparty],
  )).rows[0].n);

describe('projector killed with SIGKILL mid-batch', () => {
  let child: ChildProcess | undefined;
  let restarted: RunningApp | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    await restarted?.close();
  });

  it('resumes after a restart, absorbs the repeats, and ends equal to the write tables field by field', async () => {
    const counterparty = randomUUID();
    const topic = `projector-crash-${randomUUID()}`;
    const env = { EVENTS_TOPIC: topic, PROJECTOR_GROUP_ID: `projector-crash-${randomUUID()}`, PROJECTOR_SESSION_TIMEOUT_MS: '6000' };
    const kafka = testKafka();
    await createTopic(kafka, topic, 2);
    await (await migratedDataSource()).destroy();

    const all = histories(counterparty);
    await withDb(async (db) => {
      for (const [, , last] of all) await insertWriteRows(db, last);
    });
    // Per customer: v1, v2, v3, then a redelivery of v2 (same event id) and a late v1 (new id).
    const messages = all.flatMap(([v1, v2, v3]) => {
      const second = eventMessage(v2);
      return [eventMessage(v1), second, eventMessage(v3), second, eventMessage(v1)];
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await produce(producer, topic, messages);
    await producer.disconnect();
    const distinct = CUSTOMERS * 4;

    child = startProjectorProcess(env);
    const deadline = Date.now() + 30_000;
    let atKill = 0;
    while (Date.now() < deadline && (atKill = await processedCount(counterparty)) < distinct / 4) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
    expect(atKill).toBeGreaterThan(0);
    expect(await processedCount(counterparty)).toBeLessThan(distinct);

    restarted = await startApp({ ROLES: 'projector', ...env });
    const finished = Date.now() + 40_000;
    while (Date.now() < finished && (await processedCount(counterparty)) < distinct) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await processedCount(counterparty)).toBe(distinct);

    await withDb(async (db) => {
      const view = await db.query(
        `SELECT ${CUSTOMER_COLUMNS.join(', ')} FROM customer_list_view WHERE counterparty_guid = $1 ORDER BY customer_guid`, [counterparty]);
      const expected = await db.query(`SELECT * FROM (${DERIVED_CUSTOMERS}) d WHERE counterparty_guid = $1 ORDER BY customer_guid`, [counterparty]);
      expect(view.rows).toHaveLength(CUSTOMERS);
      expect(view.rows).toEqual(expected.rows);
      const accounts = await db.query(
        `SELECT ${ACCOUNT_COLUMNS.join(', ')} FROM account_view WHERE counterparty_guid = $1 ORDER BY wallet_account_guid`, [counterparty]);
      const expectedAccounts = await db.query(`SELECT * FROM (${DERIVED_ACCOUNTS}) d WHERE counterparty_guid = $1 ORDER BY wallet_account_guid`, [counterparty]);
      expect(accounts.rows).toHaveLength(CUSTOMERS * 2);
      expect(accounts.rows).toEqual(expectedAccounts.rows);
      const counts = await db.query(`SELECT sum(enabled)::int AS enabled, sum(disabled)::int AS disabled FROM customer_counts WHERE counterparty_guid = $1`, [counterparty]);
      expect(counts.rows).toEqual([{ enabled: CUSTOMERS, disabled: 0 }]);
    });
  });
});

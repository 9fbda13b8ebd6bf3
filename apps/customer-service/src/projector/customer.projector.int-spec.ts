import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { call, RunningApp, startApp } from '@test/support/app';
import { withDb } from '@test/support/db';
import { connectedProducer, eventMessage, produce, testAccount, testCustomer, testKafka } from '@test/support/events';
import { TopicProvisioner } from '../kafka/topic-provisioner';

/**
 * The projector role against the run's real Kafka and PostgreSQL, on a topic and consumer group
 * of its own (so app instances booted by other test files, which project the default topic
 * with the default group, never see these messages).
 */
const kafka = testKafka();
const topic = `projector-int-${randomUUID()}`;
let producer: Producer;
let projector: RunningApp;

beforeAll(async () => {
  projector = await startApp({ ROLES: 'projector', EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '3', PROJECTOR_GROUP_ID: `projector-int-${randomUUID()}` });
  await projector.app.get(TopicProvisioner).whenReady();
  producer = await connectedProducer(kafka);
});
afterAll(async () => {
  await projector?.close();
  await producer?.disconnect();
});

/**
 * Polls `read` until `done` holds, and fails if it does not within `timeoutMs`. (It used to
 * return the last value at the deadline, so on a busy machine a test went on before the
 * projector had got to its messages and failed later, misleadingly: issue 15 saw "the good
 * row without its three error rows". The projector commits a chunk's error records in the
 * same transaction as its effects, so that order cannot happen.)
 */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`the projector did not get there within ${timeoutMs} ms (last read: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const viewOf = (guid: string) =>
  withDb(async (db) => (await db.query<{ version: number; [column: string]: unknown }>(`SELECT *, balance_allowed::text AS balance_allowed FROM customer_list_view WHERE customer_guid = $1`, [guid])).rows[0]);
const processedOf = (guid: string) =>
  withDb(async (db) => (await db.query<{ event_id: string }>(`SELECT event_id FROM processed_events WHERE customer_guid = $1`, [guid])).rows.map((r) => r.event_id));
const countsOf = (counterparty: string) =>
  withDb(async (db) => (await db.query<{ branch_key: string; enabled: number; disabled: number }>(
    `SELECT branch_key, sum(enabled)::int AS enabled, sum(disabled)::int AS disabled FROM customer_counts WHERE counterparty_guid = $1
      GROUP BY branch_key HAVING sum(enabled) <> 0 OR sum(disabled) <> 0 ORDER BY branch_key`,
    [counterparty],
  )).rows);

describe('customer projector', () => {
  it('applies a snapshot with exact money and its accounts, and absorbs a duplicate', async () => {
    const counterparty = randomUUID();
    const customer = testCustomer(counterparty, { login: 'Exact', balance_allowed: '899999999.9999999', kyc_level: 3 });
    const created = eventMessage(customer);
    await produce(producer, topic, [created, created]);
    const view = await until(() => viewOf(customer.customer_guid), Boolean);
    expect(view).toMatchObject({ login: 'Exact', balance_allowed: '899999999.9999999', kyc_level: 3, version: 1, accounts_total: 1 });
    const marker = testCustomer(counterparty);
    await produce(producer, topic, [{ ...eventMessage(marker), key: customer.customer_guid }]);
    await until(() => viewOf(marker.customer_guid), Boolean);
    expect(await processedOf(customer.customer_guid)).toEqual([created.headers.ce_id]);
    const accounts = await withDb(async (db) => (await db.query<{ wallet_account_guid: string }>(`SELECT wallet_account_guid FROM account_view WHERE customer_guid = $1`, [customer.customer_guid])).rows);
    expect(accounts).toEqual([{ wallet_account_guid: customer.accounts[0].wallet_account_guid }]);
  });

  it('ignores an older event arriving after a newer one (version guard)', async () => {
    const counterparty = randomUUID();
    const v1 = testCustomer(counterparty, { name: 'First' });
    const at = new Date(Date.now() + 1000).toISOString();
    const v2 = { ...v1, name: 'Second', version: 2, updated_at: at, accounts: [...v1.accounts, testAccount(v1.customer_guid, counterparty, at)] };
    const older = eventMessage(v1);
    await produce(producer, topic, [eventMessage(v2), older]);
    const processed = await until(() => processedOf(v1.customer_guid), (ids) => ids.length === 2);
    expect(processed).toContain(older.headers.ce_id);
    expect(await viewOf(v1.customer_guid)).toMatchObject({ name: 'Second', version: 2, accounts_total: 2 });
  });

  it('keeps per-branch enabled/disabled counts through creates, disables and branch moves', async () => {
    const counterparty = randomUUID();
    const branch = randomUUID();
    const a = testCustomer(counterparty, { branch_guid: branch });
    const b = testCustomer(counterparty);
    const bDisabled = { ...b, is_disabled: true, version: 2 };
    const aMoved = { ...a, branch_guid: null, version: 2 };
    await produce(producer, topic, [eventMessage(a), eventMessage(b), eventMessage(bDisabled), eventMessage(aMoved)]);
    await until(() => viewOf(a.customer_guid), (row) => row?.version === 2);
    await until(() => viewOf(b.customer_guid), (row) => row?.version === 2);
    const nil = '00000000-0000-0000-0000-000000000000';
    expect(await countsOf(counterparty)).toEqual([{ branch_key: nil, enabled: 1, disabled: 1 }]);
  });

  it('records a malformed message (bad JSON, missing field, wrong type) with its position, and moves on', async () => {
    const counterparty = randomUUID();
    const good = testCustomer(counterparty, { login: 'after-the-bad-ones' });
    const key = good.customer_guid;
    const missing = JSON.parse(eventMessage(testCustomer(counterparty)).value) as { customer: Record<string, unknown> };
    delete missing.customer.login;
    const wrongType = JSON.parse(eventMessage(testCustomer(counterparty, { login: 'secret-login@example.com' })).value) as { customer: Record<string, unknown> };
    wrongType.customer.kyc_level = 'three';
    await produce(producer, topic, [
      { key, value: '{"event_id": "not json' },
      { key, value: JSON.stringify(missing) },
      { key, value: JSON.stringify(wrongType) },
      eventMessage(good),
    ]);
    await until(() => viewOf(good.customer_guid), Boolean);
    const errors = await withDb(async (db) => (await db.query<{ partition: number; offset: number; reason: string }>(
      `SELECT partition, "offset"::int AS offset, reason FROM projection_errors WHERE topic = $1 ORDER BY "offset"`, [topic],
    )).rows);
    const reasons = errors.map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['value is not valid JSON', "/customer must have required property 'login'", '/customer/kyc_level must be integer']));
    expect(reasons.join(' ')).not.toContain('secret-login');
    // One key, so one partition, three consecutive offsets (this topic is this file's alone).
    expect(errors).toHaveLength(3);
    expect(new Set(errors.map((e) => e.partition)).size).toBe(1);
    expect(errors.map((e) => e.offset - errors[0].offset)).toEqual([0, 1, 2]);
  });

  it("never moves a customer into another tenant's read model: an event naming another counterparty is refused and recorded", async () => {
    const [owner, intruder] = [randomUUID(), randomUUID()];
    const customer = testCustomer(owner, { name: 'Owned' });
    const foreign = (version: number) => ({ ...customer, counterparty_guid: intruder, name: 'Moved', version, accounts: customer.accounts.map((a) => ({ ...a, counterparty_guid: intruder })) });
    // In the chunk that creates the customer, and in a later one, against the stored row.
    await produce(producer, topic, [eventMessage(customer), eventMessage(foreign(2))]);
    await until(() => viewOf(customer.customer_guid), Boolean);
    await produce(producer, topic, [eventMessage(foreign(3))]);
    const errors = await until(
      () => withDb(async (db) => (await db.query<{ reason: string }>(`SELECT reason FROM projection_errors WHERE topic = $1 AND reason LIKE 'counterparty%'`, [topic])).rows),
      (rows) => rows.length === 2,
    );
    expect(errors).toHaveLength(2);
    expect(await viewOf(customer.customer_guid)).toMatchObject({ counterparty_guid: owner, name: 'Owned', version: 1 });
    const moved = await withDb(async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM account_view WHERE counterparty_guid = $1`, [intruder])).rows[0].n);
    expect(moved).toBe(0);
    expect(await countsOf(intruder)).toEqual([]);
  });

  it('measures projection lag and exposes it at the management listener\'s /metrics', async () => {
    const customer = testCustomer(randomUUID());
    await produce(producer, topic, [eventMessage(customer, randomUUID(), new Date(Date.now() - 2000).toISOString())]);
    await until(() => viewOf(customer.customer_guid), Boolean);
    const metrics = await call('GET', `${projector.management}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/customer_projection_lag_seconds_count \d+/);
    expect(metrics.text).toMatch(/customer_projection_messages_total\{outcome="applied"\} \d+/);
    expect(metrics.text).toMatch(/customer_projection_messages_total\{outcome="malformed"\} \d+/);
  });
});

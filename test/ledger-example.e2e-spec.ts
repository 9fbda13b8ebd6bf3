import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { customerState, insertLegacyCustomers, LEDGER_TABLES, NAMES, WRITE_TABLES } from './support/customer-tables';
import { readWholeTopic, testKafka } from './support/kafka';
import { unpublishedCount, waitFor } from './support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { ServiceProcess, startServiceProcess } from './support/service-process';

// apps/ledger-example, the reference ledger built on the consumer kit alone, against the real
// service, broker and PostgreSQL: it starts late (5,000 customers exist, the events topic's
// oldest records are gone), is killed -9 mid-stream, and is fed duplicates. Each time its
// tables must converge to exactly the write tables, with no change applied twice.
const EXISTING = 5000;
const TIMEOUT_MS = 240_000;

let scratch: ScratchDatabase;
let ledgerScratch: ScratchDatabase;
let service: RunningApp;
let db: Client;
let ledgerDb: Client;
let ledger: ServiceProcess | undefined;
let customersUrl: string;
const customerUrls: string[] = [];
const topic = `ledger-e2e.events.${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  [scratch, ledgerScratch] = await Promise.all([createScratchDatabase('ledger_service'), createScratchDatabase('ledger_example')]);
  db = new Client({ connectionString: scratch.url });
  ledgerDb = new Client({ connectionString: ledgerScratch.url });
  await Promise.all([db.connect(), ledgerDb.connect()]);
  await insertLegacyCustomers(db, EXISTING);
  service = await startApp({ ROLES: 'api,relay', DATABASE_URL: scratch.url, EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '3', RATE_LIMIT_PER_MINUTE: '100000' });
  customersUrl = `${service.api}/counterparty/${newCounterparty()}/customers`;
}, 180_000);
afterAll(async () => {
  ledger?.kill('SIGKILL');
  await service?.close();
  await Promise.all([db?.end(), ledgerDb?.end()]);
  await Promise.all([scratch?.drop(), ledgerScratch?.drop()]);
}, 60_000);

function startLedger(): ServiceProcess {
  return startServiceProcess({ LEDGER_DATABASE_URL: ledgerScratch.url, LEDGER_GROUP_ID: `ledger-${topic}`, EVENTS_TOPIC: topic, SNAPSHOTS_TOPIC: topic.replace('.events.', '.snapshots.') }, 'apps/ledger-example/src/main.ts');
}

/** `count` new customers, each created then updated twice, by four writers at a time. */
async function createCustomers(count: number): Promise<void> {
  const first = customerUrls.length;
  await inParallel(count, async (i) => {
    const [name, surname] = NAMES[(first + i) % NAMES.length];
    const created = await call<CreatedCustomerResponse>('POST', customersUrl, { asset_code: 'EURC', asset_issuer: ISSUER, login: `ledger-${first + i}`, name, surname });
    expect(created.status).toBe(200);
    customerUrls.push(`${customersUrl}/${created.json.customer_guid}`);
    await updateCustomer(customerUrls.at(-1)!, 2);
  });
}

/** Each update raises the customer's kyc level (counted here: this service runs no projector to GET from). */
const kycLevels = new Map<string, number>();
async function updateCustomer(url: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const level = (kycLevels.get(url) ?? 0) + 1;
    kycLevels.set(url, level);
    const reply = await call('PUT', url, `{"kyc_level": ${level}, "balance_allowed": 89999999${i}.123456${i}}`);
    expect(reply.status).toBe(200);
  }
}

async function inParallel(count: number, work: (index: number) => Promise<void>, writers = 4): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: writers }, async () => {
    for (let i = next++; i < count; i = next++) await work(i);
  }));
}

/** The ledger's tables equal the write tables, every field of every customer and account. */
async function waitForConvergence(): Promise<void> {
  await waitFor('the relay to publish everything', async () => (await unpublishedCount(db)) === 0, TIMEOUT_MS);
  const expected = await customerState(db, WRITE_TABLES);
  await waitFor('the ledger to converge', async () => JSON.stringify(await customerState(ledgerDb, LEDGER_TABLES)) === JSON.stringify(expected), TIMEOUT_MS);
  expect(await customerState(ledgerDb, LEDGER_TABLES)).toEqual(expected);
}

/** Changes applied more than once (the journal has no unique key on purpose). */
async function doubleEffects(): Promise<unknown[]> {
  const { rows } = await ledgerDb.query<{ customer_guid: string; version: number; n: number }>(`SELECT customer_guid, version, count(*)::int AS n FROM ledger_journal GROUP BY 1, 2 HAVING count(*) > 1`);
  return rows;
}

const journalSize = async () => (await ledgerDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_journal`)).rows[0].n;

it(
  'starts after 5,000 customers exist and the events topic lost its oldest records, and converges exactly',
  async () => {
    await createCustomers(40);
    await waitFor('the relay to publish everything', async () => (await unpublishedCount(db)) === 0, TIMEOUT_MS);
    // What retention does: every event so far is gone.
    const admin = testKafka().admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic); // also loads the metadata deleteTopicRecords needs
    await admin.deleteTopicRecords({ topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.every(({ low, high }) => low === high && Number(high) > 0)).toBe(true);

    ledger = startLedger();
    await createCustomers(40); // while it bootstraps
    await ledger.waitForLog(/bootstrapped from (\d+) snapshots/, TIMEOUT_MS);
    expect(Number(/bootstrapped from (\d+) snapshots/.exec(ledger.output())![1])).toBeGreaterThanOrEqual(EXISTING + 40);
    await waitForConvergence();
    expect(await doubleEffects()).toEqual([]);
  },
  TIMEOUT_MS * 3,
);

it(
  'is killed -9 mid-stream, restarts, and converges with no change applied twice',
  async () => {
    const before = await journalSize();
    const writes = inParallel(customerUrls.length, (i) => updateCustomer(customerUrls[i], 3));
    await waitFor('the ledger to apply some of the stream', async () => (await journalSize()) >= before + 20, TIMEOUT_MS);
    ledger!.kill('SIGKILL');
    await ledger!.exited;
    ledger = startLedger();
    await writes;
    await waitForConvergence();
    expect(await doubleEffects()).toEqual([]);
    expect(ledger.output()).not.toMatch(/bootstrapping/); // it continued from its committed offsets
  },
  TIMEOUT_MS * 3,
);

it(
  'ignores duplicates injected into the events topic, and records a malformed message instead of applying it',
  async () => {
    const retained = await readWholeTopic(topic);
    expect(retained.length).toBeGreaterThan(100);
    const before = await journalSize();
    const producer = testKafka().producer();
    await producer.connect();
    const [sample] = retained;
    await producer.send({
      topic,
      messages: [
        ...retained.map(({ key, value, headers }) => ({ key, value, headers })),
        { key: sample.key, value: '{"event_id":', headers: sample.headers },
      ],
    });
    await producer.disconnect();
    await updateCustomer(customerUrls[0], 1); // one real change after the copies
    await waitForConvergence();
    expect(await doubleEffects()).toEqual([]);
    expect(await journalSize()).toBe(before + 1);
    const { rows } = await ledgerDb.query(`SELECT reason FROM ledger_rejected WHERE topic = $1`, [topic]);
    expect(rows).toEqual([{ reason: 'INVALID_JSON' }]);
  },
  TIMEOUT_MS * 2,
);

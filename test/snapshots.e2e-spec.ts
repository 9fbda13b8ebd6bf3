import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { decodeCustomerSnapshot, DecodedSnapshot } from '@app/contracts';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { DedicatedKafka, startDedicatedKafka } from './support/dedicated-kafka';
import { customerState, insertLegacyCustomers, NAMES, WRITE_TABLES } from './support/customer-tables';
import { checkDelivery, outboxEntries } from './support/delivery-check';
import { ConsumedMessage, readWholeTopic } from './support/kafka';
import { unpublishedCount, waitFor } from './support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { ServiceProcess, startServiceProcess } from './support/service-process';

// customer.snapshots.v1 (ADR 8) against the faults the events topic survives: the relay is a
// process of its own, killed -9 twice mid-stream, and the broker (this file's own) is stopped
// for a while, all under writes. Afterwards the snapshot topic is read whole: versions per key
// never go backwards, and the latest record of every key equals the write tables.
const LEGACY = 30;
const CUSTOMERS = 60;
const UPDATES = 4;
const WRITERS = 6;
const BATCH = 25;
const TIMEOUT_MS = 240_000;

let kafka: DedicatedKafka;
let scratch: ScratchDatabase;
let api: RunningApp;
let db: Client;
let relay: ServiceProcess | undefined;
const topic = `snapshots-e2e.events.${randomBytes(6).toString('hex')}`;
const snapshotsTopic = topic.replace('.events.', '.snapshots.');

beforeAll(async () => {
  [kafka, scratch] = await Promise.all([startDedicatedKafka(), createScratchDatabase('snapshots_e2e')]);
  db = new Client({ connectionString: scratch.url });
  await db.connect();
  await insertLegacyCustomers(db, LEGACY);
  api = await startApp({ ROLES: 'api', DATABASE_URL: scratch.url, KAFKA_BROKERS: kafka.brokers, EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '4', RATE_LIMIT_PER_MINUTE: '100000' });
  relay = startRelay();
}, 120_000);
afterAll(async () => {
  relay?.kill('SIGKILL');
  await api?.close();
  await db?.end();
  await scratch?.drop();
  await kafka?.stop();
}, 60_000);

function startRelay(): ServiceProcess {
  return startServiceProcess({
    ROLES: 'relay', DATABASE_URL: scratch.url, KAFKA_BROKERS: kafka.brokers, EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '4',
    OUTBOX_BATCH_SIZE: String(BATCH), OUTBOX_POLL_INTERVAL_MS: '200',
  });
}

/** One customer's life through the API: created, updated, a second account. */
async function customerWrites(customersUrl: string, index: number): Promise<number[]> {
  const [name, surname] = NAMES[index % NAMES.length];
  const created = await call<CreatedCustomerResponse>('POST', customersUrl, { asset_code: 'EURC', asset_issuer: ISSUER, login: `snap-${index}`, name, surname });
  const statuses = [created.status];
  const url = `${customersUrl}/${created.json.customer_guid}`;
  for (let level = 1; created.status === 200 && level <= UPDATES; level++) {
    // Money as a bare JSON number with 16 significant digits: a double would not keep it.
    statuses.push((await call('PUT', url, `{"kyc_level": ${level}, "balance_allowed": ${level}00000000.000000${level}}`)).status);
  }
  if (created.status === 200) statuses.push((await call('POST', `${url}/accounts`, { asset_code: 'USDC', asset_issuer: ISSUER })).status);
  return statuses;
}

it(
  'keeps, per customer, versions that never go backwards and a latest snapshot equal to the write tables, through relay kill -9 and a broker stop',
  async () => {
    const customersUrl = `${api.api}/counterparty/${newCounterparty()}/customers`;
    // A few writers at a time (the API's command pool is small; a queue longer than its wait answers 503).
    let next = 0;
    const writer = async (statuses: number[] = []): Promise<number[]> => {
      for (let i = next++; i < CUSTOMERS; i = next++) statuses.push(...(await customerWrites(customersUrl, i)));
      return statuses;
    };
    const writes = Promise.all(Array.from({ length: WRITERS }, () => writer()));

    // Faults while the writes go on: each waits for the relay to have published something first.
    const published = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NOT NULL`)).rows[0].n;
    for (let kill = 1; kill <= 2; kill++) {
      const before = await published();
      await waitFor('the relay to publish a batch', async () => (await published()) > before, TIMEOUT_MS);
      relay!.kill('SIGKILL');
      await relay!.exited;
      relay = startRelay();
    }
    process.kill(kafka.pid, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 5000)); // the outage itself is the point: a duration, not a wait for a condition
    process.kill(kafka.pid, 'SIGCONT');

    const statuses = (await writes).flat();
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await waitFor('the relay to publish everything', async () => (await unpublishedCount(db)) === 0, TIMEOUT_MS);

    const [records, events] = [await readWholeTopic(snapshotsTopic, { brokers: kafka.brokers }), await readWholeTopic(topic, { brokers: kafka.brokers })];
    const decoded = records.map((record) => ({ record, ...decodeCustomerSnapshot(asMessage(record)) }));

    // Never backwards per key, and each key on one partition: the one its events use.
    const eventPartition = new Map(events.map((event) => [event.key, event.partition]));
    const versions = new Map<string, number[]>();
    for (const { record, snapshot } of decoded) {
      versions.set(record.key, [...(versions.get(record.key) ?? []), snapshot.version]);
      if (eventPartition.has(record.key)) expect(record.partition).toBe(eventPartition.get(record.key));
    }
    const backwards = [...versions].filter(([, list]) => list.some((version, i) => i > 0 && version < list[i - 1]));
    expect(backwards).toEqual([]);

    // The latest record of every key equals the write tables, every field of every customer.
    const latest = new Map(decoded.map((item) => [item.record.key, item]));
    const expected = await customerState(db, WRITE_TABLES);
    expect(expected).toHaveLength(LEGACY + CUSTOMERS);
    expect([...latest.keys()].sort()).toEqual(expected.map((customer) => customer.customer_guid).sort());
    for (const customer of expected) expect(comparable(latest.get(customer.customer_guid)!)).toEqual(customer);

    // And the events topic lost and reordered nothing meanwhile.
    const report = checkDelivery((await outboxEntries(db)).filter((entry) => entry.version !== null), events);
    expect({ lost: report.lost, unexpected: report.unexpected, outOfOrder: report.outOfOrder, misrouted: report.misrouted }).toEqual({
      lost: [], unexpected: [], outOfOrder: [], misrouted: [],
    });
  },
  TIMEOUT_MS + 120_000,
);

function asMessage(record: ConsumedMessage) {
  return { key: record.key, value: record.value, headers: record.headers };
}

/** A snapshot in the shape the write tables are read in below: exact money, instants as epoch ms. */
function comparable({ snapshot, exact }: DecodedSnapshot) {
  const { accounts, balance_allowed: _money, created_at, updated_at, ...fields } = snapshot;
  return {
    ...fields,
    balance_allowed: scale7(exact.balance_allowed),
    created_at: Date.parse(created_at),
    updated_at: Date.parse(updated_at),
    accounts: accounts.map((account) => ({ ...account, created_at: Date.parse(account.created_at), updated_at: Date.parse(account.updated_at) })),
  };
}

/** Exact decimal text with 7 fraction digits, as PostgreSQL prints numeric(16,7). */
function scale7(text: string): string {
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(7, '0')}`;
}

import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { Client } from 'pg';
import { checkDelivery, outboxEntries } from '@test/support/delivery-check';
import { deleteTopic, readWholeTopic, testKafka } from '@test/support/kafka';
import { waitFor } from '@test/support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from '@test/support/scratch-database';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { RelayMetrics } from './relay.metrics';

// Poison events (issue 15, item 4): topics whose max.message.bytes is small, one customer
// whose second event exceeds it, many others. The relay must park that event, hold back the
// same customer's later events, publish everyone else's, and publish the parked event and the
// ones behind it, in order, once the limit is raised and the documented SQL un-parks it.
const LIMIT_BYTES = 50_000;
const POISON_BYTES = 80_000;
const events = `relay-poison.${randomUUID()}`;
const snapshots = `${events}.snapshots`;
let scratch: ScratchDatabase;
let db: Client;
let relay: INestApplicationContext | undefined;

async function setTopicLimit(bytes: number): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [events, snapshots].map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configEntries: [{ name: 'max.message.bytes', value: String(bytes) }] })),
    });
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  scratch = await createScratchDatabase('relay_poison');
  db = new Client({ connectionString: scratch.url });
  await db.connect();
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const limit = { name: 'max.message.bytes', value: String(LIMIT_BYTES) };
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: events, numPartitions: 3, configEntries: [limit] },
        { topic: snapshots, numPartitions: 3, configEntries: [limit, { name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
  } finally {
    await admin.disconnect();
  }
});
afterAll(async () => {
  await relay?.close();
  await db?.end();
  await scratch?.drop();
  await Promise.all([events, snapshots].map((topic) => deleteTopic(topic)));
});

/** Appends one event of each customer (the next version), in one transaction; `filler` bytes make one large (its snapshot too, as in real events). */
async function append(customers: ReadonlyMap<string, number>, fillerBytes = new Map<string, number>()): Promise<void> {
  const params: unknown[] = [];
  const values = [...customers].map(([customer, version]) => {
    const id = randomUUID();
    const snapshot = { customer_guid: customer, version, note: 'x'.repeat(fillerBytes.get(customer) ?? 0) };
    params.push(id, customer, JSON.stringify({ event_id: id, type: 'customer.updated.v1', customer_guid: customer, version, occurred_at: new Date().toISOString(), customer: snapshot }));
    return `($${params.length - 2}, 'customer', $${params.length - 1}, 'customer.updated.v1', $${params.length}::jsonb)`;
  });
  await db.query(`INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES ${values.join(', ')}`, params);
}

const versionsOf = (customers: readonly string[], version: number) => new Map(customers.map((customer) => [customer, version]));

async function stateOf(customer: string) {
  const { rows } = await db.query<{ version: number; published: boolean; parked: boolean; parked_reason: string | null }>(
    `SELECT (payload->>'version')::int AS version, published_at IS NOT NULL AS published, parked_at IS NOT NULL AS parked, parked_reason
       FROM outbox WHERE aggregateid = $1 ORDER BY seq`,
    [customer],
  );
  return rows;
}

const unpublishedOthers = async (poison: string) =>
  (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND aggregateid <> $1', [poison])).rows[0].n;

const gauge = async (metrics: RelayMetrics, which: 'parkedNow' | 'heldNow') => (await metrics[which].get()).values[0]?.value;

it('parks an event the broker refuses, holds back that customer, publishes everyone else, and replays in order after the limit is raised', async () => {
  const poison = randomUUID();
  const others = Array.from({ length: 150 }, () => randomUUID());
  // v1 of everyone; then v2 of everyone, the poison customer's too large; then v3 of the poison customer.
  await append(versionsOf([poison, ...others], 1));
  await append(versionsOf([...others.slice(0, 75), poison, ...others.slice(75)], 2), new Map([[poison, POISON_BYTES]]));
  await append(versionsOf([poison], 3));

  const config = loadConfig({
    ...process.env, ROLES: 'relay', LOG_LEVEL: 'silent', DATABASE_URL: scratch.url, EVENTS_TOPIC: events, SNAPSHOTS_TOPIC: snapshots, OUTBOX_POLL_INTERVAL_MS: '200',
  });
  relay = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  await relay.init();
  const metrics = relay.get(RelayMetrics);

  await waitFor('every other customer\'s events', async () => (await unpublishedOthers(poison)) === 0, 60_000);
  await waitFor('the parked gauges', async () => (await gauge(metrics, 'parkedNow')) === 1 && (await gauge(metrics, 'heldNow')) === 1, 30_000);
  let rows = await stateOf(poison);
  expect(rows.map(({ version, published, parked }) => ({ version, published, parked }))).toEqual([
    { version: 1, published: true, parked: false },
    { version: 2, published: false, parked: true },
    { version: 3, published: false, parked: false },
  ]);
  expect(rows[1].parked_reason).toMatch(/^MESSAGE_TOO_LARGE: /);
  expect(rows[1].parked_reason).not.toContain('xxxx'); // the reason carries no payload value
  expect((await metrics.parked.get()).values[0].value).toBe(1);

  // Later writes: everyone else's flow, the poison customer's wait behind its parked event.
  await append(versionsOf([poison, ...others], 3).set(poison, 4));
  await waitFor('the others\' third events', async () => (await unpublishedOthers(poison)) === 0, 30_000);
  expect((await stateOf(poison)).filter((row) => row.published).map((row) => row.version)).toEqual([1]);

  // The replay of docs/failure-modes.md: raise the topic's limit, then un-park.
  await setTopicLimit(1_048_588);
  await db.query(`UPDATE outbox SET parked_at = NULL, parked_reason = NULL WHERE aggregateid = $1 AND parked_at IS NOT NULL AND published_at IS NULL`, [poison]);
  await waitFor('the poison customer\'s events', async () => (await stateOf(poison)).every((row) => row.published), 30_000);
  await waitFor('the parked gauges back to 0', async () => (await gauge(metrics, 'parkedNow')) === 0 && (await gauge(metrics, 'heldNow')) === 0, 30_000);

  const report = checkDelivery(await outboxEntries(db), await readWholeTopic(events));
  expect(report).toMatchObject({ lost: [], unexpected: [], outOfOrder: [], misrouted: [] });
  const snapshot = (await readWholeTopic(snapshots)).filter((message) => message.key === poison).at(-1);
  expect(JSON.parse(snapshot!.value)).toMatchObject({ customer_guid: poison, version: 4 });
  rows = await stateOf(poison);
  expect(rows.map((row) => row.version)).toEqual([1, 2, 3, 4]);
}, 180_000);

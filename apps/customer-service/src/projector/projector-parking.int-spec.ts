import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { call, RunningApp, startApp } from '@test/support/app';
import { withDb } from '@test/support/db';
import { connectedProducer, eventMessage, produce, testAccount, testCustomer, testKafka } from '@test/support/events';
import { waitFor } from '@test/support/outbox-rows';
import { TopicProvisioner } from '../kafka/topic-provisioner';

// Poison events in the projector (issue 15, item 4; ADR 10): a well-formed event the read model
// refuses (it claims another customer's wallet account: account_view's primary key) is parked
// with its position and reason; the same customer's later event waits behind it; another
// customer's event in the same partition is applied. The documented replay (stop the
// projectors, delete the parked rows, reset the group's offset to the first parked one, start
// again) applies them in order once the cause is gone.
const kafka = testKafka();
const topic = `projector-parking-${randomUUID()}`;
const groupId = `projector-parking-${randomUUID()}`;
const env = { ROLES: 'projector', EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '3', PROJECTOR_GROUP_ID: groupId };
let producer: Producer;
let projector: RunningApp | undefined;

beforeAll(async () => {
  projector = await startApp(env);
  await projector.app.get(TopicProvisioner).whenReady();
  producer = await connectedProducer(kafka);
});
afterAll(async () => {
  await projector?.close();
  await producer?.disconnect();
});

const versionOf = async (guid: string) =>
  withDb(async (db) => (await db.query<{ version: number }>('SELECT version FROM customer_list_view WHERE customer_guid = $1', [guid])).rows[0]?.version);
const historyOf = (guid: string) =>
  withDb(async (db) => (await db.query<{ version: number }>('SELECT version FROM customer_history WHERE customer_guid = $1 ORDER BY version', [guid])).rows.map((row) => row.version));
const parkedOf = () =>
  withDb(async (db) => (await db.query<{ partition: number; offset: string; customer_guid: string; version: number; reason: string }>(
    `SELECT partition, "offset"::text AS offset, customer_guid, version, reason FROM projection_parked WHERE topic = $1 ORDER BY partition, "offset"`, [topic],
  )).rows);

it('parks an event the read model refuses and the customer\'s later ones, applies the others, and replays them in order', async () => {
  const counterparty = randomUUID();
  const owner = testCustomer(counterparty, { name: 'Owner' });
  const victim = testCustomer(counterparty, { name: 'Victim' });
  const stolen = { ...owner.accounts[0], customer_guid: victim.customer_guid };
  const at = new Date(Date.now() + 1000).toISOString();
  const victimV2 = { ...victim, version: 2, updated_at: at, accounts: [stolen] };
  const victimV3 = { ...victim, version: 3, updated_at: at, name: 'Victim v3', accounts: [stolen] };
  const bystander = testCustomer(counterparty, { name: 'Bystander' });
  await produce(producer, topic, [eventMessage(owner), eventMessage(victim)]);
  await waitFor('the first events', async () => (await versionOf(owner.customer_guid)) === 1 && (await versionOf(victim.customer_guid)) === 1, 45_000);
  // The bystander shares the victim's key, hence its partition, and comes after its events.
  await produce(producer, topic, [eventMessage(victimV2), eventMessage(victimV3), { ...eventMessage(bystander), key: victim.customer_guid }]);

  await waitFor('the bystander', async () => (await versionOf(bystander.customer_guid)) === 1, 45_000);
  const parked = await parkedOf();
  expect(parked.map(({ customer_guid, version }) => ({ customer_guid, version }))).toEqual([
    { customer_guid: victim.customer_guid, version: 2 },
    { customer_guid: victim.customer_guid, version: 3 },
  ]);
  expect(parked[0].reason).toBe('refused by the database (SQLSTATE 23505)');
  expect(parked[1].reason).toBe('waits behind a parked event of the same customer');
  expect(Number(parked[1].offset)).toBe(Number(parked[0].offset) + 1);
  expect(await versionOf(victim.customer_guid)).toBe(1);
  expect(await historyOf(victim.customer_guid)).toEqual([1]);
  const metrics = await call('GET', `${projector!.management}/metrics`);
  expect(metrics.text).toMatch(/customer_projection_messages_total\{outcome="parked"\} [2-9]/);

  // The cause goes away (the owner's snapshot holds another account instead: the contract wants
  // at least one), then the replay of docs/failure-modes.md.
  const replacement = testAccount(owner.customer_guid, counterparty, at);
  await produce(producer, topic, [eventMessage({ ...owner, version: 2, updated_at: at, accounts: [replacement] })]);
  await waitFor('the owner\'s release', async () => (await versionOf(owner.customer_guid)) === 2, 45_000);
  await projector!.close();
  projector = undefined;
  const firstParked = await withDb(async (db) => (await db.query<{ partition: number; offset: string }>(
    `DELETE FROM projection_parked WHERE topic = $1 RETURNING partition, "offset"::text AS offset`, [topic],
  )).rows.sort((a, b) => Number(a.offset) - Number(b.offset))[0]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: firstParked.partition, offset: firstParked.offset }] });
  } finally {
    await admin.disconnect();
  }
  projector = await startApp(env);

  await waitFor('the victim\'s replayed events', async () => (await versionOf(victim.customer_guid)) === 3, 45_000);
  expect(await historyOf(victim.customer_guid)).toEqual([1, 2, 3]);
  expect(await parkedOf()).toEqual([]);
  expect(await versionOf(bystander.customer_guid)).toBe(1);
}, 180_000);

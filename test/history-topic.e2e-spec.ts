import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { parse as parseLossless } from 'lossless-json';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../apps/customer-service/src/config/app-config';
import { typeOrmOptions } from '../apps/customer-service/src/database/typeorm-options';
import { rebuildHistory } from '../apps/customer-service/src/projector/rebuild/history.rebuild';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, callRetrying, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { ConsumedMessage, deleteTopic, readWholeTopic } from './support/kafka';
import { waitFor } from './support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { mintToken } from './support/tokens';
import { seededRandom } from './support/seeded-random';

/**
 * The history equals what was published (issue 18): 1,000 customers, each through a random
 * sequence of changes by several employees (one of them branch-scoped), written over HTTP; the
 * history route of every customer is compared, event by event and digit by digit, with the
 * events on the topic. Then the history is damaged and the rebuild restores it exactly.
 * The service runs on a database and a topic of its own, so only this file's events are there.
 */
const CUSTOMERS = Number(process.env.HISTORY_TEST_CUSTOMERS ?? 1000);
const WRITERS = 8;
const ISSUER2 = 'GARGBAQNS4R3LERFTCQXZOTWI56BLJRA32XYN5O3Z55THREJ54C46GFJ';
const B1 = randomUUID();
const B2 = randomUUID();

let scratch: ScratchDatabase;
let service: RunningApp;
let db: Client;
const topic = `history-e2e.${randomBytes(6).toString('hex')}`;
const counterparty = newCounterparty();

beforeAll(async () => {
  scratch = await createScratchDatabase('history_e2e');
  service = await startApp({
    DATABASE_URL: scratch.url, EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '3', PROJECTOR_GROUP_ID: `${topic}.projector`,
    RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10000000',
  });
  db = new Client({ connectionString: scratch.url });
  await db.connect();
});
afterAll(async () => {
  await service?.close();
  await db?.end();
  await scratch?.drop();
  await deleteTopic(topic);
});

const NAMES = ['Анна', 'Ørsted', 'Παπαδοπούλου', 'José', 'Zoë', 'Łukasz', 'Ковальчук', 'Müller', 'Đorđević', null];
const PHONES = ['+442079460958', '+12025550123', '+380441234567', '+30 21 0123 4567', null];
const MONEY = ['0', '100.5', '899999999.9999999', '0.0000001', '12.3456789', '900000000', '1e-7'];
const STATUSES = ['active', 'new', 'blocked', 'проверка', null];

/** A random PUT body as JSON text, money written with its exact digits. */
function randomUpdate(next: () => number, branchScoped: boolean): string {
  const pick = <T>(values: readonly T[]) => values[Math.floor(next() * values.length)];
  const fields: Record<string, unknown> = {};
  const generators: [string, () => unknown][] = [
    ['name', () => pick(NAMES)], ['surname', () => pick(NAMES)], ['paternal_name', () => pick(NAMES)],
    ['phone_number', () => pick(PHONES)], ['kyc_level', () => Math.floor(next() * 5)], ['is_disabled', () => next() < 0.3],
    ['balance_allowed', () => '@@MONEY@@'], ['segment', () => pick(['PL', 'PI', null])], ['status', () => pick(STATUSES)],
    ...(branchScoped ? [] : [['branch_guid', () => pick([B1, B2, null])] as [string, () => unknown]]),
  ];
  for (const [field, generate] of generators) if (next() < 0.35) fields[field] = generate();
  if (Object.keys(fields).length === 0) fields.kyc_level = Math.floor(next() * 5);
  return JSON.stringify(fields).replace('"@@MONEY@@"', pick(MONEY));
}

async function writeRandomHistories(seed: number): Promise<void> {
  const tokens = {
    clerk: `Bearer ${await mintToken({ counterparty, sub: 'clerk.ольга' })}`,
    officer: `Bearer ${await mintToken({ counterparty, sub: 'kyc-officer-7' })}`,
    branch: `Bearer ${await mintToken({ counterparty, sub: 'branch.σοφία', branch: B1 })}`,
  };
  const url = `${service.api}/counterparty/${counterparty}/customers`;
  let created = 0;
  const writer = async (id: number) => {
    const next = seededRandom(seed + id);
    while (created < CUSTOMERS) {
      created += 1;
      const branchScoped = next() < 0.15;
      const creator = branchScoped ? tokens.branch : tokens.clerk;
      // Retried after a documented 503 (load shed before any work, e.g. on a busy machine):
      // this file's property is the history, not overload.
      const reply = await callRetrying<CreatedCustomerResponse>('POST', url, { asset_code: 'EURC', asset_issuer: ISSUER, login: `h-${randomUUID()}`, name: 'José' }, { authorization: creator });
      expect(reply.status).toBe(200);
      const customer = `${url}/${reply.json.customer_guid}`;
      const changes = Math.floor(next() * 5);
      for (let i = 0; i < changes; i++) {
        const actor = branchScoped ? tokens.branch : next() < 0.5 ? tokens.clerk : tokens.officer;
        const write =
          next() < 0.2
            ? await callRetrying('POST', `${customer}/accounts`, { asset_code: 'USDC', asset_issuer: ISSUER2 }, { authorization: actor })
            : await callRetrying('PUT', customer, randomUpdate(next, branchScoped), { authorization: actor });
        expect(write.status).toBe(200);
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(id)));
}

/** Numbers as their exact text: a comparison that a double's rounding cannot pass by accident. */
const exact = (text: string): unknown => parseLossless(text, null, (digits) => digits);
const TYPES: Record<string, string> = { 'customer.created.v1': 'created', 'customer.updated.v1': 'updated', 'customer.account_opened.v1': 'account_opened' };

/** The fields of a published event the history shows (numbers kept as their exact digits). */
interface PublishedEvent {
  version: string;
  type: string;
  event_id: string;
  occurred_at: string;
  actor: unknown;
  changes?: Record<string, { from: unknown; to: unknown }>;
  account?: { wallet_account_guid: string; asset_code: string; asset_issuer: string };
}

/** What the history route must answer for a customer, derived from the topic's messages alone. */
function expectedHistory(messages: readonly ConsumedMessage[]) {
  return messages.map((message) => {
    const event = exact(message.value) as PublishedEvent;
    const changes = event.changes;
    return {
      version: event.version,
      type: TYPES[event.type],
      event_id: event.event_id,
      occurred_at: event.occurred_at,
      actor: event.actor,
      changes: changes ? Object.fromEntries(Object.entries(changes).map(([field, { from, to }]) => [field, { from, to }])) : null,
      account: event.account
        ? { wallet_account_guid: event.account.wallet_account_guid, asset_code: event.account.asset_code, asset_issuer: event.account.asset_issuer }
        : null,
    };
  });
}

async function historyText(customer: string): Promise<string> {
  const reply = await call('GET', `${service.api}/counterparty/${counterparty}/customers/${customer}/history?ordering=version&limit=500`);
  expect(reply.status).toBe(200);
  return reply.text;
}

const historyRows = async () =>
  (await db.query<Record<string, unknown>>(`SELECT *, changes::text AS changes FROM customer_history WHERE counterparty_guid = $1 ORDER BY customer_guid, version`, [counterparty])).rows;

let byCustomer: Map<string, ConsumedMessage[]>;

it(`equals the published events, for ${CUSTOMERS} customers with random change sequences`, async () => {
  const seed = Number(process.env.HISTORY_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
  process.stderr.write(`history-topic: seed ${seed} (HISTORY_TEST_SEED=${seed} replays it)\n`);
  await writeRandomHistories(seed);
  const { rows: [{ events }] } = await db.query<{ events: number }>(`SELECT coalesce(sum(version), 0)::int AS events FROM customers WHERE counterparty_guid = $1`, [counterparty]);
  await waitFor('the history to hold every event written', async () => {
    const { rows: [{ n }] } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customer_history WHERE counterparty_guid = $1`, [counterparty]);
    return n === events;
  }, 120_000);

  const messages = await readWholeTopic(topic, { timeoutMs: 120_000 });
  expect(messages).toHaveLength(events);
  byCustomer = new Map();
  for (const message of messages) byCustomer.set(message.key, [...(byCustomer.get(message.key) ?? []), message]);
  expect(byCustomer.size).toBe(CUSTOMERS);
  let compared = 0;
  const guids = [...byCustomer.keys()];
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    for (let guid = guids.pop(); guid !== undefined; guid = guids.pop()) {
      const published = byCustomer.get(guid)!; // one partition per customer: in offset order = in version order
      const body = exact(await historyText(guid)) as { history: unknown[]; total: string; next_cursor: unknown };
      expect(body.history).toEqual(expectedHistory(published));
      expect(body.total).toBe(String(published.length));
      expect(body.next_cursor).toBeNull();
      compared += published.length;
    }
  }));
  expect(compared).toBe(events);
  process.stderr.write(`history-topic: ${CUSTOMERS} customers, ${events} events, route = topic\n`);
}, 600_000);

it('is rebuilt from the topic: missing rows come back, damaged rows are repaired, rows no event made are removed', async () => {
  expect(byCustomer).toBeDefined();
  const before = await historyRows();
  const guids = [...byCustomer.keys()];
  // Disjoint damage, so each kind is counted: actors and times of some, changes' text of others, rows of the rest deleted.
  const tenth = Math.ceil(guids.length / 10);
  const actorsDamaged = await db.query(`UPDATE customer_history SET actor_sub = 'intruder', changes = '{"kyc_level":{"from":0,"to":9}}', occurred_at = now()
                   WHERE customer_guid = ANY($1::uuid[]) AND version = 1`, [guids.slice(0, tenth)]);
  const changesDamaged = await db.query(`UPDATE customer_history SET changes = replace(changes::text, '"to"', '"to" ')::json
                   WHERE customer_guid = ANY($1::uuid[]) AND type = 'updated'`, [guids.slice(tenth, 2 * tenth)]);
  const deleted = await db.query(`DELETE FROM customer_history WHERE (customer_guid, version) IN (
                    SELECT customer_guid, version FROM customer_history WHERE customer_guid = ANY($1::uuid[]) ORDER BY event_id LIMIT 200)`, [guids.slice(2 * tenth)]);
  await db.query(`INSERT INTO customer_history (customer_guid, version, counterparty_guid, event_id, type, occurred_at, actor_sub)
                   VALUES ($1, 99, $2, $3, 'updated', now(), 'ghost'), ($4, 1, $2, $5, 'created', now(), 'ghost')`,
  [guids[0], counterparty, randomUUID(), randomUUID(), randomUUID()]);
  expect(actorsDamaged.rowCount).toBe(tenth);
  expect(deleted.rowCount).toBeGreaterThan(0);
  expect(await historyRows()).not.toEqual(before);

  const dataSource = await new DataSource(typeOrmOptions(loadDatabaseConfig({ DATABASE_URL: scratch.url }), 'history-rebuild-test')).initialize();
  const kafka = new Kafka({ clientId: 'history-rebuild-test', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
  try {
    const lines: string[] = [];
    const report = await rebuildHistory(dataSource, kafka, topic, { counterpartyGuid: counterparty, log: (line) => lines.push(line) });
    const repaired = actorsDamaged.rowCount! + changesDamaged.rowCount!;
    expect(report).toMatchObject({ inserted: deleted.rowCount, repaired, removed: 2, malformed: 0 });
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^history rebuild: done in [\\d.]+ s — \\d+ messages, ${deleted.rowCount} rows inserted, ${repaired} repaired, 2 removed, 0 not events$`));
    expect(await historyRows()).toEqual(before);
    // Once more: nothing left to do.
    expect(await rebuildHistory(dataSource, kafka, topic, { counterpartyGuid: counterparty })).toMatchObject({ inserted: 0, repaired: 0, removed: 0 });
  } finally {
    await dataSource.destroy();
  }
  for (const guid of guids.slice(0, 20)) expect((exact(await historyText(guid)) as { history: unknown[] }).history).toEqual(expectedHistory(byCustomer.get(guid)!));
}, 300_000);

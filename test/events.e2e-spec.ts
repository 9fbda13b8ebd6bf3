import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withBrokerExclusive } from './support/broker-outage';
import { checkDelivery, outboxEntries } from './support/delivery-check';
import { headerErrors, valueErrors } from './support/event-contract';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { ReadBackEvent } from './support/events';
import { deleteTopic, readWholeTopic } from './support/kafka';
import { unpublishedCount, waitFor } from './support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

// The whole path: HTTP command → outbox → relay → Kafka, read back as a consumer would. The
// service runs on a database and a topic of its own, so only this file's events are there.
let scratch: ScratchDatabase;
let service: RunningApp;
let db: Client;
const topic = `events-e2e.${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  scratch = await createScratchDatabase('events_e2e');
  service = await startApp({ ROLES: 'api,relay', DATABASE_URL: scratch.url, EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '3' });
  db = new Client({ connectionString: scratch.url });
  await db.connect();
});
afterAll(async () => {
  await service?.close();
  await db?.end();
  await scratch?.drop();
  await deleteTopic(topic);
});

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

it('publishes every command\'s event in per-customer version order, with the documented key, headers and a schema-valid value', async () => {
  await withBrokerExclusive(async () => {
    const counterparty = newCounterparty();
    const customers = `${service.api}/counterparty/${counterparty}/customers`;
    const trace = traceparent();
    const traced = { traceparent: trace };

    const created = await call<CreatedCustomerResponse>('POST', customers, '{"asset_code":"EURC","asset_issuer":"' + ISSUER + '","login":"ada@example.com","name":"Ada",' +
      '"phone_number":"+44 20 7946 0958","iban":"GB82 WEST 1234 5698 7654 32","kyc_level":1,"balance_allowed":899999999.9999999,' +
      '"balance_asset_code":"EURC","balance_asset_issuer":"' + ISSUER + '","segment":"PL","status":"new"}', traced);
    expect(created.status).toBe(200);
    const ada = created.json.customer_guid;
    const replies = [
      await call('PUT', `${customers}/${ada}`, { surname: 'Lovelace', status: null, balance_allowed: 0.0000001 }, { ...traced, 'If-Match': '"1"' }),
      await call('POST', `${customers}/${ada}/accounts`, { iban: 'DE89370400440532013000', asset_code: 'USDC', asset_issuer: ISSUER }, traced),
      await call('PUT', `${customers}/${ada}`, { balance_asset_code: null, balance_asset_issuer: null, segment: 'PI', is_disabled: true }, traced),
    ];
    // More customers at once, each changed several times: order must hold per customer.
    const others = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const reply = await call<CreatedCustomerResponse>('POST', customers, { asset_code: 'EURC', asset_issuer: ISSUER, login: `other-${i}` });
        replies.push(reply);
        for (let level = 1; level <= 4; level++) replies.push(await call('PUT', `${customers}/${reply.json.customer_guid}`, { kyc_level: level }));
        return reply.json.customer_guid;
      }),
    );
    expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200));

    await waitFor('the relay to publish every event', async () => (await unpublishedCount(db)) === 0);
    const messages = await readWholeTopic(topic);
    const entries = await outboxEntries(db);
    expect(entries).toHaveLength(4 + 8 * 5);
    expect(checkDelivery(entries, messages)).toEqual({ lost: [], unexpected: [], duplicates: new Map(), outOfOrder: [], misrouted: [] });

    const stored = new Map<string, string>(
      (await db.query<{ id: string; payload: string }>('SELECT id, payload::text AS payload FROM outbox')).rows.map((row) => [row.id, row.payload]),
    );
    for (const message of messages) {
      const value = JSON.parse(message.value) as ReadBackEvent;
      expect({ id: message.headers.ce_id, problems: [...headerErrors(message.headers), ...valueErrors(message.headers.ce_type, value)] })
        .toEqual({ id: message.headers.ce_id, problems: [] });
      expect(message.value).toBe(stored.get(message.headers.ce_id)); // exactly the stored JSON
      expect(message.headers).toMatchObject({
        ce_id: value.event_id, ce_type: value.type, ce_subject: value.customer_guid, ce_time: value.occurred_at,
      });
      expect(message.key).toBe(value.customer_guid);
      expect(value.customer.version).toBe(value.version);
      // Tracing is off in this process: no trace context is stored, and a client's traceparent
      // is never copied raw (tracing on: test/tracing.e2e-spec.ts).
      expect(message.headers.traceparent).toBeUndefined();
    }

    const adaEvents = messages.filter((message) => message.key === ada).map((message) => JSON.parse(message.value) as ReadBackEvent);
    expect(adaEvents.map((event) => [event.type, event.version])).toEqual([
      ['customer.created.v1', 1], ['customer.updated.v1', 2], ['customer.account_opened.v1', 3], ['customer.updated.v1', 4],
    ]);
    expect(messages.find((message) => message.key === ada)!.value).toContain('"balance_allowed": 899999999.9999999');
    expect(adaEvents[1].changes).toEqual({
      surname: { from: null, to: 'Lovelace' }, status: { from: 'new', to: null }, balance_allowed: { from: 899999999.9999999, to: 0.0000001 },
    });
    expect(adaEvents[2].account).toMatchObject({ iban: 'DE89370400440532013000', asset_code: 'USDC', customer_guid: ada });
    for (const other of others) {
      const versions = messages.filter((message) => message.key === other).map((message) => (JSON.parse(message.value) as ReadBackEvent).version);
      expect(versions).toEqual([1, 2, 3, 4, 5]);
    }
  });
}, 180_000);

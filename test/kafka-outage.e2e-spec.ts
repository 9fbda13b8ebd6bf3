import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { checkDelivery, outboxEntries } from './support/delivery-check';
import { headerErrors, valueErrors } from './support/event-contract';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { call, callRetrying, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { DedicatedKafka, startDedicatedKafka } from './support/dedicated-kafka';
import { readWholeTopic } from './support/kafka';
import { unpublishedCount, waitFor } from './support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

// The broker is stopped (SIGSTOP: connections stay open, nothing answers — the harder case for
// a client than a refused connection) for 30 s while 2,000 writes go through the API. Then the
// whole topic is read back and compared with the outbox, Jepsen-queue style. The broker is one
// of this file's own, so the outage stops nobody else's tests.
const OUTAGE_MS = 30_000;
const CUSTOMERS = 200;
const WRITES_PER_CUSTOMER = 10; // one create + nine updates
const READY_MAX_AGE_MS = 5000;

let kafka: DedicatedKafka;
let scratch: ScratchDatabase;
let service: RunningApp;
let db: Client;
const topic = `outage-e2e.${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  [kafka, scratch] = await Promise.all([startDedicatedKafka(), createScratchDatabase('outage_e2e')]);
  service = await startApp({
    ROLES: 'api,relay', DATABASE_URL: scratch.url, KAFKA_BROKERS: kafka.brokers, EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '6',
    RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '100000', OUTBOX_READY_MAX_AGE_MS: String(READY_MAX_AGE_MS),
  });
  db = new Client({ connectionString: scratch.url });
  await db.connect();
}, 360_000);
afterAll(async () => {
  await service?.close();
  await db?.end();
  await scratch?.drop();
  await kafka?.stop();
}, 60_000);

/** Stops the broker until the returned function is called. */
function stopBroker(): () => void {
  process.kill(kafka.pid, 'SIGSTOP');
  return () => process.kill(kafka.pid, 'SIGCONT');
}

/**
 * One customer's life: created, then changed nine times, each write waiting for the last. Sent
 * as a well-behaved client does (a 503 or 429 retried after its Retry-After): a machine busy
 * with other work can make the service shed some of them (beside stress-ng, 106 of the 200
 * creates were not answered 200), and what this test is about is the broker, not that.
 */
async function customerWrites(customersUrl: string, index: number): Promise<number[]> {
  const created = await callRetrying<CreatedCustomerResponse>('POST', customersUrl, { asset_code: 'EURC', asset_issuer: ISSUER, login: `outage-${index}` });
  const statuses = [created.status];
  for (let level = 1; created.status === 200 && level < WRITES_PER_CUSTOMER; level++) {
    statuses.push((await callRetrying('PUT', `${customersUrl}/${created.json.customer_guid}`, { kyc_level: level })).status);
  }
  return statuses;
}

it(
  'takes 2,000 writes while the broker is stopped for 30 s, then delivers each event, per customer in order, with no gap',
  async () => {
    const customersUrl = `${service.api}/counterparty/${newCounterparty()}/customers`;
    // The relay leads and has published once before the outage.
    expect((await customerWrites(customersUrl, -1)).every((status) => status === 200)).toBe(true);
    await waitFor('the first events to be published', async () => (await unpublishedCount(db)) === 0);

    const resume = stopBroker();
    const stoppedAt = Date.now();
    let statuses: number[];
    let backlogAtResume: number;
    let readyDuringOutage;
    try {
      // Customers start 100 ms apart, so the writes spread over ~20 s of the outage.
      statuses = (
        await Promise.all(
          Array.from({ length: CUSTOMERS }, async (_, i) => {
            await new Promise((resolve) => setTimeout(resolve, i * 100));
            return customerWrites(customersUrl, i);
          }),
        )
      ).flat();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + OUTAGE_MS - Date.now())));
      readyDuringOutage = await call('GET', `${service.management}/health/ready`);
      backlogAtResume = await unpublishedCount(db);
    } finally {
      resume();
    }
    const resumedAt = Date.now();
    await waitFor('the backlog to drain', async () => (await unpublishedCount(db)) === 0, 60_000);
    const drainMs = Date.now() - resumedAt;

    expect(statuses.length).toBe(CUSTOMERS * WRITES_PER_CUSTOMER);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(backlogAtResume).toBe(CUSTOMERS * WRITES_PER_CUSTOMER);
    // Readiness of a relay process reports the lag (and the broker) while Kafka is away.
    expect(readyDuringOutage.status).toBe(503);
    expect((readyDuringOutage.json as ErrorBodyDto).details.map((detail) => detail.field)).toContain('outbox');

    const messages = await readWholeTopic(topic, { timeoutMs: 60_000, brokers: kafka.brokers });
    const entries = await outboxEntries(db);
    const report = checkDelivery(entries, messages);
    expect(report).toMatchObject({ lost: [], unexpected: [], outOfOrder: [], misrouted: [] });
    const invalid = messages
      .map((message) => [...headerErrors(message.headers), ...valueErrors(message.headers.ce_type, JSON.parse(message.value) as unknown)])
      .filter((problems) => problems.length > 0);
    expect(invalid).toEqual([]);
    await waitFor('readiness to recover', async () => (await call('GET', `${service.management}/health/ready`)).status === 200, 30_000);
    process.stdout.write(
      `broker outage: ${statuses.length} writes in ${OUTAGE_MS / 1000} s, 0 failed; backlog ${backlogAtResume} drained ` +
        `${drainMs} ms after the broker resumed; ${messages.length} messages read, ${report.duplicates.size} duplicated ids\n`,
    );
  },
  120_000,
);

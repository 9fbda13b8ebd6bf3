import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { createScratchDatabase, ScratchDatabase } from '@test/support/scratch-database';
import { loadConfig } from '../config/app-config';
import { typeOrmOptions } from '../database/typeorm-options';
import { RetentionJob } from './retention.job';

// Item 7 of issue 15: the tables that grow with every request or event stay flat. Rows past
// their retention are added round after round; each run leaves only the live ones.
let scratch: ScratchDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  Logger.overrideLogger(false);
  scratch = await createScratchDatabase('retention');
  dataSource = await new DataSource(typeOrmOptions(loadConfig({ ...process.env, DATABASE_URL: scratch.url }).database, 'retention-test')).initialize();
});
afterAll(async () => {
  await dataSource?.destroy();
  await scratch?.drop();
});

function job(env: Record<string, string>): { job: RetentionJob; registry: Registry } {
  const config = loadConfig({ ...process.env, DATABASE_URL: scratch.url, ROLES: 'api,projector', PROCESSED_EVENTS_RETENTION_HOURS: '336', ...env });
  const registry = new Registry();
  return { job: new RetentionJob(config, dataSource, registry), registry };
}

/** `count` idempotency keys expiring `expiresIn` from now (negative: expired). */
async function addKeys(count: number, expiresIn: string): Promise<void> {
  await dataSource.query(
    `INSERT INTO idempotency_keys (counterparty_guid, key, fingerprint, response_status, response_body, expires_at)
     SELECT $1, 'key-' || i, repeat('0', 64), 200, '{"name":"Ярослава"}', now() + $3::interval FROM generate_series(1, $2) AS i`,
    [randomUUID(), count, expiresIn],
  );
}

/** `count` processed event ids recorded `age` ago. */
async function addProcessed(count: number, age: string): Promise<void> {
  await dataSource.query(
    `INSERT INTO processed_events (event_id, customer_guid, version, processed_at)
     SELECT gen_random_uuid(), gen_random_uuid(), 1, now() - $2::interval FROM generate_series(1, $1) AS i`,
    [count, age],
  );
}

const sizes = async () => {
  const [row] = await dataSource.query<{ keys: number; processed: number }[]>(
    'SELECT (SELECT count(*) FROM idempotency_keys)::int AS keys, (SELECT count(*) FROM processed_events)::int AS processed');
  return row;
};

/** customer_retention_deleted_rows_total by table, as /metrics shows it. */
const deletedMetric = async (registry: Registry) =>
  Object.fromEntries([...(await registry.getSingleMetricAsString('customer_retention_deleted_rows_total')).matchAll(/table="(\w+)"} (\d+)/g)].map((match) => [match[1], Number(match[2])]));

it('keeps idempotency_keys and processed_events flat: each run deletes what is past retention, nothing live', async () => {
  const { job: retention, registry } = job({ RETENTION_BATCH_SIZE: '1000' });
  const after: { keys: number; processed: number }[] = [];
  for (let round = 1; round <= 5; round++) {
    await addKeys(3000, '-1 minute');
    await addKeys(50, '23 hours');
    await addProcessed(3000, '337 hours');
    await addProcessed(50, '335 hours');
    expect(await retention.runOnce()).toEqual({ idempotency_keys: 3000, processed_events: 3000 });
    after.push(await sizes());
  }
  expect(after).toEqual([1, 2, 3, 4, 5].map((round) => ({ keys: 50 * round, processed: 50 * round })));
  expect(await deletedMetric(registry)).toEqual({ idempotency_keys: 15_000, processed_events: 15_000 });
});

it('deletes in bounded batches: at most 100 statements of RETENTION_BATCH_SIZE rows per table and run', async () => {
  await dataSource.query('TRUNCATE idempotency_keys, processed_events');
  await addKeys(10_250, '-1 hour');
  const { job: retention } = job({ ROLES: 'api', RETENTION_BATCH_SIZE: '100' });
  expect(await retention.runOnce()).toEqual({ idempotency_keys: 10_000 });
  expect(await retention.runOnce()).toEqual({ idempotency_keys: 250 });
  expect(await sizes()).toEqual({ keys: 0, processed: 0 });
});

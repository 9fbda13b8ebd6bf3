import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { call, RunningApp, startApp } from './support/app';
import { brokerPid, stopBroker, withBrokerExclusive } from './support/broker-outage';
import { expectErrorBody } from './support/error-body';
import { waitFor } from './support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';

// A service of its own on a scratch database (so the test can take that database away) and
// its own topic and consumer group; checks every 200 ms so state changes show quickly.
let scratch: ScratchDatabase;
let service: RunningApp;
let admin: Client;

beforeAll(async () => {
  scratch = await createScratchDatabase('health_e2e');
  service = await startApp({
    DATABASE_URL: scratch.url, EVENTS_TOPIC: `health-e2e-${randomUUID()}`, PROJECTOR_GROUP_ID: `health-e2e-${randomUUID()}`,
    HEALTH_CHECK_INTERVAL_MS: '200',
  });
  admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
}, 60_000);
afterAll(async () => {
  await service?.close();
  await admin?.end();
  await scratch?.drop();
});

const databaseName = () => new URL(scratch.url).pathname.slice(1);
const ready = () => call('GET', `${service.management}/health/ready`);
const isReady = async () => (await ready()).status === 200;

/** As much of the OpenAPI document as these tests read. */
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties: Record<string, { example?: unknown }> }> };
}

/** Failure bodies give stable reasons only: no host, port, URL or driver message. */
function expectNothingInternal(text: string): void {
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\b|ECONN|ETIMEDOUT|postgres(ql)?:\/\/|timeout|terminat/i);
}

describe('management listener', () => {
  it('answers liveness without a token', async () => {
    const reply = await call('GET', `${service.management}/health/live`);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ status: 'live' });
  });

  it('is ready when PostgreSQL and Kafka answer, and shows each check with its age', async () => {
    await waitFor('readiness', isReady, 30_000);
    const reply = await ready();
    expect(reply.json).toMatchObject({
      status: 'ready',
      checks: {
        database: { status: 'up', checked_ms_ago: expect.any(Number) },
        kafka: { status: 'up', brokers: expect.any(Number), checked_ms_ago: expect.any(Number) },
        outbox: { status: 'up', backlog: 0, oldest_unpublished_age_ms: 0, checked_ms_ago: expect.any(Number) },
      },
    });
  });

  it('answers many probes from held state, on one database connection of its own', async () => {
    await waitFor('readiness', isReady, 30_000);
    const replies = await Promise.all(Array.from({ length: 200 }, () => ready()));
    expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200));
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'customer-service-health'`,
      [databaseName()],
    );
    expect(rows[0].n).toBe(1);
  });

  it('is not ready while the database is unreachable, with a stable reason, and ready again after', async () => {
    await waitFor('readiness', isReady, 30_000);
    await admin.query(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS false`);
    try {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [databaseName()]);
      await waitFor('readiness to fail', async () => (await ready()).status === 503, 15_000);
      const reply = await ready();
      expectErrorBody(reply, 503, 'NOT_READY');
      expect(reply.headers.get('retry-after')).toBe('5');
      // This process runs the relay: without the database its backlog is unknown too.
      expect((reply.json as ErrorBodyDto).details).toEqual([
        { field: 'database', message: 'database: unreachable' },
        { field: 'outbox', message: 'outbox: backlog unknown' },
      ]);
      expectNothingInternal(reply.text);
      expect((await call('GET', `${service.management}/health/live`)).status).toBe(200);
    } finally {
      await admin.query(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS true`);
    }
    await waitFor('readiness to recover', isReady, 30_000);
  });

  // Only when this run started the broker itself: never pause someone else's.
  (brokerPid ? it : it.skip)('is not ready (503 naming kafka) while the broker is stopped, and ready again after', () => withBrokerExclusive(async () => {
    await waitFor('readiness', isReady, 30_000);
    const resume = stopBroker();
    try {
      await waitFor('readiness to fail', async () => (await ready()).status === 503, 15_000);
      const reply = await ready();
      expectErrorBody(reply, 503, 'NOT_READY');
      expect((reply.json as ErrorBodyDto).details).toEqual([{ field: 'kafka', message: 'kafka: unreachable' }]);
      expectNothingInternal(reply.text);
    } finally {
      resume();
    }
    await waitFor('readiness to recover', isReady, 30_000);
  }), 180_000);

  it('serves the OpenAPI document of the API', async () => {
    expect((await call('GET', `${service.management}/docs`)).status).toBe(200);
    const document = (await call<OpenApiDocument>('GET', `${service.management}/docs-json`)).json;
    const paths = Object.keys(document.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/counterparty/{counterparty_guid}/customers',
        '/api/v1/counterparty/{counterparty_guid}/customers/{customer_guid}',
        '/api/v1/counterparty/{counterparty_guid}/customers/{customer_guid}/accounts',
      ]),
    );
    expect(paths.filter((path) => !path.startsWith('/api/v1/'))).toEqual([]);
    const create = document.paths['/api/v1/counterparty/{counterparty_guid}/customers'].post;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '400', '409', '413', '415', '422']));
    expect(document.components.schemas.CreateCustomerRequest.properties.asset_issuer.example).toBeDefined();
  });

  it('serves nothing of the API, and answers unknown paths with the error body', async () => {
    expectErrorBody(await call('GET', `${service.management}/api/v1/counterparty/${randomUUID()}/customers`), 404, 'NOT_FOUND');
  });
});

describe('public listener', () => {
  it.each(['/health/live', '/health/ready', '/metrics', '/docs', '/docs-json'])('does not serve %s', async (path) => {
    expectErrorBody(await call('GET', `${service.baseUrl}${path}`), 404);
  });
});

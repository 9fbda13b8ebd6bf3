import { call, RunningApp, startApp } from './support/app';
import { brokerPid, stopBroker, withBrokerExclusive } from './support/broker-outage';
import { expectErrorBody } from './support/error-body';

let service: RunningApp;
beforeAll(async () => {
  service = await startApp();
});
afterAll(async () => {
  await service?.close();
});

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

describe('health', () => {
  it('is live', async () => {
    expect((await call('GET', `${service.baseUrl}/health/live`)).status).toBe(200);
  });

  it('is ready when PostgreSQL and Kafka answer and the outbox is not lagging', async () => {
    // This process runs the relay on the shared database: it first publishes what other test
    // files' API-only services left in the outbox (and another test may have the broker stopped).
    expect(await eventually(async () => (await call('GET', `${service.baseUrl}/health/ready`)).status === 200, 50_000)).toBe(true);
    const reply = await call('GET', `${service.baseUrl}/health/ready`);
    expect(reply.json.info).toMatchObject({
      database: { status: 'up' }, kafka: { status: 'up' }, outbox: { status: 'up', backlog: expect.any(Number), oldest_unpublished_age_ms: expect.any(Number) },
    });
  }, 60_000);

  // Only when this run started the broker itself: never pause someone else's.
  (brokerPid ? it : it.skip)('is not ready (503 naming kafka) while the broker is stopped, and ready again after', () => withBrokerExclusive(async () => {
    const resume = stopBroker();
    try {
      const notReady = await eventually(async () => (await call('GET', `${service.baseUrl}/health/ready`)).status === 503, 10_000);
      expect(notReady).toBe(true);
      const reply = await call('GET', `${service.baseUrl}/health/ready`);
      expectErrorBody(reply, 503, 'NOT_READY');
      expect(reply.headers.get('retry-after')).toBe('5');
      expect(reply.json.details.map((d: { field: string }) => d.field)).toEqual(['kafka']);
    } finally {
      resume();
    }
    expect(await eventually(async () => (await call('GET', `${service.baseUrl}/health/ready`)).status === 200, 30_000)).toBe(true);
  }), 180_000);
});

describe('OpenAPI', () => {
  it('documents every route with its errors', async () => {
    expect((await call('GET', `${service.baseUrl}/docs`)).status).toBe(200);
    const document = (await call('GET', `${service.baseUrl}/docs-json`)).json;
    const paths = Object.keys(document.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/counterparty/{counterparty_guid}/customers',
        '/api/v1/counterparty/{counterparty_guid}/customers/{customer_guid}',
        '/api/v1/counterparty/{counterparty_guid}/customers/{customer_guid}/accounts',
        '/health/ready',
      ]),
    );
    const create = document.paths['/api/v1/counterparty/{counterparty_guid}/customers'].post;
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '400', '409', '413', '415', '422']));
    expect(document.components.schemas.CreateCustomerRequest.properties.asset_issuer.example).toBeDefined();
  });
});

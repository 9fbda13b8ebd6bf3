import { call, RunningApp, startApp } from './support/app';
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

  it('is ready when PostgreSQL and Kafka answer', async () => {
    const reply = await call('GET', `${service.baseUrl}/health/ready`);
    expect(reply.status).toBe(200);
    expect(reply.json.info).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' } });
  });

  const pid = Number(process.env.TEST_KAFKA_PID);
  // Only when this run started the broker itself: never pause someone else's.
  (pid ? it : it.skip)('is not ready (503 naming kafka) while the broker is stopped, and ready again after', async () => {
    process.kill(pid, 'SIGSTOP');
    try {
      const notReady = await eventually(async () => (await call('GET', `${service.baseUrl}/health/ready`)).status === 503, 10_000);
      expect(notReady).toBe(true);
      const reply = await call('GET', `${service.baseUrl}/health/ready`);
      expectErrorBody(reply, 503, 'NOT_READY');
      expect(reply.headers.get('retry-after')).toBe('5');
      expect(reply.json.details.map((d: { field: string }) => d.field)).toEqual(['kafka']);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(await eventually(async () => (await call('GET', `${service.baseUrl}/health/ready`)).status === 200, 30_000)).toBe(true);
  });
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

import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty } from './support/app';
import { deleteTopic } from './support/kafka';
import { OtlpReceiver, ReceivedSpan, SPAN_KIND, startOtlpReceiver } from './support/otlp-receiver';
import { waitFor } from './support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from './support/scratch-database';
import { ServiceProcess, startServiceProcess } from './support/service-process';

// One trace from the HTTP request to the read model, as an OTLP backend receives it: the
// service runs as a process of its own (the instrumentations patch modules as Node loads
// them, which Jest's module loader bypasses), exporting OTLP/JSON to a receiver started here,
// on a database, topic and consumer group of its own.
let receiver: OtlpReceiver;
let scratch: ScratchDatabase;
let service: ServiceProcess;
let db: Client;
let api: string;
let management: string;
const topic = `tracing-e2e.${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  [receiver, scratch] = await Promise.all([startOtlpReceiver(), createScratchDatabase('tracing_e2e')]);
  service = startServiceProcess({
    DATABASE_URL: scratch.url, EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '1', PROJECTOR_GROUP_ID: `tracing-e2e-${randomUUID()}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'customer-service-under-test',
    OTEL_BSP_SCHEDULE_DELAY: '100', LOG_LEVEL: 'info',
  });
  await service.waitForLog(/customer-service is up/, 60_000);
  api = /API: +(\S+)/.exec(service.output())![1];
  management = /health: +(http:\/\/\S+?)\/health\/live/.exec(service.output())![1];
  await waitFor('readiness', async () => (await call('GET', `${management}/health/ready`)).status === 200, 30_000);
  db = new Client({ connectionString: scratch.url });
  await db.connect();
}, 90_000);
afterAll(async () => {
  service?.kill('SIGTERM');
  await service?.exited;
  await db?.end();
  await Promise.all([receiver?.close(), scratch?.drop(), deleteTopic(topic)]);
}, 30_000);

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const find = (predicate: (span: ReceivedSpan) => boolean) => receiver.spans().find(predicate);
const childrenOf = (parent: ReceivedSpan) => receiver.spans().filter((span) => span.parentSpanId === parent.spanId && span.traceId === parent.traceId);
const linksTo = (span: ReceivedSpan, target: ReceivedSpan) => span.links.some((link) => link.traceId === target.traceId && link.spanId === target.spanId);

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  let found: T | undefined;
  await waitFor(what, () => (found = read()) !== undefined, timeoutMs);
  return found!;
}

it('connects the HTTP request, its transaction, the relay\'s publish (link) and the projector\'s apply in one trace', async () => {
  const clientTrace = hex(16);
  const clientSpan = hex(8);
  const counterparty = newCounterparty();
  const customers = `${api}/counterparty/${counterparty}/customers`;
  const created = await call<CreatedCustomerResponse>(
    'POST', customers, { asset_code: 'EURC', asset_issuer: ISSUER, login: 'traced-login@example.com', phone_number: '+44 20 7946 0958' },
    { traceparent: `00-${clientTrace}-${clientSpan}-01` },
  );
  expect(created.status).toBe(200);
  const customerGuid = created.json.customer_guid;

  // The request: a server span named after the route, continuing the caller's trace.
  const server = await until('the HTTP span', () => find((span) => span.kind === SPAN_KIND.server && span.traceId === clientTrace));
  expect(server).toMatchObject({
    service: 'customer-service-under-test',
    parentSpanId: clientSpan,
    name: 'POST /api/v1/counterparty/:counterparty_guid/customers',
    attributes: expect.objectContaining({ 'http.route': '/api/v1/counterparty/:counterparty_guid/customers', 'http.response.status_code': 200 }),
  });

  // Its command's transaction, parent of the statements, among them the outbox insert.
  const transaction = await until('the transaction span', () => find((span) => span.name === 'CreateCustomer transaction' && span.parentSpanId === server.spanId));
  await waitFor('the statements', () => childrenOf(transaction).some((span) => /INSERT INTO outbox/.test(String(span.attributes['db.query.text'] ?? span.attributes['db.statement']))));

  // The outbox row stores the transaction's context, W3C-encoded.
  const { rows } = await db.query<{ headers: Record<string, string> }>(`SELECT headers FROM outbox WHERE aggregateid = $1`, [customerGuid]);
  expect(rows[0].headers).toEqual({ traceparent: `00-${clientTrace}-${transaction.spanId}-01` });

  // The relay's publish is a trace of its own, linked to the transaction.
  const send = await until('the relay span', () => find((span) => span.kind === SPAN_KIND.producer && linksTo(span, transaction)));
  expect(send).toMatchObject({ name: `send ${topic}`, status: 0, attributes: expect.objectContaining({ 'messaging.system': 'kafka', 'messaging.destination.name': topic }) });
  expect(send.traceId).not.toBe(clientTrace);
  expect(childrenOf(send).map((span) => span.attributes['db.system.name'] ?? span.attributes['db.system'])).toContain('postgresql'); // marking rows published

  // The projector continues the request's trace: its process span is the transaction's child ...
  const process = await until('the projector span', () => find((span) => span.kind === SPAN_KIND.consumer && span.parentSpanId === transaction.spanId));
  expect(process).toMatchObject({
    traceId: clientTrace,
    name: `process ${topic}`,
    attributes: expect.objectContaining({ 'messaging.destination.name': topic, 'customer_service.projection.outcome': 'applied' }),
  });
  // ... and the read-model transaction that applied it links to it, with its statements as children.
  const apply = await until('the apply span', () => find((span) => span.name === 'apply read model' && linksTo(span, process)));
  await waitFor('the read-model statements', () => childrenOf(apply).length > 0);
  expect((await call('GET', `${customers}/${customerGuid}?min_version=1`)).status).toBe(200);
});

it('records no query string, no personal data and no probe', async () => {
  const trace = hex(16);
  const list = await call('GET', `${api}/counterparty/${newCounterparty()}/customers?logins=secret-login@example.com`, undefined, { traceparent: `00-${trace}-${hex(8)}-01` });
  expect(list.status).toBe(200);
  const server = await until('the list span', () => find((span) => span.kind === SPAN_KIND.server && span.traceId === trace));
  expect(server.attributes['url.query']).toBe('REDACTED');
  for (const probe of ['/health/live', '/health/ready', '/metrics']) expect((await call('GET', `${management}${probe}`)).status).toBe(200);
  const everything = JSON.stringify(receiver.spans());
  expect(everything).not.toMatch(/secret-login|traced-login|7946/);
  expect(receiver.spans().filter((span) => /health|metrics/.test(String(span.attributes['url.path'])))).toEqual([]);
});

it('logs one JSON object per line, its stdout being a pipe and not a terminal', () => {
  const lines = service.output().split('\n').filter((line) => line.startsWith('{'));
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(JSON.parse(line)).toMatchObject({ level: expect.any(Number), time: expect.any(Number) });
  // eslint-disable-next-line no-control-regex -- ESC (0x1b) starts every ANSI colour sequence: finding one is the point
  expect(service.output()).not.toMatch(/\x1b\[/); // no colours
});

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { CreatedCustomerResponse, CustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { call, ISSUER, newCounterparty, Reply, RunningApp, startApp } from './support/app';
import { withDb } from './support/db';
import { expectErrorBody } from './support/error-body';
import { mintToken } from './support/tokens';

/**
 * What clients that are not this service's own tests send: .NET and Java timestamps and
 * numbers, header and query-string conventions of other HTTP stacks, text that is not ASCII,
 * and bodies too large for the service, sent by more than one real HTTP client.
 */
let service: RunningApp;
beforeAll(async () => {
  service = await startApp({ ROLES: 'api,relay,projector' });
});
afterAll(async () => {
  await service?.close();
});

const minimal = { asset_code: 'EURC', asset_issuer: ISSUER };
const customersUrl = (counterparty: string) => `${service.api}/counterparty/${counterparty}/customers`;

async function create(counterparty: string, body: object = {}) {
  const reply = await call<CreatedCustomerResponse>('POST', customersUrl(counterparty), { ...minimal, ...body });
  expect(reply.status).toBe(200);
  return reply.json.customer_guid;
}

async function projected(counterparty: string, customer: string, version = 1) {
  const reply = await call<CustomerResponse>('GET', `${customersUrl(counterparty)}/${customer}?min_version=${version}`);
  expect(reply.status).toBe(200);
  return reply.json;
}

const writeRow = (customer: string) =>
  withDb(async (db) => (await db.query<{ version: number; name: string | null; branch_guid: string | null }>('SELECT version, name, branch_guid FROM customers WHERE guid = $1', [customer])).rows[0]);
const outboxPayloads = (customer: string) =>
  withDb(async (db) => (await db.query<{ payload: string }>('SELECT payload::text AS payload FROM outbox WHERE aggregateid = $1 ORDER BY seq', [customer])).rows.map((r) => r.payload));

describe('Authorization header', () => {
  it.each(['bearer', 'BEARER', 'Bearer  '])('accepts the scheme written %p (RFC 9110: case-insensitive, one or more spaces)', async (scheme) => {
    const counterparty = newCounterparty();
    const reply = await call('GET', customersUrl(counterparty), undefined, { authorization: `${scheme} ${await mintToken({ counterparty })}` });
    expect(reply.status).toBe(200);
  });

  it.each(['Basic abc', 'Bearer', 'Bearertoken', 'Token abc'])('refuses %p with 401', async (value) => {
    expectErrorBody(await call('GET', customersUrl(newCounterparty()), undefined, { authorization: value }), 401, 'UNAUTHENTICATED');
  });
});

describe('paths as URL builders write them', () => {
  it('reads a collection path ending in / as the collection', async () => {
    const counterparty = newCounterparty();
    const customer = await create(counterparty);
    expect((await call('POST', `${customersUrl(counterparty)}/`, minimal)).status).toBe(200);
    await projected(counterparty, customer);
    expect((await call<{ total: number }>('GET', `${customersUrl(counterparty)}/${customer}/accounts/`)).json.total).toBe(1);
  });
});

describe('unknown query parameters, on every route', () => {
  it('refuses PUT ?dry_run=true and applies nothing', async () => {
    const counterparty = newCounterparty();
    const customer = await create(counterparty, { name: 'Before' });
    const reply = await call<ErrorBodyDto>('PUT', `${customersUrl(counterparty)}/${customer}?dry_run=true`, { name: 'After' });
    expectErrorBody(reply, 400, 'VALIDATION_FAILED');
    expect(reply.json.details).toEqual([{ field: 'dry_run', message: 'is not a known query parameter' }]);
    expect(await writeRow(customer)).toMatchObject({ version: 1, name: 'Before' });
  });

  it('refuses them on the POSTs and creates nothing', async () => {
    const counterparty = newCounterparty();
    expectErrorBody(await call('POST', `${customersUrl(counterparty)}?async=1`, minimal), 400, 'VALIDATION_FAILED');
    const customer = await create(counterparty);
    expectErrorBody(await call('POST', `${customersUrl(counterparty)}/${customer}/accounts?x=1`, {}), 400, 'VALIDATION_FAILED');
    const counts = await withDb(async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers WHERE counterparty_guid = $1', [counterparty])).rows[0].n);
    expect(counts).toBe(1);
    expect((await writeRow(customer)).version).toBe(1);
  });

  it('refuses them on the GETs, naming each', async () => {
    const counterparty = newCounterparty();
    const customer = await create(counterparty);
    const one = await call<ErrorBodyDto>('GET', `${customersUrl(counterparty)}/${customer}?expand=accounts`);
    expectErrorBody(one, 400, 'VALIDATION_FAILED');
    expect(one.json.details).toEqual([{ field: 'expand', message: 'is not a known query parameter' }]);
    expectErrorBody(await call('GET', `${customersUrl(counterparty)}/${customer}/accounts?page=2`), 400, 'VALIDATION_FAILED');
  });
});

describe('guids in any letter case', () => {
  it('stores, answers and publishes them in lower case, and a PUT differing only in case changes nothing', async () => {
    const counterparty = newCounterparty();
    const branch = randomUUID();
    const customer = await create(counterparty.toUpperCase(), { branch_guid: branch.toUpperCase() });
    expect(await writeRow(customer)).toMatchObject({ branch_guid: branch });
    const path = `${customersUrl(counterparty.toUpperCase())}/${customer.toUpperCase()}`;
    const put = await call('PUT', path, { branch_guid: branch.toUpperCase(), wallet_user_guid: customer.toUpperCase() });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ version: 1, branch_guid: branch, customer_guid: customer, counterparty_guid: counterparty });
    expect((await writeRow(customer)).version).toBe(1);
    const payloads = await outboxPayloads(customer);
    expect(payloads).toHaveLength(1); // the create's event only
    expect(payloads[0]).toContain(branch);
    expect(payloads[0]).not.toMatch(/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/);
    expect((await projected(counterparty, customer)).branch_guid).toBe(branch);
  });
});

describe('text that is not well-formed Unicode', () => {
  it.each([
    ['a lone high surrogate', '{"asset_code":"EURC","asset_issuer":"ISSUER","name":"\\ud800"}', 'name'],
    ['a lone low surrogate', '{"asset_code":"EURC","asset_issuer":"ISSUER","surname":"x\\udc00y"}', 'surname'],
    ['NUL', '{"asset_code":"EURC","asset_issuer":"ISSUER","login":"a\\u0000b"}', 'login'],
    ['a lone surrogate in a field name', '{"asset_code":"EURC","asset_issuer":"ISSUER","\\ud800":1}', 'body'],
  ])('refuses %s with 400 and writes nothing', async (_what, body, field) => {
    const counterparty = newCounterparty();
    const reply = await call<ErrorBodyDto>('POST', customersUrl(counterparty), body.replace('ISSUER', ISSUER));
    expectErrorBody(reply, 400, 'VALIDATION_FAILED');
    expect(reply.json.details.map((d) => d.field)).toEqual([field]);
    const count = await withDb(async (db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM customers WHERE counterparty_guid = $1', [counterparty])).rows[0].n);
    expect(count).toBe(0);
  });

  it('refuses bytes that are not UTF-8 and query escapes that are not, with 400', async () => {
    const counterparty = newCounterparty();
    const bytes = Buffer.concat([Buffer.from(`{"asset_code":"EURC","asset_issuer":"${ISSUER}","name":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const reply = await fetch(customersUrl(counterparty), {
      method: 'POST',
      body: bytes,
      headers: { authorization: `Bearer ${await mintToken({ counterparty })}`, 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(400);
    expect(((await reply.json()) as { code: string }).code).toBe('INVALID_JSON');
    for (const query of ['names=%ED%A0%80', 'names=%FF', 'names=%E0%A4%A', 'names=a%00b']) {
      expectErrorBody(await call('GET', `${customersUrl(counterparty)}?${query}`), 400, 'VALIDATION_FAILED');
    }
  });
});

describe('JSON bodies as other stacks send them', () => {
  it('refuses a field given twice as INVALID_JSON', async () => {
    const reply = await call<ErrorBodyDto>('POST', customersUrl(newCounterparty()), `{"asset_code":"EURC","asset_issuer":"${ISSUER}","name":"a","name":"b"}`);
    expectErrorBody(reply, 400, 'INVALID_JSON');
    expect(reply.json.error).toBe('Request body has a field more than once.');
  });

  it('opens an account with Content-Type: application/json and an empty body', async () => {
    const counterparty = newCounterparty();
    const customer = await create(counterparty);
    for (const body of ['', ' ']) {
      const reply = await call('POST', `${customersUrl(counterparty)}/${customer}/accounts`, body, { 'content-type': 'application/json' });
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ customer_guid: customer, asset_code: 'EURC' });
    }
  });

  it('accepts a UTF-8 byte order mark (.NET writers add one) and media type parameters in any case', async () => {
    const counterparty = newCounterparty();
    const reply = await call('POST', customersUrl(counterparty), `\ufeff${JSON.stringify(minimal)}`, { 'content-type': 'Application/JSON; Charset=UTF-8' });
    expect(reply.status).toBe(200);
  });

  it.each([
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=iso-8859-1' }],
    ['a compressed body', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
  ])('refuses %s with 415', async (_what, headers) => {
    expectErrorBody(await call('POST', customersUrl(newCounterparty()), minimal, headers), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['.NET decimal, scale kept', '1500.2500000', '1500.25'],
    ['.NET decimal, more trailing zeros than Stellar has decimals', '0.100000000000', '0.1'],
    ["Java BigDecimal's toString()", '1.50025E+3', '1500.25'],
    ['a JavaScript double', '1e-7', '0.0000001'],
  ])('reads money written as %s (%s) exactly', async (_client, text, expected) => {
    const counterparty = newCounterparty();
    const customer = await create(counterparty);
    const reply = await call('PUT', `${customersUrl(counterparty)}/${customer}`, `{"balance_allowed": ${text}}`);
    expect(reply.status).toBe(200);
    expect(reply.text).toContain(`"balance_allowed":${expected},`);
  });
});

describe('query strings as other stacks send them', () => {
  let counterparty: string;
  let customer: string;
  let createdAt: string;
  beforeAll(async () => {
    counterparty = newCounterparty();
    customer = await create(counterparty, { phone_number: '+380 50 123 4567' });
    createdAt = (await projected(counterparty, customer)).created_at;
  });

  const totalOf = async (query: string) => {
    const reply = await call<{ total: number }>('GET', `${customersUrl(counterparty)}?${query}`);
    expect(reply.status).toBe(200);
    return reply.json.total;
  };

  it('reads phone_numbers=+380… with the + unencoded (a space after form decoding) as +380…', async () => {
    expect(await totalOf('phone_numbers=+380501234567')).toBe(1);
    expect(await totalOf('phone_numbers=%2B380501234567')).toBe(1);
  });

  it('reads lists as repeated names, a[] and a[0]; booleans in any letter case', async () => {
    expect(await totalOf(`wallet_user_guids[0]=${customer}&wallet_user_guids[1]=${randomUUID()}`)).toBe(1);
    expect(await totalOf('is_disabled=True&kyc_levels[]=0')).toBe(1);
  });

  it('compares .NET (7 digits) and Java (9 digits) timestamps exactly against the stored microseconds', async () => {
    const stored = createdAt.replace('Z', ''); // e.g. 2026-12-02T07:00:00.123, milliseconds as the service stores them
    const later = `${stored}0000001Z`; // 0.1 ns after it
    const earlier = new Date(Date.parse(createdAt) - 1).toISOString().replace('Z', '9999999Z'); // 0.1 ns before it
    expect(await totalOf(`min_created_at=${later}`)).toBe(0);
    expect(await totalOf(`max_created_at=${later}`)).toBe(1);
    expect(await totalOf(`min_created_at=${earlier}`)).toBe(1);
    expect(await totalOf(`max_created_at=${earlier}`)).toBe(0);
    // The same instant as .NET's "o" writes it in a +02:00 zone, and with the + left unencoded.
    const local = new Date(Date.parse(createdAt) + 2 * 3600_000).toISOString().replace('Z', '0000+02:00');
    expect(await totalOf(`min_created_at=${encodeURIComponent(local)}&max_created_at=${encodeURIComponent(local)}`)).toBe(1);
    expect(await totalOf(`min_created_at=${local}&max_created_at=${local}`)).toBe(1);
  });
});

/**
 * Sends bytes as they are on a new connection (no client library to percent-encode or refuse
 * them) and reads the whole answer, which must close the connection.
 */
function rawRequest(bytes: Buffer): Promise<Reply> {
  const { hostname, port } = new URL(service.api);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = new Headers(lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: body, json: JSON.parse(body) as unknown });
    });
  });
}

describe('requests that Node\'s HTTP parser refuses, as hand-written clients send them', () => {
  it('answers raw UTF-8 in the query string (curl given the text as typed) with the documented 400 body', async () => {
    const counterparty = newCounterparty();
    const token = await mintToken({ counterparty });
    const path = `${new URL(customersUrl(counterparty)).pathname}?search_string=Ярослава`;
    const reply = await rawRequest(Buffer.from(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n\r\n`, 'utf8'));
    expectErrorBody(reply, 400, 'BAD_REQUEST');
    expect(reply.json).toMatchObject({ error: expect.stringContaining('percent-encode') });
    expect(reply.headers.get('connection')).toBe('close');
    expect(reply.text).not.toContain('Ярослава');
    // The same query percent-encoded, as .NET's and Java's URI builders send it, is answered.
    const encoded = await call('GET', `${customersUrl(counterparty)}?search_string=${encodeURIComponent('Ярослава')}`, undefined, { authorization: `Bearer ${token}` });
    expect(encoded.status).toBe(200);
  });

  it('answers headers over the server\'s limit with 431 and a request that is not HTTP with 400, in the documented body', async () => {
    const huge = await rawRequest(Buffer.from(`GET /api/v1/ HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expectErrorBody(huge, 431, 'HEADERS_TOO_LARGE');
    const garbage = await rawRequest(Buffer.from('HELLO THERE\r\n\r\n'));
    expectErrorBody(garbage, 400, 'BAD_REQUEST');
  });
});

describe('a body over 64 kB, from real HTTP clients', () => {
  const bigBody = () => JSON.stringify({ ...minimal, name: 'x'.repeat(4 * 1024 * 1024) });

  it("answers 413 that Node's fetch (undici) reads, instead of resetting the connection", async () => {
    const counterparty = newCounterparty();
    const reply = await fetch(customersUrl(counterparty), {
      method: 'POST',
      body: bigBody(),
      headers: { authorization: `Bearer ${await mintToken({ counterparty })}`, 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(413);
    expect(((await reply.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it("answers 413 that node:http's client reads", async () => {
    const counterparty = newCounterparty();
    const token = await mintToken({ counterparty });
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(customersUrl(counterparty), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(bigBody());
    });
    expect(status).toBe(413);
  });

  it('answers 413 that curl reads (it sends Expect: 100-continue for large bodies)', async () => {
    const counterparty = newCounterparty();
    const token = await mintToken({ counterparty });
    const curl = spawn('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-X', 'POST', customersUrl(counterparty),
      '-H', `authorization: Bearer ${token}`, '-H', 'content-type: application/json', '--data-binary', '@-']);
    let stdout = '';
    curl.stdout.on('data', (chunk) => (stdout += chunk));
    curl.stdin.on('error', () => undefined); // reported by curl's own exit and output
    curl.stdin.end(bigBody());
    await new Promise((resolve) => curl.once('close', resolve));
    expect(stdout).toBe('413');
  });
});

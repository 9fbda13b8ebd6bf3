import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { call, callRetrying, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { withDb } from './support/db';
import { expectErrorBody } from './support/error-body';
import { mintToken } from './support/tokens';

let service: RunningApp;
let strict: RunningApp;
beforeAll(async () => {
  // 1,100 isolation attempts in a few seconds: far past the default per-employee limit, tested on its own below.
  service = await startApp({ ROLES: 'api', RATE_LIMIT_PER_MINUTE: '100000' });
  strict = await startApp({ ROLES: 'api', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'customer-service' });
});
afterAll(async () => {
  await service?.close();
  await strict?.close();
});

const secret = () => new TextEncoder().encode(process.env.AUTH_JWT_SECRET);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const customersUrl = (app: RunningApp, counterparty: string) => `${app.api}/counterparty/${counterparty}/customers`;
const create = { asset_code: 'EURC', asset_issuer: ISSUER };

function signed(claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setExpirationTime('5m')) {
  return build(new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('employee-1').setIssuedAt()).sign(secret());
}

describe('forged and invalid tokens → 401', () => {
  const counterparty = newCounterparty();
  const claims = { counterparty_guid: counterparty, scope: 'customers:read customers:write' };
  const forged: [string, () => Promise<Record<string, string>>][] = [
    ['no Authorization header', () => Promise.resolve({ authorization: '' })],
    ['not a bearer scheme', () => Promise.resolve({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['malformed token', () => Promise.resolve(bearer('not.a.jwt'))],
    ['alg none', () => Promise.resolve(bearer(new UnsecuredJWT(claims).setSubject('employee-1').setExpirationTime('5m').encode()))],
    ['another algorithm (HS512)', async () => bearer(await new SignJWT(claims).setProtectedHeader({ alg: 'HS512', typ: 'JWT' }).setSubject('e').setIssuedAt().setExpirationTime('5m').sign(secret()))],
    ['wrong key', async () => bearer(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('e').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode('another-secret-of-sufficient-length-0001')))],
    ['expired', async () => bearer(await signed(claims, (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 60)))],
    ['not yet valid', async () => bearer(await signed(claims, (jwt) => jwt.setExpirationTime('10m').setNotBefore('5m')))],
    ['without exp', async () => bearer(await signed(claims, (jwt) => jwt))],
    ['without counterparty_guid', async () => bearer(await signed({ scope: 'customers:write' }))],
    ['counterparty_guid not a uuid', async () => bearer(await signed({ ...claims, counterparty_guid: 'bank-1' }))],
    ['tampered payload', async () => {
      const [header, , signature] = (await signed(claims)).split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'admin', exp: 9999999999 })).toString('base64url');
      return bearer(`${header}.${payload}.${signature}`);
    }],
    ['oversize token', () => Promise.resolve(bearer('a'.repeat(9000)))],
    // A sub becomes each event's actor: one the events' jsonb cannot hold was a 500 at the write.
    ['no typ header (not explicitly an access token, RFC 8725)', async () => bearer(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('e').setIssuedAt().setExpirationTime('5m').sign(secret()))],
    ['an ID token (typ ID)', async () => bearer(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'ID' }).setSubject('e').setIssuedAt().setExpirationTime('5m').sign(secret()))],
    ['without iat', async () => bearer(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('e').setExpirationTime('5m').sign(secret()))],
    ['issued over an hour ago, though not expired', async () => bearer(await signed(claims, (jwt) => jwt.setIssuedAt(Math.floor(Date.now() / 1000) - 3700).setExpirationTime('1h')))],
    ['issued in the future', async () => bearer(await signed(claims, (jwt) => jwt.setIssuedAt(Math.floor(Date.now() / 1000) + 600).setExpirationTime('1h')))],
    ['sub with a lone surrogate', async () => bearer(await signed(claims, (jwt) => jwt.setSubject('employee-\ud800').setExpirationTime('5m')))],
    ['sub with a control character', async () => bearer(await signed(claims, (jwt) => jwt.setSubject('employee\n1').setExpirationTime('5m')))],
  ];

  it.each(forged)('%s', async (_name, headers) => {
    for (const [method, url, body] of [
      ['POST', customersUrl(service, counterparty), create],
      ['PUT', `${customersUrl(service, counterparty)}/${randomUUID()}`, {}],
      ['POST', `${customersUrl(service, counterparty)}/${randomUUID()}/accounts`, {}],
      ['GET', customersUrl(service, counterparty), undefined],
      ['GET', `${customersUrl(service, counterparty)}/${randomUUID()}`, undefined],
      ['GET', `${customersUrl(service, counterparty)}/${randomUUID()}/accounts`, undefined],
    ] as const) {
      const reply = await call(method, url, body, await headers());
      expectErrorBody(reply, 401, 'UNAUTHENTICATED');
      expect(reply.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('checks iss and aud when they are configured', async () => {
    const url = customersUrl(strict, counterparty);
    const good = await signed(claims, (jwt) => jwt.setIssuer('https://idp.example').setAudience('customer-service').setExpirationTime('5m'));
    expect((await call('POST', url, create, bearer(good))).status).toBe(200);
    const wrongIssuer = await signed(claims, (jwt) => jwt.setIssuer('https://evil.example').setAudience('customer-service').setExpirationTime('5m'));
    const wrongAudience = await signed(claims, (jwt) => jwt.setIssuer('https://idp.example').setAudience('other').setExpirationTime('5m'));
    for (const token of [wrongIssuer, wrongAudience, await mintToken({ counterparty })]) {
      expectErrorBody(await call('POST', url, create, bearer(token)), 401, 'UNAUTHENTICATED');
    }
  });

  it('leaves the health endpoints (on the management listener) open', async () => {
    expect((await call('GET', `${service.management}/health/live`)).status).toBe(200);
  });
});

describe('scopes', () => {
  it('lets a read-only token read', async () => {
    const counterparty = newCounterparty();
    const readOnly = bearer(await mintToken({ counterparty, scope: 'customers:read' }));
    expect((await call('GET', customersUrl(service, counterparty), undefined, readOnly)).status).toBe(200);
    const writeOnly = bearer(await mintToken({ counterparty, scope: 'customers:write' }));
    expectErrorBody(await call('GET', customersUrl(service, counterparty), undefined, writeOnly), 403, 'INSUFFICIENT_SCOPE');
  });

  it('refuses a read-only token on every write route with 403', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = (await call<CreatedCustomerResponse>('POST', customersUrl(service, counterparty), create)).json;
    const readOnly = bearer(await mintToken({ counterparty, scope: 'customers:read' }));
    for (const [method, url, body] of [
      ['POST', customersUrl(service, counterparty), create],
      ['PUT', `${customersUrl(service, counterparty)}/${customer_guid}`, { kyc_level: 1 }],
      ['POST', `${customersUrl(service, counterparty)}/${customer_guid}/accounts`, {}],
    ] as const) {
      expectErrorBody(await call(method, url, body, readOnly), 403, 'INSUFFICIENT_SCOPE');
    }
    const version = await withDb(async (db) => (await db.query<{ version: number }>('SELECT version FROM customers WHERE guid = $1', [customer_guid])).rows[0].version);
    expect(version).toBe(1);
  });
});

describe('counterparty isolation', () => {
  it('never lets a token for A read or change B: 0 of 1,000 attempts', async () => {
    const [a, b] = [newCounterparty(), newCounterparty()];
    const victims: string[] = [];
    for (let i = 0; i < 5; i++) victims.push((await call<CreatedCustomerResponse>('POST', customersUrl(service, b), { ...create, login: `victim-${i}` })).json.customer_guid);
    const tokenA = bearer(await mintToken({ counterparty: a }));
    const missing = await call<ErrorBodyDto>('PUT', `${customersUrl(service, a)}/${randomUUID()}`, { kyc_level: 1 }, tokenA);
    const attempts: Promise<void>[] = [];
    let tried = 0;
    for (let round = 0; round < 100; round++) {
      const guid = round % 2 ? victims[round % victims.length] : randomUUID();
      const routes: [string, string, unknown, number, string][] = [
        ['PUT', `${customersUrl(service, b)}/${guid}`, { kyc_level: 9 }, 403, 'COUNTERPARTY_FORBIDDEN'],
        ['POST', `${customersUrl(service, b)}/${guid}/accounts`, {}, 403, 'COUNTERPARTY_FORBIDDEN'],
        ['POST', customersUrl(service, b), { ...create, login: `intruder-${round}` }, 403, 'COUNTERPARTY_FORBIDDEN'],
        ['PUT', `${customersUrl(service, a)}/${guid}`, { kyc_level: 9 }, 404, 'CUSTOMER_NOT_FOUND'],
        ['POST', `${customersUrl(service, a)}/${guid}/accounts`, {}, 404, 'CUSTOMER_NOT_FOUND'],
        ['PUT', `${customersUrl(service, b.toUpperCase())}/${guid}`, { kyc_level: 9 }, 403, 'COUNTERPARTY_FORBIDDEN'],
        ['GET', `${customersUrl(service, b)}?wallet_user_guids=${guid}`, undefined, 403, 'COUNTERPARTY_FORBIDDEN'],
        ['GET', `${customersUrl(service, b)}/${guid}`, undefined, 403, 'COUNTERPARTY_FORBIDDEN'],
        ['GET', `${customersUrl(service, b)}/${guid}/accounts`, undefined, 403, 'COUNTERPARTY_FORBIDDEN'],
        ['GET', `${customersUrl(service, a)}/${guid}`, undefined, 404, 'CUSTOMER_NOT_FOUND'],
        ['GET', `${customersUrl(service, a)}/${guid}/accounts`, undefined, 404, 'CUSTOMER_NOT_FOUND'],
      ];
      for (const [method, url, body, status, code] of routes) {
        tried++;
        attempts.push(
          // Retrying a 503 as a client would: the property is isolation, not capacity.
          callRetrying<ErrorBodyDto>(method, url, body, tokenA).then((reply) => {
            expectErrorBody(reply, status, code);
            // Another counterparty's customer looks exactly like a missing one.
            if (status === 404 && method === 'PUT') expect({ ...reply.json, request_id: '' }).toEqual({ ...missing.json, request_id: '' });
          }),
        );
      }
      if (attempts.length >= 60) await Promise.all(attempts.splice(0));
    }
    await Promise.all(attempts);
    expect(tried).toBeGreaterThanOrEqual(1000);
    // A's own list, filtered by B's customers' guids, finds nothing.
    const list = await call('GET', `${customersUrl(service, a)}?is_disabled=true&${victims.map((v) => `wallet_user_guids=${v}`).join('&')}`, undefined, tokenA);
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ customers: [], total: 0, total_relation: 'eq', next_cursor: null });
    const rows = await withDb(async (db) => (await db.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM customers WHERE counterparty_guid = $1) AS b_customers,
              (SELECT max(version) FROM customers WHERE counterparty_guid = $1) AS b_max_version,
              (SELECT count(*)::int FROM wallet_accounts WHERE counterparty_guid = $1) AS b_accounts,
              (SELECT count(*)::int FROM customers WHERE counterparty_guid = $2) AS a_customers`, [b, a])).rows[0]);
    expect(rows).toEqual({ b_customers: 5, b_max_version: 1, b_accounts: 5, a_customers: 0 });
  }, 300_000); // 1,000 requests: minutes on a loaded machine, seconds on a quiet one
});

describe('branch-scoped employees', () => {
  it('create into their branch only and see only their branch\'s customers', async () => {
    const counterparty = newCounterparty();
    const [mine, other] = [randomUUID(), randomUUID()];
    const branchToken = bearer(await mintToken({ counterparty, branch: mine }));
    const created = await call<CreatedCustomerResponse>('POST', customersUrl(service, counterparty), create, branchToken);
    expect(created.status).toBe(200);
    const branchOf = (guid: string) => withDb(async (db) => (await db.query<{ branch_guid: string | null }>('SELECT branch_guid FROM customers WHERE guid = $1', [guid])).rows[0].branch_guid);
    expect(await branchOf(created.json.customer_guid)).toBe(mine);
    expectErrorBody(await call('POST', customersUrl(service, counterparty), { ...create, branch_guid: other }, branchToken), 403, 'BRANCH_FORBIDDEN');
    expectErrorBody(await call('PUT', `${customersUrl(service, counterparty)}/${created.json.customer_guid}`, { branch_guid: other }, branchToken), 403, 'BRANCH_FORBIDDEN');
    expect((await call('PUT', `${customersUrl(service, counterparty)}/${created.json.customer_guid}`, { kyc_level: 2 }, branchToken)).status).toBe(200);

    const otherBranch = (await call<CreatedCustomerResponse>('POST', customersUrl(service, counterparty), { ...create, branch_guid: other })).json.customer_guid;
    const noBranch = (await call<CreatedCustomerResponse>('POST', customersUrl(service, counterparty), create)).json.customer_guid;
    for (const guid of [otherBranch, noBranch]) {
      expectErrorBody(await call('PUT', `${customersUrl(service, counterparty)}/${guid}`, { kyc_level: 3 }, branchToken), 404, 'CUSTOMER_NOT_FOUND');
      expectErrorBody(await call('POST', `${customersUrl(service, counterparty)}/${guid}/accounts`, {}, branchToken), 404, 'CUSTOMER_NOT_FOUND');
    }
  });

  it("never replays another branch's stored response, nor tells that its Idempotency-Key exists", async () => {
    const counterparty = newCounterparty();
    const [mine, other] = [randomUUID(), randomUUID()];
    const [myToken, otherToken] = [bearer(await mintToken({ counterparty, branch: mine })), bearer(await mintToken({ counterparty, branch: other }))];
    const theirs = (await call<CreatedCustomerResponse>('POST', customersUrl(service, counterparty), create, otherToken)).json.customer_guid;
    const accounts = `${customersUrl(service, counterparty)}/${theirs}/accounts`;
    const key = { 'idempotency-key': `open-${randomUUID()}` };
    const first = await call('POST', accounts, {}, { ...otherToken, ...key });
    expect(first.status).toBe(200);
    // The same request, and another body, under the same key from the other branch: 404 as for a missing customer.
    expectErrorBody(await call('POST', accounts, {}, { ...myToken, ...key }), 404, 'CUSTOMER_NOT_FOUND');
    expectErrorBody(await call('POST', accounts, { iban: 'DE89370400440532013000' }, { ...myToken, ...key }), 404, 'CUSTOMER_NOT_FOUND');
    // A create with the same body and key from the other branch is its own request: it lands in its own branch.
    const createKey = { 'idempotency-key': `create-${randomUUID()}` };
    const created = await call<CreatedCustomerResponse>('POST', customersUrl(service, counterparty), create, { ...otherToken, ...createKey });
    const again = await call<ErrorBodyDto>('POST', customersUrl(service, counterparty), create, { ...myToken, ...createKey });
    expect(again.status).toBe(422);
    expect(again.json.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(again.text).not.toContain(created.json.customer_guid);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-employee limit', async () => {
    const limited = await startApp({ ROLES: 'api', RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const url = `${customersUrl(limited, newCounterparty())}/${randomUUID()}`;
      const statuses = [];
      // One limit per employee across routes: an update, an account opening, then updates.
      statuses.push(await call('PUT', url, {}));
      statuses.push(await call('POST', `${url}/accounts`, {}));
      for (let i = 0; i < 2; i++) statuses.push(await call('PUT', url, {}));
      expect(statuses.slice(0, 3).map((r) => r.status)).toEqual([404, 404, 404]);
      expectErrorBody(statuses[3], 429, 'TOO_MANY_REQUESTS');
      expect(Number(statuses[3].headers.get('retry-after'))).toBeGreaterThan(0);
      // Probes (on the management listener) share no count with anything, and are never refused.
      for (let i = 0; i < 5; i++) expect((await fetch(`${limited.management}/health/live`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('limits every client address before authentication, believing X-Forwarded-For only from a trusted proxy', async () => {
    const limited = await startApp({ ROLES: 'api', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '4', TRUST_PROXY: 'loopback' });
    try {
      const url = customersUrl(limited, newCounterparty());
      const from = (address: string, authorization = 'Bearer forged') => call('GET', url, undefined, { authorization, 'x-forwarded-for': address });
      const flood = [];
      for (let i = 0; i < 5; i++) flood.push(await from('203.0.113.7'));
      expect(flood.slice(0, 4).map((r) => r.status)).toEqual([401, 401, 401, 401]);
      expectErrorBody(flood[4], 429, 'TOO_MANY_REQUESTS');
      expect(Number(flood[4].headers.get('retry-after'))).toBeGreaterThan(0);
      // Another address is counted apart, with a valid token as without.
      expect((await from('198.51.100.9', bearer(await mintToken({ counterparty: url.split('/').at(-2)! })).authorization)).status).toBe(200);
    } finally {
      await limited.close();
    }
    const untrusting = await startApp({ ROLES: 'api', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2' });
    try {
      const url = customersUrl(untrusting, newCounterparty());
      const statuses = [];
      // Without TRUST_PROXY the header is the client's own claim: every request is the socket's address.
      for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) statuses.push((await call('GET', url, undefined, { authorization: 'Bearer x', 'x-forwarded-for': address })).status);
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await untrusting.close();
    }
  });

  it('refuses an unauthenticated request before reading its body', async () => {
    const url = customersUrl(service, newCounterparty());
    // Not JSON, and far over the body limit: a parsed body would answer 400 or 413.
    expectErrorBody(await call('POST', url, '{"not json', { authorization: 'Bearer forged' }), 401, 'UNAUTHENTICATED');
    const reply = await fetch(url, { method: 'POST', body: 'x'.repeat(1024 * 1024), headers: { authorization: 'Bearer forged', 'content-type': 'application/json' } });
    expect(reply.status).toBe(401);
  });
});

import { randomUUID } from 'node:crypto';
import { call, callRetrying, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { CreatedCustomerResponse, CustomerResponse, OpenedAccountResponse } from '../apps/customer-service/src/customers/customer.responses';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { withDb } from './support/db';
import { ReadBackEvent } from './support/events';

let service: RunningApp;
/** Small, so the limit is reached in a test (the default is 100). */
const MAX_ACCOUNTS = 5;
beforeAll(async () => {
  service = await startApp({ ROLES: 'api', MAX_ACCOUNTS_PER_CUSTOMER: String(MAX_ACCOUNTS) });
});
afterAll(async () => {
  await service?.close();
});

const customersUrl = (counterparty: string) => `${service.api}/counterparty/${counterparty}/customers`;
const minimal = { asset_code: 'EURC', asset_issuer: ISSUER };

async function createCustomer(counterparty: string, body: object = {}) {
  const reply = await call<CreatedCustomerResponse>('POST', customersUrl(counterparty), { ...minimal, ...body });
  expect(reply.status).toBe(200);
  return reply.json;
}

async function outboxFor(customerGuid: string) {
  return withDb(async (db) => {
    const { rows } = await db.query<{ type: string; payload: string }>(
      `SELECT type, payload::text AS payload, published_at FROM outbox WHERE aggregateid = $1 ORDER BY seq`,
      [customerGuid],
    );
    return rows.map((row) => ({ type: row.type, payload: JSON.parse(row.payload) as ReadBackEvent }));
  });
}

describe('POST /counterparty/{c}/customers', () => {
  it('creates the customer with the seed response shape and one outbox event', async () => {
    const counterparty = newCounterparty();
    const reply = await call<CreatedCustomerResponse>('POST', customersUrl(counterparty), {
      ...minimal, login: 'Ada@Example.com', name: ' Ada ', surname: 'Lovelace', phone_number: '+44 20 7946 0958',
      iban: 'gb82 west 1234 5698 7654 32', kyc_level: 2, balance_allowed: 899999999.9999999, segment: 'PL',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('"1"');
    const body = reply.json;
    expect(Object.keys(body).sort()).toEqual(
      ['activated', 'assets', 'assets_total', 'blocked', 'customer_guid', 'guid', 'iban', 'name', 'platform', 'registered', 'type', 'version', 'wallet_account_guid'],
    );
    expect(body).toMatchObject({
      activated: true, registered: true, blocked: false, assets_total: 1, iban: 'GB82WEST12345698765432', name: 'Ada',
      platform: 'stellar', type: 'customer', version: 1,
      assets: [{ code: 'EURC', stellar_code: 'EURC', stellar_issuer: ISSUER, minor_unit: 7, balance: 0, platform: 'stellar', activated: true }],
    });
    expect(body.guid).toBe(body.wallet_account_guid);

    const [event, ...more] = await outboxFor(body.customer_guid);
    expect(more).toEqual([]);
    expect(event.type).toBe('customer.created.v1');
    expect(event.payload).toMatchObject({
      type: 'customer.created.v1', counterparty_guid: counterparty, customer_guid: body.customer_guid, version: 1,
      customer: { login: 'Ada@Example.com', name: 'Ada', phone_number: '+442079460958', kyc_level: 2, segment: 'PL', accounts: [{ wallet_account_guid: body.guid }] },
    });
  });

  it('keeps 7-decimal money exact through the database and the event', async () => {
    const counterparty = newCounterparty();
    const reply = await call<CreatedCustomerResponse>('POST', customersUrl(counterparty), '{"asset_code":"EURC","asset_issuer":"' + ISSUER + '","balance_allowed":899999999.9999999}');
    const { customer_guid } = reply.json;
    const stored = await withDb(async (db) => (await db.query<{ b: string; p: string }>(`SELECT balance_allowed::text AS b, (SELECT payload::text FROM outbox WHERE aggregateid = $1::text) AS p FROM customers WHERE guid = $1::uuid`, [customer_guid])).rows[0]);
    expect(stored.b).toBe('899999999.9999999');
    expect(stored.p).toContain('"balance_allowed": 899999999.9999999');
  });

  it('lets exactly one of 50 concurrent creates with one login (any case) succeed', async () => {
    const counterparty = newCounterparty();
    const logins = Array.from({ length: 50 }, (_, i) => (i % 2 ? 'Same.Login@x' : 'same.login@X'));
    const replies = await Promise.all(logins.map((login) => call('POST', customersUrl(counterparty), { ...minimal, login })));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect((replies.find((r) => r.status === 409)!.json as ErrorBodyDto).code).toBe('LOGIN_TAKEN');
    const count = await withDb(async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE counterparty_guid = $1`, [counterparty])).rows[0].n);
    expect(count).toBe(1);
  });

  it('allows the same login in another counterparty', async () => {
    await createCustomer(newCounterparty(), { login: 'shared-login' });
    await createCustomer(newCounterparty(), { login: 'shared-login' });
  });

  it('refuses a second IBAN in the same counterparty with 409 IBAN_TAKEN and writes nothing', async () => {
    const counterparty = newCounterparty();
    await createCustomer(counterparty, { iban: 'DE89370400440532013000' });
    const reply = await call<ErrorBodyDto>('POST', customersUrl(counterparty), { ...minimal, iban: 'DE89 3704 0044 0532 0130 00', login: 'second' });
    expect(reply.status).toBe(409);
    expect(reply.json.code).toBe('IBAN_TAKEN');
    const logins = await withDb(async (db) => (await db.query<{ login: string | null }>(`SELECT login FROM customers WHERE counterparty_guid = $1`, [counterparty])).rows);
    expect(logins).toEqual([{ login: null }]);
  });
});

describe('Idempotency-Key', () => {
  it('turns 10 retries into one customer and identical replays', async () => {
    const counterparty = newCounterparty();
    const body = { ...minimal, login: `idem-${randomUUID()}` };
    const replies = [];
    for (let i = 0; i < 10; i++) replies.push(await call<CreatedCustomerResponse>('POST', customersUrl(counterparty), body, { 'Idempotency-Key': 'key-1' }));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    expect(replies[0].headers.get('idempotent-replayed')).toBeNull();
    expect(replies.slice(1).every((r) => r.headers.get('idempotent-replayed') === 'true')).toBe(true);
    const count = await withDb(async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE counterparty_guid = $1`, [counterparty])).rows[0].n);
    expect(count).toBe(1);
    expect(await outboxFor(replies[0].json.customer_guid)).toHaveLength(1);
  });

  it('answers 422 when the key is reused with another body, and changes nothing', async () => {
    const counterparty = newCounterparty();
    await call('POST', customersUrl(counterparty), { ...minimal, login: 'first' }, { 'Idempotency-Key': 'k' });
    const reply = await call<ErrorBodyDto>('POST', customersUrl(counterparty), { ...minimal, login: 'other' }, { 'Idempotency-Key': 'k' });
    expect(reply.status).toBe(422);
    expect(reply.json.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const logins = await withDb(async (db) => (await db.query<{ login: string | null }>(`SELECT login FROM customers WHERE counterparty_guid = $1`, [counterparty])).rows);
    expect(logins).toEqual([{ login: 'first' }]);
  });

  it('runs a key once under 20 concurrent sends: 200 or 409 in flight, never 5xx', async () => {
    const counterparty = newCounterparty();
    const body = { ...minimal, login: 'concurrent' };
    const replies = await Promise.all(Array.from({ length: 20 }, () => call('POST', customersUrl(counterparty), body, { 'Idempotency-Key': 'same' })));
    expect(replies.every((r) => r.status === 200 || (r.status === 409 && (r.json as ErrorBodyDto).code === 'IDEMPOTENCY_IN_FLIGHT'))).toBe(true);
    const guids = new Set(replies.filter((r) => r.status === 200).map((r) => (r.json as CreatedCustomerResponse).customer_guid));
    expect(guids.size).toBe(1);
    const count = await withDb(async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE counterparty_guid = $1`, [counterparty])).rows[0].n);
    expect(count).toBe(1);
  });

  it('does not store a failed request: a retry after fixing nothing runs again', async () => {
    const counterparty = newCounterparty();
    const bad = await call('POST', customersUrl(counterparty), { ...minimal, kyc_level: -1 }, { 'Idempotency-Key': 'k2' });
    expect(bad.status).toBe(400);
    const good = await call('POST', customersUrl(counterparty), { ...minimal, kyc_level: 1 }, { 'Idempotency-Key': 'k2' });
    expect(good.status).toBe(200);
  });
});

describe('PUT /counterparty/{c}/customers/{customer_guid}', () => {
  it('changes only the given fields, raises the version and records the changes', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = await createCustomer(counterparty, { name: 'Ada', surname: 'Lovelace', status: 'new' });
    const reply = await call<CustomerResponse>('PUT', `${customersUrl(counterparty)}/${customer_guid}`, { surname: 'Byron', status: null, kyc_level: 3 }, { 'If-Match': '"1"' });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('etag')).toBe('"2"');
    expect(reply.json).toMatchObject({
      customer_guid, wallet_user_guid: customer_guid, counterparty_guid: counterparty, name: 'Ada', surname: 'Byron',
      status: null, kyc_level: 3, version: 2, accounts_total: 1, paternal_name: null, phone_number: null,
    });
    const events = await outboxFor(customer_guid);
    expect(events.map((e) => e.type)).toEqual(['customer.created.v1', 'customer.updated.v1']);
    expect(events[1].payload.changes).toEqual({ surname: { from: 'Lovelace', to: 'Byron' }, status: { from: 'new', to: null }, kyc_level: { from: 0, to: 3 } });
  });

  it('answers a no-op with the current state, no new version and no event', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = await createCustomer(counterparty, { name: 'Ada' });
    const reply = await call<CustomerResponse>('PUT', `${customersUrl(counterparty)}/${customer_guid}`, { name: 'Ada', wallet_user_guid: customer_guid });
    expect(reply.status).toBe(200);
    expect(reply.json.version).toBe(1);
    expect(await outboxFor(customer_guid)).toHaveLength(1);
  });

  it('lets exactly one of 50 concurrent PUTs with the same If-Match win; the rest get 412', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = await createCustomer(counterparty);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => callRetrying<CustomerResponse>('PUT', `${customersUrl(counterparty)}/${customer_guid}`, { kyc_level: i + 1 }, { 'If-Match': '"1"' })),
    );
    const winners = replies.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(replies.filter((r) => r.status === 412)).toHaveLength(49);
    const events = await outboxFor(customer_guid);
    expect(events.map((e) => e.payload.version)).toEqual([1, 2]);
    expect(events[1].payload.customer.kyc_level).toBe(winners[0].json.kyc_level);
  });

  it('applies concurrent PUTs without If-Match one after another (no lost update)', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = await createCustomer(counterparty);
    const fields = ['name', 'surname', 'paternal_name', 'status'];
    await Promise.all(fields.map((field) => call('PUT', `${customersUrl(counterparty)}/${customer_guid}`, { [field]: `v-${field}` })));
    const events = await outboxFor(customer_guid);
    expect(events.map((e) => e.payload.version)).toEqual([1, 2, 3, 4, 5]);
    expect(events[4].payload.customer).toMatchObject({ name: 'v-name', surname: 'v-surname', paternal_name: 'v-paternal_name', status: 'v-status' });
  });
});

describe('POST /counterparty/{c}/customers/{customer_guid}/accounts', () => {
  it('opens an account in the first account\'s asset by default and raises the version', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = await createCustomer(counterparty);
    const reply = await call<OpenedAccountResponse>('POST', `${customersUrl(counterparty)}/${customer_guid}/accounts`, { iban: 'GB82WEST12345698765432' });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ customer_guid, counterparty_guid: counterparty, iban: 'GB82WEST12345698765432', asset_code: 'EURC', asset_issuer: ISSUER, version: 2, type: 'customer' });
    expect(reply.json.guid).toBe(reply.json.wallet_account_guid);
    const events = await outboxFor(customer_guid);
    expect(events[1]).toMatchObject({ type: 'customer.account_opened.v1', payload: { version: 2, account: { wallet_account_guid: reply.json.guid } } });
    expect(events[1].payload.customer.accounts).toHaveLength(2);
  });

  it('opens an account with no body at all', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = await createCustomer(counterparty);
    const reply = await call<OpenedAccountResponse>('POST', `${customersUrl(counterparty)}/${customer_guid}/accounts`);
    expect(reply.status).toBe(200);
    expect(reply.json.iban).toBeNull();
  });

  it('refuses accounts beyond MAX_ACCOUNTS_PER_CUSTOMER with 409 ACCOUNT_LIMIT_REACHED, also under 12 concurrent opens', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = await createCustomer(counterparty);
    const url = `${customersUrl(counterparty)}/${customer_guid}/accounts`;
    // The customer row lock serialises them: exactly MAX_ACCOUNTS - 1 pass the check.
    const replies = await Promise.all(Array.from({ length: 12 }, () => call<ErrorBodyDto>('POST', url, {})));
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(MAX_ACCOUNTS - 1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(12 - (MAX_ACCOUNTS - 1));
    const refused = replies.find((reply) => reply.status === 409)!.json;
    expect(refused).toMatchObject({ code: 'ACCOUNT_LIMIT_REACHED', details: [{ field: 'accounts', message: `at most ${MAX_ACCOUNTS} per customer` }] });
    // Nothing half-written: MAX_ACCOUNTS accounts, one event per version, the last one carrying them all.
    const events = await outboxFor(customer_guid);
    expect(events.map((event) => event.payload.version)).toEqual([1, 2, 3, 4, 5]);
    expect(events[4].payload.customer.accounts).toHaveLength(MAX_ACCOUNTS);
    const accounts = await withDb(async (db) => (await db.query('SELECT 1 FROM wallet_accounts WHERE customer_guid = $1', [customer_guid])).rowCount);
    expect(accounts).toBe(MAX_ACCOUNTS);
  });

  it('replays with an Idempotency-Key instead of opening twice', async () => {
    const counterparty = newCounterparty();
    const { customer_guid } = await createCustomer(counterparty);
    const url = `${customersUrl(counterparty)}/${customer_guid}/accounts`;
    const first = await call('POST', url, {}, { 'Idempotency-Key': 'acc-1' });
    const again = await call('POST', url, {}, { 'Idempotency-Key': 'acc-1' });
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await outboxFor(customer_guid)).toHaveLength(2);
  });
});

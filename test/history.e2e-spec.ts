import { randomUUID } from 'node:crypto';
import { HISTORY_PARAMS } from '../apps/customer-service/src/customers/queries/get-history/history.params';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { call, ISSUER, newCounterparty, Reply, RunningApp, startApp } from './support/app';
import { expectErrorBody } from './support/error-body';
import { mintToken } from './support/tokens';

/**
 * GET …/customers/{customer_guid}/history (issue 18) over the whole pipeline: HTTP writes →
 * outbox → relay → Kafka → projector → customer_history → the route. Access as GET one,
 * paging by offset and cursor, the filters, min_version.
 */
let service: RunningApp;
beforeAll(async () => {
  service = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000', MIN_VERSION_WAIT_MS: '1500' });
});
afterAll(async () => {
  await service?.close();
});

const ISSUER2 = 'GARGBAQNS4R3LERFTCQXZOTWI56BLJRA32XYN5O3Z55THREJ54C46GFJ';
const customersUrl = (counterparty: string) => `${service.api}/counterparty/${counterparty}/customers`;
const bearer = async (claims: Parameters<typeof mintToken>[0]) => ({ authorization: `Bearer ${await mintToken(claims)}` });

interface Entry {
  version: number;
  type: string;
  event_id: string;
  occurred_at: string;
  actor: { sub: string; branch_guid: string | null };
  changes: Record<string, { from: unknown; to: unknown }> | null;
  account: { wallet_account_guid: string; asset_code: string; asset_issuer: string } | null;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters: { in: string; name: string }[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties: Record<string, { additionalProperties: { $ref: string } }> }> };
}
interface HistoryBody {
  history: Entry[];
  total: number;
  total_relation: string;
  next_cursor: string | null;
}

/** A customer changed by two employees: created by one, updated in Cyrillic, Greek and exact money, an account opened, branch moves. */
async function customerWithHistory(counterparty: string, branch: string) {
  const url = customersUrl(counterparty);
  const anna = await bearer({ counterparty, sub: 'anna.k' });
  const boris = await bearer({ counterparty, sub: 'борис@bank' });
  const created = await call<CreatedCustomerResponse>('POST', url, { asset_code: 'EURC', asset_issuer: ISSUER, login: `ørsted-${randomUUID()}`, name: 'Ørsted', kyc_level: 0 }, anna);
  expect(created.status).toBe(200);
  const guid = created.json.customer_guid;
  const steps: [Record<string, string>, string, unknown][] = [
    [boris, 'PUT', { name: 'Анна', surname: 'Ковальчук', phone_number: '+44 20 7946 0958' }],
    [anna, 'PUT', { kyc_level: 2, balance_allowed: 899999999.9999999, balance_asset_code: 'EURC', balance_asset_issuer: ISSUER }],
    [boris, 'POST', { asset_code: 'USDC', asset_issuer: ISSUER2 }],
    [anna, 'PUT', { paternal_name: 'Παπαδοπούλου', branch_guid: branch, balance_allowed: 0.0000001 }],
    [boris, 'PUT', { phone_number: null, is_disabled: true, kyc_level: 3 }],
  ];
  let version = 1;
  for (const [headers, method, body] of steps) {
    const reply = await call(method, method === 'PUT' ? `${url}/${guid}` : `${url}/${guid}/accounts`, body, headers);
    expect(reply.status).toBe(200);
    version += 1;
  }
  return { guid, version, account: created.json.wallet_account_guid };
}

async function history(counterparty: string, guid: string, query = '', headers?: Record<string, string>): Promise<Reply & { json: HistoryBody }> {
  return call('GET', `${customersUrl(counterparty)}/${guid}/history${query ? `?${query}` : ''}`, undefined, headers);
}

async function ok(counterparty: string, guid: string, query = '', headers?: Record<string, string>): Promise<HistoryBody> {
  const reply = await history(counterparty, guid, query, headers);
  expect({ status: reply.status, body: reply.status === 200 ? undefined : reply.json }).toEqual({ status: 200 });
  return reply.json;
}

/** Waits (a deadline, not a sleep) until the projector has put version `version` into the history. */
async function projected(counterparty: string, guid: string, version: number, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const reply = await history(counterparty, guid, `min_version=${version}&limit=1`);
    if (reply.status === 200) return;
    if (reply.status !== 503 || Date.now() > deadline) throw new Error(`history of ${guid} did not reach version ${version}: ${reply.status} ${reply.text}`);
  }
}

describe('a customer\'s history', () => {
  const counterparty = newCounterparty();
  const branch = randomUUID();
  let customer: Awaited<ReturnType<typeof customerWithHistory>>;
  let all: Entry[];
  beforeAll(async () => {
    customer = await customerWithHistory(counterparty, branch);
    await projected(counterparty, customer.guid, customer.version);
    all = (await ok(counterparty, customer.guid, `min_version=${customer.version}&limit=500`)).history;
  });

  it('lists every event newest first: who changed what, when, from what to what — text and money exact', () => {
    expect(all.map((entry) => entry.version)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(all.map((entry) => entry.type)).toEqual(['updated', 'updated', 'account_opened', 'updated', 'updated', 'created']);
    expect(all.map((entry) => entry.actor.sub)).toEqual(['борис@bank', 'anna.k', 'борис@bank', 'anna.k', 'борис@bank', 'anna.k']);
    expect(all.every((entry) => entry.actor.branch_guid === null)).toBe(true);
    expect(all[4].changes).toEqual({ name: { from: 'Ørsted', to: 'Анна' }, surname: { from: null, to: 'Ковальчук' }, phone_number: { from: null, to: '+442079460958' } });
    expect(all[3].changes).toEqual({
      kyc_level: { from: 0, to: 2 }, balance_allowed: { from: 0, to: 899999999.9999999 },
      balance_asset_code: { from: null, to: 'EURC' }, balance_asset_issuer: { from: null, to: ISSUER },
    });
    expect(all[1].changes).toEqual({ paternal_name: { from: null, to: 'Παπαδοπούλου' }, branch_guid: { from: null, to: branch }, balance_allowed: { from: 899999999.9999999, to: 1e-7 } });
    expect(all[0].changes).toEqual({ phone_number: { from: '+442079460958', to: null }, is_disabled: { from: false, to: true }, kyc_level: { from: 2, to: 3 } });
    expect(all[2]).toMatchObject({ changes: null, account: { asset_code: 'USDC', asset_issuer: ISSUER2 } });
    expect(all[2].account!.wallet_account_guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(all[5]).toMatchObject({ type: 'created', changes: null, account: null });
    const times = all.map((entry) => entry.occurred_at);
    expect(times.every((time) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(time))).toBe(true);
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set(all.map((entry) => entry.event_id)).size).toBe(6);
  });

  it('writes money exactly in the JSON text, not through a double', async () => {
    const reply = await history(counterparty, customer.guid, 'fields=balance_allowed&ordering=version');
    expect(reply.text).toContain('"balance_allowed":{"from":0,"to":899999999.9999999}');
    expect(reply.text).toContain('"balance_allowed":{"from":899999999.9999999,"to":0.0000001}');
  });

  it('orders by version either way; total is exact', async () => {
    const ascending = await ok(counterparty, customer.guid, 'ordering=version');
    expect(ascending.history).toEqual([...all].reverse());
    expect(ascending).toMatchObject({ total: 6, total_relation: 'eq', next_cursor: null });
  });

  it('pages by limit and offset, and by cursor in both orderings, every event once', async () => {
    const page = await ok(counterparty, customer.guid, 'limit=2&offset=3');
    expect(page.history).toEqual(all.slice(3, 5));
    expect(page.total).toBe(6);
    for (const ordering of ['-version', 'version']) {
      const expected = ordering === 'version' ? [...all].reverse() : all;
      const walked: Entry[] = [];
      let cursor: string | null = null;
      do {
        const body: HistoryBody = await ok(counterparty, customer.guid, `ordering=${ordering}&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(body.total).toBe(6);
        walked.push(...body.history);
        cursor = body.next_cursor;
      } while (cursor);
      expect(walked).toEqual(expected);
    }
  });

  it('refuses a cursor with offset, one made for other filters, and one that was altered', async () => {
    const { next_cursor } = await ok(counterparty, customer.guid, 'limit=2');
    const cursor = encodeURIComponent(next_cursor!);
    expectErrorBody(await history(counterparty, customer.guid, `limit=2&offset=2&cursor=${cursor}`), 400);
    expectErrorBody(await history(counterparty, customer.guid, `limit=2&ordering=version&cursor=${cursor}`), 400, 'CURSOR_MISMATCH');
    expectErrorBody(await history(counterparty, customer.guid, `limit=2&actor=anna.k&cursor=${cursor}`), 400, 'CURSOR_MISMATCH');
    const other = await customerWithHistory(counterparty, branch);
    expectErrorBody(await history(counterparty, other.guid, `limit=2&cursor=${cursor}`), 400, 'CURSOR_MISMATCH');
    const altered = `${next_cursor!.slice(0, 10)}${next_cursor![10] === 'A' ? 'B' : 'A'}${next_cursor!.slice(11)}`;
    expectErrorBody(await history(counterparty, customer.guid, `limit=2&cursor=${encodeURIComponent(altered)}`), 400, 'INVALID_CURSOR');
  });

  it('filters by actor, by the fields an update touched, and by time (.NET and Java timestamps), together with paging', async () => {
    const byBoris = await ok(counterparty, customer.guid, `actor=${encodeURIComponent('борис@bank')}`);
    expect(byBoris.history).toEqual(all.filter((entry) => entry.actor.sub === 'борис@bank'));
    expect(byBoris.total).toBe(3);
    expect((await ok(counterparty, customer.guid, 'actor=nobody')).total).toBe(0);

    const phone = await ok(counterparty, customer.guid, 'fields=phone_number');
    expect(phone.history.map((entry) => entry.version)).toEqual([6, 2]);
    const either = await ok(counterparty, customer.guid, 'fields[]=kyc_level&fields[]=paternal_name&limit=1');
    expect(either.history.map((entry) => entry.version)).toEqual([6]);
    expect(either.total).toBe(3);

    const middle = all[2].occurred_at;
    const dotNet = middle.replace(/Z$/, '0000Z'); // 7 fraction digits
    const javaOffset = new Date(Date.parse(middle) + 2 * 3600_000).toISOString().replace(/Z$/, '000000+02:00'); // 9 digits, +02:00
    const from = await ok(counterparty, customer.guid, `min_occurred_at=${encodeURIComponent(dotNet)}`);
    expect(from.history).toEqual(all.filter((entry) => entry.occurred_at >= middle));
    const until = await ok(counterparty, customer.guid, `max_occurred_at=${encodeURIComponent(javaOffset)}&ordering=version`);
    expect(until.history).toEqual([...all].reverse().filter((entry) => entry.occurred_at <= middle));
    const window = await ok(counterparty, customer.guid, `min_occurred_at=${encodeURIComponent(dotNet)}&max_occurred_at=${encodeURIComponent(javaOffset)}&actor=${encodeURIComponent('борис@bank')}`);
    expect(window.history).toEqual(all.filter((entry) => entry.occurred_at === middle && entry.actor.sub === 'борис@bank'));
  });

  it.each([
    ['ordering=created_at', 'ordering'],
    ['limit=501', 'limit'],
    ['limit=0', 'limit'],
    ['offset=-1', 'offset'],
    ['fields=login', 'fields'],
    ['fields=kyc_level%00', 'fields'],
    ['min_occurred_at=yesterday', 'min_occurred_at'],
    ['max_occurred_at=2026-02-30T00:00:00Z', 'max_occurred_at'],
    ['actor=', 'actor'],
    ['min_version=0', 'min_version'],
    ['customer_guid=x', 'customer_guid'],
    ['cursor=not-a-cursor', 'cursor'],
  ])('answers %s with a 400 naming %s', async (query, field) => {
    const reply = await history(counterparty, customer.guid, query);
    expectErrorBody(reply, 400);
    expect((reply.json as unknown as ErrorBodyDto).details.map((detail) => detail.field)).toContain(field);
  });

  it('waits for min_version like GET one: a write\'s ETag is in the history at once, a version not reached is 503', async () => {
    const put = await call('PUT', `${customersUrl(counterparty)}/${customer.guid}`, { status: 'reviewed' });
    expect(put.status).toBe(200);
    const version = Number(JSON.parse(put.headers.get('etag')!));
    const body = await ok(counterparty, customer.guid, `min_version=${version}&limit=1`);
    expect(body.history[0]).toMatchObject({ version, type: 'updated', changes: { status: { from: null, to: 'reviewed' } } });
    const behind = await history(counterparty, customer.guid, `min_version=${version + 5}`);
    expectErrorBody(behind, 503, 'READ_MODEL_BEHIND');
    expect(behind.headers.get('retry-after')).toBe('1');
  });
});

describe('who may read a history', () => {
  const counterparty = newCounterparty();
  const branch = randomUUID();
  let inBranch: string;
  let noBranch: string;
  beforeAll(async () => {
    const scoped = await bearer({ counterparty, branch, sub: 'branch-employee' });
    const created = await call<CreatedCustomerResponse>('POST', customersUrl(counterparty), { asset_code: 'EURC', asset_issuer: ISSUER }, scoped);
    expect(created.status).toBe(200);
    inBranch = created.json.customer_guid;
    const other = await call<CreatedCustomerResponse>('POST', customersUrl(counterparty), { asset_code: 'EURC', asset_issuer: ISSUER });
    noBranch = other.json.customer_guid;
    await projected(counterparty, inBranch, 1);
    await projected(counterparty, noBranch, 1);
  });

  const withoutRequestId = (reply: Reply) => {
    const body = reply.json as Partial<ErrorBodyDto>;
    return { status: reply.status, code: body.code, error: body.error, details: body.details };
  };

  it('is 404 for another counterparty\'s customer, identical to a missing one, even with min_version', async () => {
    const stranger = newCounterparty();
    const missing = await history(stranger, randomUUID());
    expectErrorBody(missing, 404, 'CUSTOMER_NOT_FOUND');
    const foreign = await history(stranger, inBranch);
    expect(withoutRequestId(foreign)).toEqual(withoutRequestId(missing));
    expect(withoutRequestId(await history(stranger, inBranch, 'actor=branch-employee&limit=1'))).toEqual(withoutRequestId(missing));
    // With min_version a customer not visible counts as behind, exactly like a missing one.
    const [foreignWait, missingWait] = await Promise.all([history(stranger, inBranch, 'min_version=1'), history(stranger, randomUUID(), 'min_version=1')]);
    expect(withoutRequestId(foreignWait)).toEqual(withoutRequestId(missingWait));
  });

  it('is 403 for a path counterparty other than the token\'s', async () => {
    expectErrorBody(await history(counterparty, inBranch, '', await bearer({ counterparty: newCounterparty() })), 403, 'COUNTERPARTY_FORBIDDEN');
  });

  it('shows a branch-scoped employee only their branch\'s customers', async () => {
    const own = await ok(counterparty, inBranch, '', await bearer({ counterparty, branch }));
    expect(own.history).toEqual([expect.objectContaining({ version: 1, type: 'created', actor: { sub: 'branch-employee', branch_guid: branch } })]);
    const missing = await history(counterparty, randomUUID(), '', await bearer({ counterparty, branch }));
    const noBranchReply = await history(counterparty, noBranch, '', await bearer({ counterparty, branch }));
    const otherBranch = await history(counterparty, inBranch, '', await bearer({ counterparty, branch: randomUUID() }));
    expectErrorBody(noBranchReply, 404, 'CUSTOMER_NOT_FOUND');
    expect(withoutRequestId(noBranchReply)).toEqual(withoutRequestId(missing));
    expect(withoutRequestId(otherBranch)).toEqual(withoutRequestId(missing));
  });

  it('needs customers:read and a valid token', async () => {
    expectErrorBody(await history(counterparty, inBranch, '', await bearer({ counterparty, scope: 'customers:write' })), 403);
    expect((await history(counterparty, inBranch, '', await bearer({ counterparty, scope: 'customers:read' }))).status).toBe(200);
    expectErrorBody(await history(counterparty, inBranch, '', { authorization: '' }), 401);
    expectErrorBody(await history(counterparty, inBranch, '', { authorization: 'Bearer x.y.z' }), 401);
  });

  it('refuses a customer guid that is not a UUID with a 400', async () => {
    expectErrorBody(await history(counterparty, 'not-a-guid'), 400);
  });
});

it('is described in OpenAPI from the declarations the route reads', async () => {
  const document = (await call<OpenApiDocument>('GET', `${service.management}/docs-json`)).json;
  const route = document.paths['/api/v1/counterparty/{counterparty_guid}/customers/{customer_guid}/history'].get;
  const query = route.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
  expect(query.sort()).toEqual(Object.keys(HISTORY_PARAMS).sort());
  expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '429', '503']));
  const entry = document.components.schemas.HistoryEntryResponse;
  expect(Object.keys(entry.properties).sort()).toEqual(['account', 'actor', 'changes', 'event_id', 'occurred_at', 'type', 'version']);
  expect(entry.properties.changes.additionalProperties.$ref).toBe('#/components/schemas/FieldChangeResponse');
  expect(Object.keys(document.components.schemas.HistoryListResponse.properties).sort()).toEqual(['history', 'next_cursor', 'total', 'total_relation']);
});

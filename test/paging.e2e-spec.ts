import fc from 'fast-check';
import { AccountListResponse, CreatedCustomerResponse, CustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { call, ISSUER, newCounterparty, Reply, RunningApp, startApp } from './support/app';
import { withDb } from './support/db';
import { expectErrorBody } from './support/error-body';
import { waitFor } from './support/outbox-rows';

/**
 * Cursor paging (issue 14) over HTTP with the whole pipeline: walks in every ordering, cursors
 * bound to their list, tampered cursors, bounded search totals, the walk guarantee while
 * writers change the list, and incremental sync by updated_at.
 */
const ORDERINGS = [
  'created_at', '-created_at', 'updated_at', '-updated_at', 'login', '-login', 'name', '-name',
  'surname', '-surname', 'kyc_level', '-kyc_level', 'balance_allowed', '-balance_allowed',
];

let service: RunningApp;
beforeAll(async () => {
  service = await startApp({ RATE_LIMIT_PER_MINUTE: '1000000', LISTS_PER_COUNTERPARTY: '100' });
});
afterAll(async () => {
  await service?.close();
});

const url = (counterparty: string) => `${service.api}/counterparty/${counterparty}/customers`;
type Row = { customer_guid: string; version: number; [field: string]: string | number | boolean | null };

async function page(counterparty: string, query: string) {
  const reply = await call<{ customers: Row[]; total: number; total_relation: string; next_cursor: string | null }>('GET', `${url(counterparty)}?${query}`);
  expect(reply.status).toBe(200);
  return reply.json;
}

/** Every page of a walk by cursor: the rows in the order returned. */
async function walk(counterparty: string, query: string, limit: number, between: () => Promise<void> = () => Promise.resolve()): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const { customers, next_cursor } = await page(counterparty, `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    rows.push(...customers);
    if (next_cursor === null) return rows;
    cursor = next_cursor;
    await between();
  }
  throw new Error('walk did not end');
}

async function createMany(counterparty: string, count: number, fields: (i: number) => Record<string, unknown>): Promise<string[]> {
  const guids: string[] = [];
  for (let i = 0; i < count; i++) {
    const reply = await call<CreatedCustomerResponse>('POST', url(counterparty), { asset_code: 'EURC', asset_issuer: ISSUER, ...fields(i) });
    expect(reply.status).toBe(200);
    guids.push(reply.json.customer_guid);
  }
  await waitFor('the read model to hold them', async () => (await page(counterparty, 'is_disabled=true&limit=1')).total === count);
  return guids;
}

describe('walks by cursor', () => {
  const counterparty = newCounterparty();
  beforeAll(async () => {
    // NULLs and ties in every text ordering, ties in kyc_level and balance_allowed.
    await createMany(counterparty, 23, (i) => ({
      login: i % 4 === 0 ? null : `user-${i % 7}-${i}`,
      name: i % 3 === 0 ? null : ['Zoe', 'ada', 'Émile', 'Анна'][i % 4],
      surname: i % 5 === 0 ? null : `S${i % 2}`,
      kyc_level: i % 3,
      balance_allowed: (i % 4) * 10.5,
    }));
  });

  it.each(ORDERINGS)('returns in ordering %s exactly the offset walk, page after page, then next_cursor null', async (ordering) => {
    const byOffset = (await page(counterparty, `ordering=${ordering}&limit=500`)).customers.map((c) => c.customer_guid);
    expect(byOffset).toHaveLength(23);
    for (const limit of [1, 4, 23, 50]) {
      const byCursor = (await walk(counterparty, `ordering=${ordering}`, limit)).map((c) => c.customer_guid);
      expect(byCursor).toEqual(byOffset);
    }
  });

  it('gives a next_cursor with offset pages too, to continue a walk by cursor', async () => {
    const first = await page(counterparty, 'ordering=login&limit=5&offset=5');
    const next = await page(counterparty, `ordering=login&limit=5&cursor=${encodeURIComponent(first.next_cursor!)}`);
    const byOffset = await page(counterparty, 'ordering=login&limit=5&offset=10');
    expect(next.customers.map((c) => c.customer_guid)).toEqual(byOffset.customers.map((c) => c.customer_guid));
  });

  it('refuses a cursor with offset, with another ordering or other filters, and any tampered one: always 400', async () => {
    const { next_cursor: cursor } = await page(counterparty, 'ordering=name&limit=3&kyc_levels=1');
    const c = encodeURIComponent(cursor!);
    expectErrorBody(await call('GET', `${url(counterparty)}?ordering=name&kyc_levels=1&cursor=${c}&offset=0`), 400, 'VALIDATION_FAILED');
    expectErrorBody(await call('GET', `${url(counterparty)}?ordering=-name&kyc_levels=1&cursor=${c}`), 400, 'CURSOR_MISMATCH');
    expectErrorBody(await call('GET', `${url(counterparty)}?ordering=name&kyc_levels=2&cursor=${c}`), 400, 'CURSOR_MISMATCH');
    expectErrorBody(await call('GET', `${url(newCounterparty())}?ordering=name&kyc_levels=1&cursor=${c}`), 400, 'CURSOR_MISMATCH');
    await fc.assert(
      fc.asyncProperty(fc.nat(cursor!.length - 1), fc.string({ minLength: 1, maxLength: 4 }), async (at, insert) => {
        const tampered = cursor!.slice(0, at) + insert + cursor!.slice(at + 1);
        fc.pre(tampered !== cursor);
        const reply = await call<ErrorBodyDto>('GET', `${url(counterparty)}?ordering=name&kyc_levels=1&cursor=${encodeURIComponent(tampered)}`);
        expectErrorBody(reply, 400);
        expect(['INVALID_CURSOR', 'VALIDATION_FAILED']).toContain(reply.json.code);
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });

  it("walks a customer's accounts by cursor", async () => {
    const [customer] = (await page(counterparty, 'ordering=created_at&limit=1')).customers.map((c) => c.customer_guid);
    for (let i = 0; i < 4; i++) expect((await call('POST', `${url(counterparty)}/${customer}/accounts`, {})).status).toBe(200);
    const accounts = `${url(counterparty)}/${customer}/accounts`;
    await waitFor('the accounts to be projected', async () => (await call<AccountListResponse>('GET', accounts)).json.total === 5);
    const all = (await call<AccountListResponse>('GET', accounts)).json;
    expect(all).toMatchObject({ total: 5, total_relation: 'eq', next_cursor: null });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const reply: Reply<AccountListResponse> = await call<AccountListResponse>('GET', `${accounts}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...reply.json.accounts.map((a) => a.guid));
      cursor = reply.json.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.accounts.map((a) => a.guid));
    expectErrorBody(await call('GET', `${accounts}?limit=2&cursor=${encodeURIComponent((await page(counterparty, 'limit=1')).next_cursor!)}`), 400, 'CURSOR_MISMATCH');
  });
});

describe('totals', () => {
  it('are exact up to 10,000 search matches, then 10,000 with total_relation gte; exact without search', async () => {
    const counterparty = newCounterparty();
    await withDb((db) =>
      db.query(
        `INSERT INTO customer_list_view (customer_guid, counterparty_guid, login, name, kyc_level, is_disabled, balance_allowed, accounts_total,
           version, created_at, updated_at)
         SELECT gen_random_uuid(), $1, 'many-' || i, 'Quokka ' || i, 0, false, 0, 1, 1, now(), now() FROM generate_series(1, 10050) AS i`,
        [counterparty],
      ),
    );
    expect(await page(counterparty, 'search_string=quokka&limit=1')).toMatchObject({ total: 10_000, total_relation: 'gte' });
    expect(await page(counterparty, 'search_string=quokka 100&limit=1')).toMatchObject({ total: 62, total_relation: 'eq' }); // 100, 1000-1009, 10000-10050
    expect(await page(counterparty, 'kyc_levels=0&names=Quokka 1&names=Quokka 2&limit=1')).toMatchObject({ total: 2, total_relation: 'eq' });
    expect(await page(counterparty, 'logins=many-1&logins=many-2&logins=many-3&limit=1')).toMatchObject({ total: 3, total_relation: 'eq' });
  });
});

describe('the walk guarantee while the list changes', () => {
  it.each(ORDERINGS)(
    'ordering %s: every customer not changed during the walk exactly once and in order; changed ones at most once',
    async (ordering) => {
      const counterparty = newCounterparty();
      const guids = await createMany(counterparty, 30, (i) => ({ login: `w-${i}`, name: `n-${(i * 7) % 30}`, surname: i % 6 ? `s-${i % 5}` : null, kyc_level: i % 4, balance_allowed: i }));
      const versions = async () =>
        withDb(async (db) => new Map((await db.query<{ customer_guid: string; version: number }>(`SELECT customer_guid, version FROM customer_list_view WHERE counterparty_guid = $1`, [counterparty])).rows.map((r) => [r.customer_guid, r.version])));
      const enabledAtStart = async () =>
        withDb(async (db) => new Set((await db.query<{ customer_guid: string }>(`SELECT customer_guid FROM customer_list_view WHERE counterparty_guid = $1 AND NOT is_disabled`, [counterparty])).rows.map((r) => r.customer_guid)));
      const before = await versions();
      const matching = await enabledAtStart();
      // Between pages, a writer changes customers: keys move forward and back, some are disabled, new ones come.
      let step = 0;
      const write = async () => {
        step++;
        const target = guids[(step * 11) % guids.length];
        const change = [{ name: `moved-${step}` }, { kyc_level: step % 4 }, { balance_allowed: 1000 - step }, { surname: null }, { is_disabled: step % 2 === 0 }][step % 5];
        // Each change is projected before the next page (min_version waits for it), so the walk really meets it.
        const updated = await call<CustomerResponse>('PUT', `${url(counterparty)}/${target}`, change);
        expect((await call('GET', `${url(counterparty)}/${target}?min_version=${updated.json.version}`)).status).toBe(200);
        if (step % 3 === 0) {
          const created = await call<CreatedCustomerResponse>('POST', url(counterparty), { asset_code: 'EURC', asset_issuer: ISSUER, login: `new-${step}`, name: `new-${step}` });
          expect((await call('GET', `${url(counterparty)}/${created.json.customer_guid}?min_version=1`)).status).toBe(200);
        }
      };
      const seen = await walk(counterparty, `ordering=${ordering}`, 4, write);
      const after = await versions();
      const unchanged = [...matching].filter((guid) => before.get(guid) === after.get(guid));
      const count = (guid: string) => seen.filter((row) => row.customer_guid === guid).length;
      expect(unchanged.length).toBeGreaterThan(5);
      for (const guid of unchanged) expect(count(guid)).toBe(1);
      for (const row of seen) expect(count(row.customer_guid)).toBe(1);
      // In order: the unchanged customers' rows as returned are sorted by the ordering, then guid.
      const key = ordering.replace('-', '');
      const sign = ordering.startsWith('-') ? -1 : 1;
      const order = seen.filter((row) => unchanged.includes(row.customer_guid));
      const compared = order.slice(1).map((row, i) => compareRows(order[i], row, key) * sign);
      expect(compared.every((c) => c < 0)).toBe(true);
    },
    120_000,
  );
});

/** PostgreSQL's order for the test's values: NULLs last, text by letter (these are ASCII-lower or equal-case), numbers by value, ties by guid. */
function compareRows(a: Row, b: Row, key: string): number {
  const [x, y] = [a[key], b[key]];
  if (x === y) return a.customer_guid < b.customer_guid ? -1 : 1;
  if (x === null) return 1;
  if (y === null) return -1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return new Intl.Collator('und').compare(String(x), String(y)) || (a.customer_guid < b.customer_guid ? -1 : 1);
}

describe('incremental sync by updated_at', () => {
  it('misses nothing while writes run, when each walk starts at the previous start minus the documented margin', async () => {
    const counterparty = newCounterparty();
    const guids = await createMany(counterparty, 10, (i) => ({ login: `sync-${i}` }));
    const held = new Map<string, number>(); // customer → version the client holds
    const MARGIN_MS = 5_000; // docs/api.md, "Incremental sync"
    let since = new Date(0).toISOString();
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await call('PUT', `${url(counterparty)}/${guids[i % guids.length]}`, { kyc_level: i % 7, name: `v-${i}` });
        if (i % 4 === 0) await call('POST', url(counterparty), { asset_code: 'EURC', asset_issuer: ISSUER, login: `sync-new-${i}` });
      }
    })();
    const sync = async () => {
      const started = Date.now();
      const rows = await walk(counterparty, `ordering=updated_at&is_disabled=true&min_updated_at=${encodeURIComponent(since)}`, 7);
      for (const row of rows) if ((held.get(row.customer_guid) ?? 0) < row.version) held.set(row.customer_guid, row.version);
      since = new Date(started - MARGIN_MS).toISOString();
    };
    for (let round = 0; round < 6; round++) await sync();
    writing = false;
    await writer;
    // Quiesced: once the read model has every write, one more sync round must bring the client level with it.
    await waitFor('the outbox to drain', async () =>
      withDb(async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0].n === 0),
    );
    const truth = async () =>
      withDb(async (db) => new Map((await db.query<{ guid: string; version: number }>(`SELECT guid, version FROM customers WHERE counterparty_guid = $1`, [counterparty])).rows.map((r) => [r.guid, r.version])));
    const expected = await truth();
    await waitFor('the read model to catch up', async () => {
      const rows = await withDb(async (db) => (await db.query<{ customer_guid: string; version: number }>(`SELECT customer_guid, version FROM customer_list_view WHERE counterparty_guid = $1`, [counterparty])).rows);
      return rows.length === expected.size && rows.every((r) => expected.get(r.customer_guid) === r.version);
    });
    await sync();
    expect(held).toEqual(expected);
  }, 120_000);
});

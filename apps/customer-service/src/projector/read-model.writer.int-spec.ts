import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { withDb } from '@test/support/db';
import { eventMessage, testAccount, TestCustomer, testCustomer } from '@test/support/events';
import { migratedDataSource } from '@test/support/schema';
import { parseCustomerEvent, ProjectedEvent } from './customer-event.parser';
import { ApplyOutcome } from './apply-outcome';
import { ReadModelWriter, WRITER_SQL } from './read-model.writer';

/**
 * The writer applies a whole chunk in a fixed number of statements; each event's outcome and
 * the rows it leaves must be those of applying the chunk one event at a time, in order.
 */
let dataSource: DataSource;
const writer = new ReadModelWriter();
beforeAll(async () => {
  dataSource = await migratedDataSource();
});
afterAll(async () => {
  await dataSource?.destroy();
});

function projected(customer: TestCustomer, eventId = randomUUID()): ProjectedEvent {
  const message = eventMessage(customer, eventId);
  const parsed = parseCustomerEvent(Buffer.from(message.value), message.headers.ce_id);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

const applyChunk = (events: ProjectedEvent[]): Promise<ApplyOutcome[]> => dataSource.transaction((db) => writer.apply(db, events));

const stateOf = (counterparty: string) =>
  withDb(async (db) => ({
    customers: (await db.query(
      `SELECT customer_guid, name, version, is_disabled, accounts_total FROM customer_list_view WHERE counterparty_guid = $1 ORDER BY login`,
      [counterparty],
    )).rows,
    accounts: (await db.query(`SELECT customer_guid, count(*)::int AS n FROM account_view WHERE counterparty_guid = $1 GROUP BY 1`, [counterparty])).rows,
    counts: (await db.query<{ enabled: number | null; disabled: number | null }>(
      `SELECT sum(enabled)::int AS enabled, sum(disabled)::int AS disabled FROM customer_counts WHERE counterparty_guid = $1`,
      [counterparty],
    )).rows[0],
  }));

describe('ReadModelWriter.apply (one chunk)', () => {
  it('gives each event the outcome of an in-order replay and writes only the newest snapshot', async () => {
    const counterparty = randomUUID();
    const at = new Date().toISOString();
    const stored = testCustomer(counterparty, { login: 'b-stored', name: 'v1' });
    const ahead = testCustomer(counterparty, { login: 'c-ahead', name: 'v5', version: 5 });
    const earlier = projected(ahead);
    expect(await applyChunk([projected(stored), earlier])).toEqual(['applied', 'applied']);

    const fresh = testCustomer(counterparty, { login: 'a-fresh', name: 'v1' });
    const freshV2 = { ...fresh, name: 'v2', is_disabled: true, version: 2, accounts: [...fresh.accounts, testAccount(fresh.customer_guid, counterparty, at)] };
    const freshCreated = projected(fresh);
    const chunk = [
      freshCreated, // new customer …
      projected(freshV2), // … and its next version in the same chunk
      freshCreated, // the same event twice in one chunk
      projected({ ...stored, name: 'v3', version: 3 }), // newer than stored …
      projected({ ...stored, name: 'v2', version: 2 }), // … then an older one behind it
      projected({ ...ahead, name: 'v4', version: 4 }), // older than stored
      earlier, // recorded by the earlier chunk
    ];
    expect(await applyChunk(chunk)).toEqual(['applied', 'applied', 'duplicate', 'applied', 'stale', 'stale', 'duplicate']);

    const state = await stateOf(counterparty);
    expect(state.customers).toEqual([
      { customer_guid: fresh.customer_guid, name: 'v2', version: 2, is_disabled: true, accounts_total: 2 },
      { customer_guid: stored.customer_guid, name: 'v3', version: 3, is_disabled: false, accounts_total: 1 },
      { customer_guid: ahead.customer_guid, name: 'v5', version: 5, is_disabled: false, accounts_total: 1 },
    ]);
    expect(new Map(state.accounts.map((row: { customer_guid: string; n: number }) => [row.customer_guid, row.n]))).toEqual(
      new Map([[fresh.customer_guid, 2], [stored.customer_guid, 1], [ahead.customer_guid, 1]]),
    );
    expect(state.counts).toEqual({ enabled: 2, disabled: 1 });
  });

  it('writes nothing for a chunk of duplicates and stale events', async () => {
    const counterparty = randomUUID();
    const customer = testCustomer(counterparty, { version: 2, name: 'kept' });
    const event = projected(customer);
    await applyChunk([event]);
    const before = await stateOf(counterparty);
    expect(await applyChunk([event, projected({ ...customer, name: 'older', version: 1 })])).toEqual(['duplicate', 'stale']);
    expect(await stateOf(counterparty)).toEqual(before);
  });
});

describe('ReadModelWriter statements', () => {
  it('find the stored rows and the accounts to replace through indexes, never by scanning the table', async () => {
    await dataSource.query(
      `INSERT INTO account_view (wallet_account_guid, customer_guid, counterparty_guid, iban, asset_code, asset_issuer, activated, registered,
         blocked, type, created_at, updated_at)
       SELECT gen_random_uuid(), gen_random_uuid(), md5('cp' || (i % 50))::uuid, NULL, 'EURC', 'G', true, true, false, 'customer', now(), now()
         FROM generate_series(1, 20000) AS i`,
    );
    await dataSource.query(
      `INSERT INTO customer_list_view (customer_guid, counterparty_guid, kyc_level, is_disabled, balance_allowed, accounts_total, version,
         created_at, updated_at)
       SELECT gen_random_uuid(), md5('cp' || (i % 50))::uuid, 0, false, 0, 1, 1, now(), now() FROM generate_series(1, 20000) AS i`,
    );
    await dataSource.query('ANALYZE account_view');
    await dataSource.query('ANALYZE customer_list_view');
    const guids = Array.from({ length: 200 }, () => randomUUID());
    const counterparties = Array.from({ length: 50 }, () => randomUUID());
    /** The tables a plan reads by sequential scan. */
    const scans = async (text: string, values: unknown[]) => {
      type Node = { 'Node Type': string; 'Relation Name'?: string; Plans?: Node[] };
      const [{ 'QUERY PLAN': [root] }] = await dataSource.query<{ 'QUERY PLAN': { Plan: Node }[] }[]>(`EXPLAIN (FORMAT JSON) ${text}`, values);
      const scanned: string[] = [];
      const walk = (node: Node) => {
        if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) scanned.push(node['Relation Name']);
        node.Plans?.forEach(walk);
      };
      walk(root.Plan);
      return scanned;
    };
    expect(await scans(WRITER_SQL.DELETE_ACCOUNTS_SQL, [counterparties, guids])).not.toContain('account_view');
    // (200 of these 20,000 rows are cheaper to scan for: a chunk under steady load holds a few dozen.)
    expect(await scans(WRITER_SQL.LOCK_STORED_SQL, [guids.slice(0, 30)])).not.toContain('customer_list_view');
  });
});

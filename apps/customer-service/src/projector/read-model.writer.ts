import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryPrepared } from '../database/prepared';
import { ACCOUNT_COLUMNS, CUSTOMER_COLUMNS, CustomerRow, NO_BRANCH } from '../read-model/read-model.tables';
import { ProjectedEvent } from './customer-event.parser';
import { ApplyOutcome } from './apply-outcome';
import { writeHistory } from './history.writer';


type CustomerColumn = (typeof CUSTOMER_COLUMNS)[number];
type AccountColumn = (typeof ACCOUNT_COLUMNS)[number];

/** PostgreSQL array types for unnest(): each column travels as one array parameter. */
const CUSTOMER_TYPES: Record<CustomerColumn, string> = {
  customer_guid: 'uuid', counterparty_guid: 'uuid', login: 'text', name: 'text', surname: 'text', paternal_name: 'text',
  phone_number: 'text', kyc_level: 'int', is_disabled: 'bool', balance_allowed: 'numeric', balance_asset_code: 'text',
  balance_asset_issuer: 'text', branch_guid: 'uuid', segment: 'text', status: 'text', accounts_total: 'int', version: 'int',
  created_at: 'timestamptz', updated_at: 'timestamptz',
};
const ACCOUNT_TYPES: Record<AccountColumn, string> = {
  wallet_account_guid: 'uuid', customer_guid: 'uuid', counterparty_guid: 'uuid', iban: 'text', asset_code: 'text',
  asset_issuer: 'text', activated: 'bool', registered: 'bool', blocked: 'bool', type: 'text', created_at: 'timestamptz',
  updated_at: 'timestamptz',
};

/** `unnest($1::uuid[], $2::text[], …) AS x(col, …)`: a whole chunk's rows as one relation. */
const unnestOf = <C extends string>(columns: readonly C[], types: Record<C, string>) =>
  `unnest(${columns.map((column, i) => `$${i + 1}::${types[column]}[]`).join(', ')}) AS x(${columns.join(', ')})`;

// One statement each per chunk, whatever its size: the projector's round trips no longer grow
// with the number of events (under load each one waits for a busy event loop).
const RECORD_EVENTS_SQL = `INSERT INTO processed_events (event_id, customer_guid, version)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[]) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`;
const LOCK_STORED_SQL = `SELECT customer_guid, version, counterparty_guid, branch_guid, kyc_level, segment, is_disabled
  FROM customer_list_view WHERE customer_guid = ANY($1::uuid[]) ORDER BY customer_guid FOR UPDATE`;
const INSERT_CUSTOMERS_SQL = `INSERT INTO customer_list_view (${CUSTOMER_COLUMNS.join(', ')})
  SELECT ${CUSTOMER_COLUMNS.join(', ')} FROM ${unnestOf(CUSTOMER_COLUMNS, CUSTOMER_TYPES)}
  ON CONFLICT (customer_guid) DO NOTHING RETURNING customer_guid`;
// writer_xid: which transaction wrote the row last (inserts take it as the column default);
// cursor walks leave out rows written after they started (migration 1764835200000-list-walks).
const UPDATE_CUSTOMERS_SQL = `UPDATE customer_list_view v SET ${CUSTOMER_COLUMNS.slice(1).map((column) => `${column} = x.${column}`).join(', ')},
    writer_xid = pg_current_xact_id()
  FROM ${unnestOf(CUSTOMER_COLUMNS, CUSTOMER_TYPES)} WHERE v.customer_guid = x.customer_guid`;
// Customers by guid within their counterparties: account_view_customer_idx leads with
// counterparty_guid (by customer_guid alone this scanned every account, ~100 ms per event at
// 1,000,000 customers). A customer belongs to one counterparty, so the two lists select
// exactly the chunk's customers; a join with unnest() pairs was planned as a sequential scan.
const DELETE_ACCOUNTS_SQL = `DELETE FROM account_view WHERE counterparty_guid = ANY($1::uuid[]) AND customer_guid = ANY($2::uuid[])`;
const INSERT_ACCOUNTS_SQL = `INSERT INTO account_view (${ACCOUNT_COLUMNS.join(', ')})
  SELECT ${ACCOUNT_COLUMNS.join(', ')} FROM ${unnestOf(ACCOUNT_COLUMNS, ACCOUNT_TYPES)}`;
const ADD_COUNTS_SQL = `INSERT INTO customer_counts (counterparty_guid, branch_key, kyc_level, segment_key, enabled, disabled)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::bigint[], $6::bigint[])
  ON CONFLICT (counterparty_guid, branch_key, kyc_level, segment_key) DO UPDATE
    SET enabled = customer_counts.enabled + EXCLUDED.enabled, disabled = customer_counts.disabled + EXCLUDED.disabled`;

/** The statements above, exported for the explain test (each must use an index, never scan). */
export const WRITER_SQL = {
  RECORD_EVENTS_SQL, LOCK_STORED_SQL, INSERT_CUSTOMERS_SQL, UPDATE_CUSTOMERS_SQL, DELETE_ACCOUNTS_SQL, INSERT_ACCOUNTS_SQL, ADD_COUNTS_SQL,
};

/** What the counts need of a customer: its bucket (counterparty, branch, KYC level, segment, enabled). */
type CountedCustomer = Pick<CustomerRow, 'counterparty_guid' | 'branch_guid' | 'kyc_level' | 'segment' | 'is_disabled'>;

interface StoredCustomer extends CountedCustomer {
  customer_guid: string;
  version: number;
}

/** Code-unit order, the same for every applier (not locale-dependent like localeCompare). */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Column-wise arrays of rows: the parameters of an unnest() statement. */
const columnsOf = <R, C extends keyof R>(rows: readonly R[], columns: readonly C[]) => columns.map((column) => rows.map((row) => row[column]));

/**
 * Applies events to the read model inside the caller's transaction, a whole chunk in a fixed
 * number of statements. Idempotent twice over: event ids are recorded first (a redelivery stops
 * there), and a snapshot replaces the stored one only if its version is newer (an older event
 * arriving late changes nothing). The outcome of each event is what applying the chunk one
 * event at a time, in order, would give; only each customer's newest snapshot is written.
 * Tables are always touched in one order (customer rows by guid, accounts, counts by key, history), so
 * concurrent appliers and the rebuild's merge cannot deadlock.
 */
@Injectable()
export class ReadModelWriter {
  async apply(db: EntityManager, events: readonly ProjectedEvent[]): Promise<ApplyOutcome[]> {
    if (events.length === 0) return [];
    const recorded = await this.record(db, events);
    const candidates = events.filter((event, i) => recorded[i]);
    const guids = [...new Set(candidates.map((event) => event.customer.customer_guid))];
    const stored = await this.lockStored(db, guids);
    let plan = decide(events, recorded, stored);

    // In guid order, like the row locks: two appliers inserting the same new customers wait
    // for each other in one order instead of deadlocking.
    const fresh = [...plan.winners.values()]
      .filter((event) => !stored.has(event.customer.customer_guid))
      .sort((a, b) => byText(a.customer.customer_guid, b.customer.customer_guid));
    const inserted = await this.insertCustomers(db, fresh);
    const lost = fresh.filter((event) => !inserted.has(event.customer.customer_guid)).map((event) => event.customer.customer_guid);
    if (lost.length > 0) {
      // Another applier inserted these customers since our lock (a consumer that has not yet
      // noticed a rebalance took its partition): lock them now and decide again against what
      // it stored.
      for (const [guid, row] of await this.lockStored(db, lost)) stored.set(guid, row);
      const vanished = lost.filter((guid) => !stored.has(guid));
      if (vanished.length > 0) throw new Error(`${vanished.length} read-model rows changed during the chunk; retrying it`);
      plan = decide(events, recorded, stored);
    }
    const winners = [...plan.winners.values()];
    await this.updateCustomers(db, winners.filter((event) => !inserted.has(event.customer.customer_guid)));
    await this.replaceAccounts(db, winners);
    const counts = new CountDeltas();
    for (const event of winners) counts.move(stored.get(event.customer.customer_guid), event.customer);
    await this.writeCounts(db, counts);
    await writeHistory(db, events, plan.outcomes);
    return plan.outcomes;
  }

  /** Records the event ids; true for each event seen for the first time (in this chunk too). */
  private async record(db: EntityManager, events: readonly ProjectedEvent[]): Promise<boolean[]> {
    const rows = await queryPrepared<{ event_id: string }>(db, 'projector-record-events', RECORD_EVENTS_SQL, [
      events.map((event) => event.eventId),
      events.map((event) => event.customer.customer_guid),
      events.map((event) => event.customer.version),
    ]);
    const fresh = new Set(rows.map((row) => row.event_id));
    // The same id twice in a chunk: only its first occurrence is new.
    return events.map((event) => fresh.delete(event.eventId));
  }

  private async lockStored(db: EntityManager, guids: readonly string[]): Promise<Map<string, StoredCustomer>> {
    if (guids.length === 0) return new Map();
    const rows = await queryPrepared<StoredCustomer>(db, 'projector-lock-stored', LOCK_STORED_SQL, [guids]);
    return new Map(rows.map((row) => [row.customer_guid, row]));
  }

  private async insertCustomers(db: EntityManager, events: readonly ProjectedEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await queryPrepared<{ customer_guid: string }>(
      db, 'projector-insert-customers', INSERT_CUSTOMERS_SQL, columnsOf(events.map((event) => event.customer), CUSTOMER_COLUMNS),
    );
    return new Set(rows.map((row) => row.customer_guid));
  }

  private async updateCustomers(db: EntityManager, events: readonly ProjectedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await queryPrepared(db, 'projector-update-customers', UPDATE_CUSTOMERS_SQL, columnsOf(events.map((event) => event.customer), CUSTOMER_COLUMNS));
  }

  /** Each written customer's accounts become exactly its snapshot's. */
  private async replaceAccounts(db: EntityManager, events: readonly ProjectedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await queryPrepared(db, 'projector-delete-accounts', DELETE_ACCOUNTS_SQL, [
      [...new Set(events.map((event) => event.customer.counterparty_guid))],
      events.map((event) => event.customer.customer_guid),
    ]);
    const accounts = events.flatMap((event) => event.accounts);
    if (accounts.length === 0) return;
    await queryPrepared(db, 'projector-insert-accounts', INSERT_ACCOUNTS_SQL, columnsOf(accounts, ACCOUNT_COLUMNS));
  }

  /**
   * Adds the net changes to customer_counts, in key order: two transactions adding to the same
   * count rows lock them in the same order, so they cannot deadlock.
   */
  private async writeCounts(db: EntityManager, counts: CountDeltas): Promise<void> {
    const changed = counts.changed();
    if (changed.length === 0) return;
    await queryPrepared(db, 'projector-add-counts', ADD_COUNTS_SQL, [
      changed.map((d) => d.key[0]), changed.map((d) => d.key[1]), changed.map((d) => d.key[2]), changed.map((d) => d.key[3]),
      changed.map((d) => d.enabled), changed.map((d) => d.disabled),
    ]);
  }
}

/**
 * Replays the chunk in order against the stored versions: an event is applied when it is new
 * and newer than everything before it for its customer, stale otherwise. The winners are each
 * customer's last applied event (its newest snapshot), the only ones written. The first
 * snapshot of a customer fixes its counterparty: an event naming another one is refused, never
 * applied (it would move the customer into another tenant's read model).
 */
function decide(events: readonly ProjectedEvent[], recorded: readonly boolean[], stored: ReadonlyMap<string, StoredCustomer>) {
  const winners = new Map<string, ProjectedEvent>();
  const owners = new Map<string, string>();
  const outcomes = events.map((event, i): ApplyOutcome => {
    if (!recorded[i]) return 'duplicate';
    const guid = event.customer.customer_guid;
    const owner = owners.get(guid) ?? stored.get(guid)?.counterparty_guid ?? event.customer.counterparty_guid;
    if (event.customer.counterparty_guid !== owner) return 'refused';
    owners.set(guid, owner);
    const newest = winners.get(guid)?.customer.version ?? stored.get(guid)?.version ?? -Infinity;
    if (event.customer.version <= newest) return 'stale';
    winners.set(guid, event);
    return 'applied';
  });
  return { outcomes, winners };
}

/**
 * Net changes to customer_counts over one or more applied events, by bucket (counterparty,
 * branch, KYC level, segment; enabled or disabled), written once per transaction.
 */
export class CountDeltas {
  private readonly deltas = new Map<string, { key: [string, string, number, string]; enabled: number; disabled: number }>();

  /** A customer moved from `before` (absent for a new one) to `after`. */
  move(before: CountedCustomer | undefined, after: CountedCustomer): void {
    if (before) this.add(before, -1);
    this.add(after, 1);
  }

  changed() {
    return [...this.deltas.entries()]
      .filter(([, d]) => d.enabled !== 0 || d.disabled !== 0)
      .sort(([a], [b]) => byText(a, b))
      .map(([, d]) => d);
  }

  private add(customer: CountedCustomer, by: number): void {
    const key: [string, string, number, string] = [
      customer.counterparty_guid, customer.branch_guid ?? NO_BRANCH, customer.kyc_level, customer.segment ?? '',
    ];
    const id = key.join('/');
    const delta = this.deltas.get(id) ?? { key, enabled: 0, disabled: 0 };
    if (customer.is_disabled) delta.disabled += by;
    else delta.enabled += by;
    this.deltas.set(id, delta);
  }
}

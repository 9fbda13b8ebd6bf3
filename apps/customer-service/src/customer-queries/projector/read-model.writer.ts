import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountRow, CustomerRow, ProjectedEvent } from './customer-event.parser';

export type ApplyOutcome = 'applied' | 'duplicate' | 'stale';

/** The nil uuid stands for "no branch" in customer_counts (a primary key cannot hold null). */
export const NO_BRANCH = '00000000-0000-0000-0000-000000000000';

export const CUSTOMER_COLUMNS = [
  'customer_guid', 'counterparty_guid', 'login', 'name', 'surname', 'paternal_name', 'phone_number', 'kyc_level',
  'is_disabled', 'balance_allowed', 'balance_asset_code', 'balance_asset_issuer', 'branch_guid', 'segment', 'status',
  'accounts_total', 'version', 'created_at', 'updated_at',
] as const satisfies readonly (keyof CustomerRow)[];

export const ACCOUNT_COLUMNS = [
  'wallet_account_guid', 'customer_guid', 'counterparty_guid', 'iban', 'asset_code', 'asset_issuer', 'activated',
  'registered', 'blocked', 'type', 'created_at', 'updated_at',
] as const satisfies readonly (keyof AccountRow)[];

const placeholders = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
const CUSTOMER_VALUES = placeholders(CUSTOMER_COLUMNS.length);

/** What the counts need of a customer: its bucket (counterparty, branch, KYC level, segment, enabled). */
type CountedCustomer = Pick<CustomerRow, 'counterparty_guid' | 'branch_guid' | 'kyc_level' | 'segment' | 'is_disabled'>;

interface StoredCustomer extends CountedCustomer {
  version: number;
}

/**
 * Applies one event to the read model inside the caller's transaction. Idempotent twice over:
 * the event id is recorded first (a redelivery stops there), and the snapshot replaces the
 * stored one only if its version is newer (an older event arriving late changes nothing).
 * Tables are always touched in one order (customer row, accounts, counts; count rows by key),
 * so concurrent appliers and the rebuild's merge cannot deadlock.
 */
@Injectable()
export class ReadModelWriter {
  async apply(db: EntityManager, event: ProjectedEvent, counts?: CountDeltas): Promise<ApplyOutcome> {
    const { customer } = event;
    const recorded = await db.query(
      `INSERT INTO processed_events (event_id, customer_guid, version) VALUES ($1, $2, $3)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [event.eventId, customer.customer_guid, customer.version],
    );
    if (recorded.length === 0) return 'duplicate';

    let stored = await this.lockStored(db, customer.customer_guid);
    if (!stored) {
      const inserted = await db.query(
        `INSERT INTO customer_list_view (${CUSTOMER_COLUMNS.join(', ')}) VALUES (${CUSTOMER_VALUES})
         ON CONFLICT (customer_guid) DO NOTHING RETURNING customer_guid`,
        CUSTOMER_COLUMNS.map((column) => customer[column]),
      );
      // Lost a race with another applier inserting the same customer: continue as an update.
      if (inserted.length === 0) stored = await this.lockStored(db, customer.customer_guid);
    }
    if (stored) {
      if (stored.version >= customer.version) return 'stale';
      const assignments = CUSTOMER_COLUMNS.slice(1).map((column, i) => `${column} = $${i + 2}`).join(', ');
      await db.query(
        `UPDATE customer_list_view SET ${assignments} WHERE customer_guid = $1`,
        CUSTOMER_COLUMNS.map((column) => customer[column]),
      );
    }
    await this.replaceAccounts(db, customer.customer_guid, event.accounts);
    if (counts) {
      counts.move(stored, customer);
    } else {
      const own = new CountDeltas();
      own.move(stored, customer);
      await this.writeCounts(db, own);
    }
    return 'applied';
  }

  private async lockStored(db: EntityManager, customerGuid: string): Promise<StoredCustomer | undefined> {
    const [row] = await db.query(
      `SELECT version, counterparty_guid, branch_guid, kyc_level, segment, is_disabled FROM customer_list_view WHERE customer_guid = $1 FOR UPDATE`,
      [customerGuid],
    );
    return row;
  }

  private async replaceAccounts(db: EntityManager, customerGuid: string, accounts: AccountRow[]): Promise<void> {
    await db.query('DELETE FROM account_view WHERE customer_guid = $1', [customerGuid]);
    if (accounts.length === 0) return;
    const width = ACCOUNT_COLUMNS.length;
    const rows = accounts.map((_, i) => `(${placeholders(width, i * width + 1)})`).join(', ');
    await db.query(
      `INSERT INTO account_view (${ACCOUNT_COLUMNS.join(', ')}) VALUES ${rows}`,
      accounts.flatMap((account) => ACCOUNT_COLUMNS.map((column) => account[column])),
    );
  }

  /**
   * Adds the net changes to customer_counts, in key order: two transactions adding to the same
   * count rows lock them in the same order, so they cannot deadlock.
   */
  async writeCounts(db: EntityManager, counts: CountDeltas): Promise<void> {
    for (const d of counts.changed()) {
      await db.query(
        `INSERT INTO customer_counts (counterparty_guid, branch_key, kyc_level, segment_key, enabled, disabled) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (counterparty_guid, branch_key, kyc_level, segment_key) DO UPDATE
           SET enabled = customer_counts.enabled + EXCLUDED.enabled, disabled = customer_counts.disabled + EXCLUDED.disabled`,
        [...d.key, d.enabled, d.disabled],
      );
    }
  }
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
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
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

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

interface StoredCustomer {
  version: number;
  counterparty_guid: string;
  branch_guid: string | null;
  is_disabled: boolean;
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
  async apply(db: EntityManager, event: ProjectedEvent): Promise<ApplyOutcome> {
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
    await this.adjustCounts(db, stored, customer);
    return 'applied';
  }

  private async lockStored(db: EntityManager, customerGuid: string): Promise<StoredCustomer | undefined> {
    const [row] = await db.query(
      `SELECT version, counterparty_guid, branch_guid, is_disabled FROM customer_list_view WHERE customer_guid = $1 FOR UPDATE`,
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

  /** Moves the customer between (counterparty, branch, enabled/disabled) buckets if it changed bucket. */
  private async adjustCounts(db: EntityManager, before: StoredCustomer | undefined, after: CustomerRow): Promise<void> {
    const deltas = new Map<string, { counterparty: string; branch: string; enabled: number; disabled: number }>();
    const add = (counterparty: string, branch: string | null, disabled: boolean, by: number) => {
      const key = `${counterparty}/${branch ?? NO_BRANCH}`;
      const delta = deltas.get(key) ?? { counterparty, branch: branch ?? NO_BRANCH, enabled: 0, disabled: 0 };
      if (disabled) delta.disabled += by;
      else delta.enabled += by;
      deltas.set(key, delta);
    };
    if (before) add(before.counterparty_guid, before.branch_guid, before.is_disabled, -1);
    add(after.counterparty_guid, after.branch_guid, after.is_disabled, 1);
    const changed = [...deltas.entries()].filter(([, d]) => d.enabled !== 0 || d.disabled !== 0).sort(([a], [b]) => a.localeCompare(b));
    for (const [, d] of changed) {
      await db.query(
        `INSERT INTO customer_counts (counterparty_guid, branch_key, enabled, disabled) VALUES ($1, $2, $3, $4)
         ON CONFLICT (counterparty_guid, branch_key) DO UPDATE
           SET enabled = customer_counts.enabled + EXCLUDED.enabled, disabled = customer_counts.disabled + EXCLUDED.disabled`,
        [d.counterparty, d.branch, d.enabled, d.disabled],
      );
    }
  }
}

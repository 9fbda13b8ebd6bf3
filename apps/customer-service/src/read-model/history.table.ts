/**
 * customer_history (migration 1765008000000-customer-history), described once for the
 * projector that writes it, the rebuild that repairs it and the history route that reads it.
 */

/** The history's event types, by the wire type they come from. */
export const HISTORY_TYPES: Readonly<Record<string, HistoryType>> = {
  'customer.created.v1': 'created',
  'customer.updated.v1': 'updated',
  'customer.account_opened.v1': 'account_opened',
};
export type HistoryType = 'created' | 'updated' | 'account_opened';

/** A customer_history row as the history route selects it (HISTORY_SELECT). */
export interface StoredHistoryRow {
  customer_guid: string;
  version: number;
  event_id: string;
  type: HistoryType;
  /** UTC, `YYYY-MM-DDTHH:MM:SS.ffffff` without the Z (see HISTORY_SELECT). */
  occurred_at: string;
  actor_sub: string;
  actor_branch_guid: string | null;
  /** The event's `changes` JSON text: numbers keep their exact digits. */
  changes: string | null;
  account_guid: string | null;
  account_asset_code: string | null;
  account_asset_issuer: string | null;
}

/**
 * The columns to read a history row by. occurred_at as UTC text to the microsecond (a .NET or
 * Java producer's 7 or 9 digits are stored to the microsecond; node-postgres's Date keeps only
 * milliseconds).
 */
export const HISTORY_SELECT = `customer_guid, version, event_id, type,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS occurred_at,
  actor_sub, actor_branch_guid, changes::text AS changes, account_guid, account_asset_code, account_asset_issuer`;

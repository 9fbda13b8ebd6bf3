import { parse as parseLossless } from 'lossless-json';
import { Money } from '../../../fields/money';
import { HistoryType, StoredHistoryRow } from '../../../read-model/history.table';
import { TotalRelation } from '../find-customers/find-customers.query';

/** One event of a customer's history, as the API returns it (history.responses.ts describes it). */
export interface HistoryEntryView {
  version: number;
  type: HistoryType;
  event_id: string;
  occurred_at: string;
  actor: { sub: string; branch_guid: string | null };
  changes: Record<string, { from: unknown; to: unknown }> | null;
  account: { wallet_account_guid: string; asset_code: string; asset_issuer: string } | null;
}

export interface HistoryList {
  history: HistoryEntryView[];
  total: number;
  total_relation: TotalRelation;
  next_cursor: string | null;
}

export function historyEntryOfRow(row: StoredHistoryRow): HistoryEntryView {
  return {
    version: row.version,
    type: row.type,
    event_id: row.event_id,
    // Microseconds when the event had them, else milliseconds like every other timestamp of the API.
    occurred_at: row.occurred_at.endsWith('000') ? `${row.occurred_at.slice(0, -3)}Z` : `${row.occurred_at}Z`,
    actor: { sub: row.actor_sub, branch_guid: row.actor_branch_guid },
    changes: row.changes === null ? null : changesOf(row.changes),
    account: row.account_guid === null ? null : { wallet_account_guid: row.account_guid, asset_code: row.account_asset_code ?? '', asset_issuer: row.account_asset_issuer ?? '' },
  };
}

/** A digit followed by a fraction or an exponent: where a double could lose digits (in a number, or harmlessly in a string). */
const MAY_HOLD_DECIMAL = /\d[.eE]/;

/** The event's changes, each as `{from, to}` in that order (the outbox's jsonb stores `to` first). */
function changesOf(text: string): HistoryEntryView['changes'] {
  // The JavaScript parser that keeps digits costs several times JSON.parse: only where a decimal may be.
  const changes = (MAY_HOLD_DECIMAL.test(text) ? parseLossless(text, null, exactNumber) : JSON.parse(text)) as Record<string, { from: unknown; to: unknown }>;
  return Object.fromEntries(Object.entries(changes).map(([field, { from, to }]) => [field, { from, to }]));
}

/**
 * Numbers in `changes` as the event had them: integers (kyc_level) as numbers, decimals
 * (balance_allowed) as {@link Money}, written back with their exact digits.
 */
function exactNumber(value: string): number | Money {
  const number = Number(value);
  if (Number.isSafeInteger(number) && /^-?\d+$/.test(value)) return number;
  const money = Money.parse(value);
  return typeof money === 'string' ? number : money;
}

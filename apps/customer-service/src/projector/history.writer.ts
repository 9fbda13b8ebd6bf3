import { EntityManager } from 'typeorm';
import { queryPrepared } from '../database/prepared';
import { HISTORY_TYPES } from '../read-model/history.table';
import { ProjectedEvent } from './customer-event.parser';
import type { ApplyOutcome } from './apply-outcome';

/**
 * One statement per chunk: a row per event, in (customer, version) order like every other lock
 * the projector takes. A version is recorded once: the first event of that version wins, a
 * redelivery or a repeat changes nothing.
 */
const INSERT_HISTORY_SQL = `INSERT INTO customer_history (customer_guid, version, counterparty_guid, event_id, type, occurred_at, actor_sub,
    actor_branch_guid, changes, account_guid, account_asset_code, account_asset_issuer)
  SELECT g, v, c, e, t, o, s, b, ch::json, a, ac, ai
    FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::text[], $8::uuid[], $9::text[],
                $10::uuid[], $11::text[], $12::text[]) AS x(g, v, c, e, t, o, s, b, ch, a, ac, ai)
   ORDER BY g, v
  ON CONFLICT (customer_guid, version) DO NOTHING`;

/**
 * Adds the chunk's events to customer_history, in the chunk's transaction (after the customer
 * rows, whose locks it then already holds). The read model's rules decide which events count:
 * a duplicate event id adds nothing, nor does an event refused for naming another counterparty;
 * a stale one (older than the stored snapshot, e.g. after a rebuild) still adds its version
 * when the history lacks it.
 */
export async function writeHistory(db: EntityManager, events: readonly ProjectedEvent[], outcomes: readonly ApplyOutcome[]): Promise<void> {
  const kept = events.filter((_, i) => outcomes[i] === 'applied' || outcomes[i] === 'stale');
  if (kept.length === 0) return;
  await queryPrepared(db, 'projector-insert-history', INSERT_HISTORY_SQL, historyColumns(kept));
}

/** The events as column arrays, in the order of customer_history's insert statements (here and in the rebuild). */
export function historyColumns(events: readonly ProjectedEvent[]): unknown[][] {
  const column = <T>(read: (event: ProjectedEvent) => T) => events.map(read);
  return [
    column((e) => e.customer.customer_guid),
    column((e) => e.customer.version),
    column((e) => e.customer.counterparty_guid),
    column((e) => e.eventId),
    column((e) => HISTORY_TYPES[e.type] ?? e.type),
    column((e) => e.occurredAt),
    column((e) => e.actor.sub),
    column((e) => e.actor.branchGuid),
    column((e) => e.changes),
    column((e) => e.account?.guid ?? null),
    column((e) => e.account?.assetCode ?? null),
    column((e) => e.account?.assetIssuer ?? null),
  ];
}

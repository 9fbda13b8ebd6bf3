import { Client } from 'pg';
import { ConsumedMessage } from './kafka';

/** An outbox row as the checker needs it. */
export interface OutboxEntry {
  id: string;
  aggregateid: string;
  version: number;
  published: boolean;
}

export interface DeliveryReport {
  /** Outbox rows with no message. */
  lost: string[];
  /** Messages whose ce_id is in no outbox row. */
  unexpected: string[];
  /** ce_ids delivered more than once, with their copy counts. */
  duplicates: Map<string, number>;
  /** Customers whose versions, after dedupe by ce_id and in offset order, are not 1, 2, 3, … */
  outOfOrder: string[];
  /** Messages whose key, ce_subject or partition disagree with their customer. */
  misrouted: string[];
}

/** Every outbox row of the database, with the version its payload carries. */
export async function outboxEntries(db: Client): Promise<OutboxEntry[]> {
  const { rows } = await db.query<OutboxEntry>(
    `SELECT id, aggregateid, (payload->>'version')::int AS version, published_at IS NOT NULL AS published FROM outbox ORDER BY seq`,
  );
  return rows;
}

/**
 * Jepsen's queue checker, for a keyed log: compares the final read of the whole topic with what
 * was committed. Versions are checked per customer (the order the contract promises) on the
 * first copy of each ce_id (consumers dedupe by it).
 */
export function checkDelivery(entries: readonly OutboxEntry[], messages: readonly ConsumedMessage[]): DeliveryReport {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const copies = new Map<string, number>();
  const unexpected: string[] = [];
  const misrouted: string[] = [];
  const seenVersions = new Map<string, number[]>();
  const partitionOf = new Map<string, number>();
  for (const message of messages) {
    const id = message.headers.ce_id;
    const entry = byId.get(id);
    if (!entry) {
      unexpected.push(id);
      continue;
    }
    const count = (copies.get(id) ?? 0) + 1;
    copies.set(id, count);
    const partition = partitionOf.get(entry.aggregateid) ?? message.partition;
    partitionOf.set(entry.aggregateid, partition);
    if (message.key !== entry.aggregateid || message.headers.ce_subject !== entry.aggregateid || message.partition !== partition) {
      misrouted.push(id);
    }
    if (count === 1) seenVersions.set(entry.aggregateid, [...(seenVersions.get(entry.aggregateid) ?? []), entry.version]);
  }
  const outOfOrder = [...seenVersions.entries()]
    .filter(([, versions]) => versions.some((version, index) => version !== index + 1))
    .map(([customer]) => customer);
  return {
    lost: entries.filter((entry) => !copies.has(entry.id)).map((entry) => entry.id),
    unexpected,
    duplicates: new Map([...copies].filter(([, count]) => count > 1)),
    outOfOrder,
    misrouted,
  };
}

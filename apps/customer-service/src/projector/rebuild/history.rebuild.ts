import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { changedRows, queryRows } from '../../database/query-rows';
import { parseCustomerEvent, ProjectedEvent } from '../customer-event.parser';
import { historyColumns } from '../history.writer';

export interface HistoryRebuildOptions {
  /** Only this counterparty's customers; all when absent. */
  counterpartyGuid?: string;
  /** How long reading the topic to its end may take. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface HistoryRebuildReport {
  /** Messages read from the topic (up to its end when the rebuild started). */
  messages: number;
  inserted: number;
  repaired: number;
  removed: number;
  /** Messages that are not events (recorded by the projector as projection errors). */
  malformed: number;
  seconds: number;
}

/** Events written per statement. */
const BATCH = 500;
const PROGRESS_EVERY = 10_000;

const COLUMNS = `customer_guid, version, counterparty_guid, event_id, type, occurred_at, actor_sub, actor_branch_guid, changes,
  account_guid, account_asset_code, account_asset_issuer`;
const REPAIRABLE = ['counterparty_guid', 'event_id', 'type', 'occurred_at', 'actor_sub', 'actor_branch_guid', 'changes', 'account_guid', 'account_asset_code', 'account_asset_issuer'];

/**
 * The topic's events of customers the write tables hold (for the counterparty they hold them
 * under: the projector's refusal rule), as history rows: a missing version is inserted, a row
 * that differs from its event is replaced (json compared as text).
 */
const UPSERT_SQL = `INSERT INTO customer_history (${COLUMNS})
  SELECT x.g, x.v, x.c, x.e, x.t, x.o, x.s, x.b, x.ch::json, x.a, x.ac, x.ai
    FROM unnest($1::uuid[], $2::int[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::text[], $8::uuid[], $9::text[],
                $10::uuid[], $11::text[], $12::text[]) AS x(g, v, c, e, t, o, s, b, ch, a, ac, ai)
    JOIN customers w ON w.guid = x.g AND w.counterparty_guid = x.c AND w.version >= x.v
   ORDER BY x.g, x.v
  ON CONFLICT (customer_guid, version) DO UPDATE SET ${REPAIRABLE.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}
   WHERE (${REPAIRABLE.map((column) => `customer_history.${column}${column === 'changes' ? '::text' : ''}`).join(', ')})
         IS DISTINCT FROM (${REPAIRABLE.map((column) => `EXCLUDED.${column}${column === 'changes' ? '::text' : ''}`).join(', ')})
  RETURNING (xmax = 0) AS inserted`;

/**
 * Rebuilds customer_history from the events topic while the service keeps serving: reads the
 * topic from its beginning to the end offsets it had when the rebuild started (a consumer group
 * of its own, deleted afterwards), and writes each customer's events as the projector would —
 * for each version the first event on the topic; a missing row is added, a row that differs is
 * replaced. Rows the topic no longer holds (trimmed by retention) are kept: the history may be
 * their only copy. Rows no event could have made are removed: of customers the write tables do
 * not hold, or under another counterparty, or of versions the customer never reached.
 * The projector may run meanwhile: it adds rows with ON CONFLICT DO NOTHING, in the same
 * (customer, version) order.
 */
export async function rebuildHistory(dataSource: DataSource, kafka: Kafka, topic: string, options: HistoryRebuildOptions = {}): Promise<HistoryRebuildReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const report = { messages: 0, inserted: 0, repaired: 0, malformed: 0 };
  let lastProgress = 0;
  const seen = new Set<string>();
  let pending: ProjectedEvent[] = [];
  const flush = async () => {
    const events = pending;
    pending = [];
    if (events.length === 0) return;
    const rows = await queryRows<{ inserted: boolean }>(dataSource, UPSERT_SQL, historyColumns(events));
    const inserted = rows.filter((row) => row.inserted).length;
    report.inserted += inserted;
    report.repaired += rows.length - inserted;
  };
  const found = await readTopic(kafka, topic, options.timeoutMs ?? 600_000, async (value, ceId) => {
    report.messages += 1;
    const parsed = parseCustomerEvent(value, ceId);
    if (!parsed.ok) {
      report.malformed += 1;
      return;
    }
    const { customer } = parsed.event;
    if (options.counterpartyGuid !== undefined && customer.counterparty_guid !== options.counterpartyGuid) return;
    const key = `${customer.customer_guid}/${customer.version}`;
    if (seen.has(key)) return; // a version is recorded once: the first event of it wins
    seen.add(key);
    pending.push(parsed.event);
    if (pending.length >= BATCH) await flush();
  }, () => {
    // A progress line at most every PROGRESS_EVERY messages: the topic may hold millions, and
    // kafkajs hands them over in batches of a few hundred.
    if (report.messages - lastProgress < PROGRESS_EVERY) return;
    lastProgress = report.messages;
    log(`history rebuild: read ${report.messages} messages`);
  });
  if (!found) log(`history rebuild: the topic ${topic} does not exist; no events to read`);
  await flush();
  const scope = options.counterpartyGuid ? [options.counterpartyGuid] : [];
  const removed = await changedRows(
    dataSource,
    `DELETE FROM customer_history h WHERE ${scope.length ? 'h.counterparty_guid = $1 AND' : ''} NOT EXISTS (
       SELECT 1 FROM customers w WHERE w.guid = h.customer_guid AND w.counterparty_guid = h.counterparty_guid AND w.version >= h.version)
     RETURNING 1`,
    scope,
  );
  const result = { ...report, removed: removed.length, seconds: (Date.now() - started) / 1000 };
  log(
    `history rebuild: done in ${result.seconds.toFixed(1)} s — ${result.messages} messages, ${result.inserted} rows inserted, ` +
      `${result.repaired} repaired, ${result.removed} removed, ${result.malformed} not events`,
  );
  return result;
}

/**
 * Every message of `topic` up to the end offsets it has now, partition by partition in offset
 * order (so each customer's events in their order), through a consumer group of its own.
 * False when there is no such topic.
 */
async function readTopic(
  kafka: Kafka,
  topic: string,
  timeoutMs: number,
  each: (value: Buffer | null, ceId: string | undefined) => Promise<void>,
  progress: () => void,
): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `customer-service.history-rebuild.${randomUUID()}`;
  try {
    if (!(await admin.listTopics()).includes(topic)) return false;
    const ends = await admin.fetchTopicOffsets(topic);
    const remaining = new Map(ends.filter((end) => Number(end.high) > Number(end.low)).map((end) => [end.partition, Number(end.high)]));
    if (remaining.size === 0) return true;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the topic was not read to its end within ${timeoutMs} ms`)), timeoutMs);
        // The end is reached by offsets, not by messages: the relay writes in Kafka transactions,
        // so a partition's last offset is a commit marker that no handler sees. This event
        // follows every batch, marker-only batches included (kafkajs resolves their offsets).
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          const end = remaining.get(payload.partition);
          if (end !== undefined && Number(payload.lastOffset) + 1 >= end) remaining.delete(payload.partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            setImmediate(resolve);
          }
        });
        consumer
          .run({
            eachBatchAutoResolve: false,
            eachBatch: async (payload) => {
              const { batch } = payload;
              const end = remaining.get(batch.partition) ?? 0;
              for (const message of batch.messages) {
                if (Number(message.offset) >= end) break;
                await each(message.value, message.headers?.ce_id?.toString());
                payload.resolveOffset(message.offset);
              }
              progress();
              await payload.heartbeat();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.stop();
      await consumer.disconnect();
    }
    return true;
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { CUSTOMER_EVENTS_TOPIC, CUSTOMER_SNAPSHOTS_TOPIC } from '../topics';
import { DecodedSnapshot, decodeCustomerSnapshot } from './decode';
import { MalformedMessageError } from './malformed-message.error';

/** Where a partition's consumption starts (the next offset to read). */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

export interface BootstrapTopics {
  /** Defaults to {@link CUSTOMER_EVENTS_TOPIC}. */
  eventsTopic?: string;
  /** Defaults to {@link CUSTOMER_SNAPSHOTS_TOPIC}. */
  snapshotsTopic?: string;
}

export interface BootstrapOptions extends BootstrapTopics {
  kafka: Kafka;
  /** The consumer group that consumes the events topic afterwards. None of its members may be running. */
  groupId: string;
  /**
   * Applies one fetched batch of snapshots of one partition. Keep each only if
   * {@link isNewer} than the version you hold, storing state and version in one transaction.
   * Must be idempotent: a bootstrap cut short is simply run again.
   */
  applySnapshots(snapshots: DecodedSnapshot[]): Promise<void>;
  /** A record that fails to decode. Default: the bootstrap fails with the error. */
  onMalformed?(error: MalformedMessageError, at: PartitionOffset): Promise<void> | void;
}

export interface BootstrapResult {
  /** Snapshots handed to `applySnapshots`. */
  snapshots: number;
  /** Where the group now starts on the events topic. */
  eventsFrom: PartitionOffset[];
}

/**
 * The bootstrap protocol (docs/consumers.md):
 * 1. note the events topic's end offsets E (read-committed: the last stable offsets);
 * 2. read the snapshot topic from its beginning to its end (noted after E), applying each
 *    snapshot newer than what is held;
 * 3. commit E as the group's offsets on the events topic; then consume events as usual,
 *    applying only newer versions.
 * Every event before E is already in some snapshot read in step 2 (the service commits each
 * event and its customer's snapshot in one Kafka transaction, the snapshot at least as new), and
 * every event from E on is consumed: no gap, and the version rule absorbs the overlap. Old
 * events are never needed, so retention cannot break it.
 */
export async function bootstrapFromSnapshots(options: BootstrapOptions): Promise<BootstrapResult> {
  const { eventsTopic = CUSTOMER_EVENTS_TOPIC, snapshotsTopic = CUSTOMER_SNAPSHOTS_TOPIC } = options;
  return withAdmin(options.kafka, async (admin) => {
    const eventsFrom = (await admin.fetchTopicOffsets(eventsTopic)).map(({ partition, offset }) => ({ partition, offset }));
    const ends = await admin.fetchTopicOffsets(snapshotsTopic);
    const pending = new Map(ends.filter(({ high, low }) => BigInt(high) > BigInt(low)).map(({ partition, high }) => [partition, BigInt(high)]));
    const snapshots = pending.size === 0 ? 0 : await readToEnd(admin, snapshotsTopic, pending, options);
    await admin.setOffsets({ groupId: options.groupId, topic: eventsTopic, partitions: eventsFrom });
    return { snapshots, eventsFrom };
  });
}

/**
 * True when the group cannot continue from its committed offsets: it has none on some
 * partition of the events topic (a new consumer), or the topic no longer holds the next
 * record it would read (it was stopped longer than the retention). Run the bootstrap then.
 */
export async function needsBootstrap(kafka: Kafka, groupId: string, { eventsTopic = CUSTOMER_EVENTS_TOPIC }: BootstrapTopics = {}): Promise<boolean> {
  return withAdmin(kafka, async (admin) => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [eventsTopic] });
    const next = new Map(committed.partitions.map(({ partition, offset }) => [partition, BigInt(offset)]));
    const bounds = await admin.fetchTopicOffsets(eventsTopic);
    return bounds.some(({ partition, low }) => {
      const offset = next.get(partition) ?? -1n; // -1: nothing committed
      return offset < 0n || offset < BigInt(low);
    });
  });
}

/** Reads every partition in `pending` up to its end offset with a throwaway group, then deletes the group. */
async function readToEnd(admin: Admin, topic: string, pending: Map<number, bigint>, options: BootstrapOptions): Promise<number> {
  const groupId = `${options.groupId}.bootstrap.${randomUUID()}`;
  const consumer = options.kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  // After every batch, including those holding only transaction markers (which eachBatch never sees).
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = pending.get(payload.partition);
    if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end) pending.delete(payload.partition);
    if (pending.size === 0) finish();
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
  let applied = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        try {
          const decoded = await decodeAll(batch.messages, batch.partition, options);
          if (decoded.length > 0) await options.applySnapshots(decoded);
          applied += decoded.length;
          await payload.heartbeat();
        } catch (error) {
          fail(error); // stop here: kafkajs would retry a throwing batch forever
        }
      },
    });
    await done;
    return applied;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

async function decodeAll(messages: KafkaMessage[], partition: number, options: BootstrapOptions): Promise<DecodedSnapshot[]> {
  const decoded: DecodedSnapshot[] = [];
  for (const message of messages) {
    try {
      decoded.push(decodeCustomerSnapshot(message));
    } catch (error) {
      if (!(error instanceof MalformedMessageError) || !options.onMalformed) throw error;
      await options.onMalformed(error, { partition, offset: message.offset });
    }
  }
  return decoded;
}

async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

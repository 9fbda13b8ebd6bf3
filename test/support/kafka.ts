import { randomUUID } from 'node:crypto';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';

/** One consumed message, as a consumer sees it (headers as UTF-8 strings). */
export interface ConsumedMessage {
  partition: number;
  offset: number;
  key: string;
  value: string;
  headers: Record<string, string>;
  /**
   * The producer session that wrote it, `<producer id>:<epoch>`: one per relay producer
   * instance. A transactional relay keeps its producer id across restarts (the id belongs to its
   * transactional.id) and a new instance bumps the epoch, fencing the old one.
   */
  producerId: string;
}

/** A client of the test run's broker, or of the given one (with `connection`: TLS, SASL). */
export const testKafka = (brokers = process.env.KAFKA_BROKERS ?? '', connection: Partial<KafkaConfig> = {}) =>
  new Kafka({ clientId: 'test', brokers: brokers.split(','), logLevel: logLevel.NOTHING, ...connection });

/** Creates a topic of its own for one test (the broker never auto-creates). */
export async function createTopic(prefix: string, partitions = 3): Promise<string> {
  const topic = `${prefix}.${randomUUID()}`;
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

export async function deleteTopic(topic: string, brokers?: string): Promise<void> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

/**
 * The whole topic, read from the beginning by a fresh consumer group up to the end offsets it
 * had when called, in offset order per partition (the Jepsen queue checker's "final read").
 */
export async function readWholeTopic(
  topic: string,
  { timeoutMs = 30_000, brokers, connection }: { timeoutMs?: number; brokers?: string; connection?: Partial<KafkaConfig> } = {},
): Promise<ConsumedMessage[]> {
  const kafka = testKafka(brokers, connection);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((end) => Number(end.high) > 0).map((end) => [end.partition, Number(end.high)]));
  const messages: ConsumedMessage[] = [];
  if (remaining.size === 0) return messages;

  const consumer = kafka.consumer({ groupId: `test-read-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`topic not read to its end within ${timeoutMs} ms`)), timeoutMs);
      // The end is reached by offsets, not by messages: the relay writes in Kafka transactions,
      // so a partition's last offset is a commit marker that no handler sees. This event follows
      // every batch, marker-only batches included (kafkajs resolves their offsets itself).
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const end = remaining.get(payload.partition);
        if (end !== undefined && Number(payload.lastOffset) + 1 >= end) remaining.delete(payload.partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          // Once this batch handler has returned: disconnecting from inside it can leave a
          // coordinator connection open.
          setImmediate(resolve);
        }
      });
      void consumer.run({
        eachBatch: ({ batch }) => {
          for (const message of batch.messages) {
            const offset = Number(message.offset);
            if (offset >= (remaining.get(batch.partition) ?? 0)) continue;
            messages.push({
              partition: batch.partition,
              offset,
              key: String(message.key),
              value: String(message.value),
              headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
              producerId: producerSession(message),
            });
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.stop();
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** `<producer id>:<epoch>` of the record batch a message came in (kafkajs keeps it on the message). */
function producerSession(message: object): string {
  const context = (message as { batchContext?: { producerId?: unknown; producerEpoch?: unknown } }).batchContext;
  return `${String(context?.producerId)}:${String(context?.producerEpoch)}`;
}

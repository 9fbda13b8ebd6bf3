import { randomUUID } from 'node:crypto';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';
import { readTopicToEnd } from '../../apps/customer-service/src/kafka/read-to-end';

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
  const messages: ConsumedMessage[] = [];
  const found = await readTopicToEnd(testKafka(brokers, connection), topic, { groupPrefix: 'test-read', timeoutMs }, (message, partition) => {
    messages.push({
      partition,
      offset: Number(message.offset),
      key: String(message.key),
      value: String(message.value),
      headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)])),
      producerId: producerSession(message),
    });
  });
  if (!found) throw new Error(`no topic ${topic}`);
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** `<producer id>:<epoch>` of the record batch a message came in (kafkajs keeps it on the message). */
function producerSession(message: object): string {
  const context = (message as { batchContext?: { producerId?: unknown; producerEpoch?: unknown } }).batchContext;
  return `${String(context?.producerId)}:${String(context?.producerEpoch)}`;
}

import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads `topic` from the beginning up to the end offsets it has when called — partition by
 * partition, in offset order — through a throwaway consumer group (`<groupPrefix>.<uuid>`), so no
 * real consumer's offsets move. `each` gets every message below those ends; `afterBatch` runs
 * after each batch (progress). False when there is no such topic.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  options: { groupPrefix: string; timeoutMs: number },
  each: (message: KafkaMessage, partition: number) => Promise<void> | void,
  afterBatch: () => void = () => undefined,
): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${options.groupPrefix}.${randomUUID()}`;
  try {
    if (!(await admin.listTopics()).includes(topic)) return false;
    const ends = await admin.fetchTopicOffsets(topic);
    const remaining = new Map(ends.filter((end) => Number(end.high) > Number(end.low)).map((end) => [end.partition, Number(end.high)]));
    if (remaining.size > 0) await consume(kafka, topic, groupId, remaining, options.timeoutMs, each, afterBatch);
    return true;
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

async function consume(
  kafka: Kafka,
  topic: string,
  groupId: string,
  remaining: Map<number, number>,
  timeoutMs: number,
  each: (message: KafkaMessage, partition: number) => Promise<void> | void,
  afterBatch: () => void,
): Promise<void> {
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
          // Once this batch handler has returned: disconnecting from inside it can leave a
          // coordinator connection open.
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
              await each(message, batch.partition);
              payload.resolveOffset(message.offset);
            }
            afterBatch();
            await payload.heartbeat();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.stop();
    await consumer.disconnect();
  }
}

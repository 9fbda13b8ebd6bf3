import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

describe('Kafka broker of the test run', () => {
  const kafka = new Kafka({ clientId: 'kafka-smoke', brokers: (process.env.KAFKA_BROKERS ?? '').split(','), logLevel: logLevel.NOTHING });

  it('delivers a produced message to a consumer group', async () => {
    const topic = `smoke-${randomUUID()}`;
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
    try {
      await admin.connect();
      // Auto-create is off on the broker: topics exist only when created explicitly.
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'hello', headers: { ce_id: 'id-1' } }] });

      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: string; ceId: string }>((resolve) => {
        void consumer.run({
          eachMessage: ({ message }) => {
            resolve({ key: String(message.key), value: String(message.value), ceId: String(message.headers?.ce_id) });
            return Promise.resolve();
          },
        });
      });
      await expect(received).resolves.toEqual({ key: 'k', value: 'hello', ceId: 'id-1' });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});

import { bootstrapFromSnapshots, decodeCustomerEvent, MalformedMessageError, needsBootstrap } from '@app/contracts';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { LedgerConfig } from './ledger-config';
import { CustomerState, LedgerStore } from './ledger.store';

/**
 * The reference ledger (docs/consumers.md), on the kit alone: bootstrap from the snapshot topic
 * when the group cannot continue (new, or behind the events topic's retention), then consume
 * the events topic. Each fetched batch is applied in one transaction and its offsets are
 * committed after it: a crash replays what the version rule then ignores.
 */
export class LedgerConsumer {
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly store: LedgerStore,
    private readonly config: LedgerConfig,
    private readonly log: (message: string) => void,
  ) {}

  async start(): Promise<void> {
    const { groupId, eventsTopic, snapshotsTopic } = this.config;
    if (await needsBootstrap(this.kafka, groupId, { eventsTopic })) {
      this.log('bootstrapping from the snapshot topic');
      const { snapshots } = await bootstrapFromSnapshots({
        kafka: this.kafka,
        groupId,
        eventsTopic,
        snapshotsTopic,
        applySnapshots: async (records) => {
          await this.store.apply(records.map((r) => ({ source: 'snapshot', messageId: r.headers.ce_id, customer: r.snapshot, exact: r.exact })));
        },
        onMalformed: (error, at) => this.store.reject({ topic: snapshotsTopic, ...at }, error),
      });
      this.log(`bootstrapped from ${snapshots} snapshots`);
    }
    this.consumer = this.kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: eventsTopic, fromBeginning: false });
    await this.consumer.run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch: (payload) => this.applyBatch(payload) });
    this.log('consuming events');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async applyBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const states: CustomerState[] = [];
    for (const message of batch.messages) {
      try {
        const { event, headers, exact } = decodeCustomerEvent(message);
        states.push({ source: 'event', messageId: headers.ce_id, customer: event.customer, exact });
      } catch (error) {
        if (!(error instanceof MalformedMessageError)) throw error;
        await this.store.reject({ topic: batch.topic, partition: batch.partition, offset: message.offset }, error);
      }
    }
    await this.store.apply(states);
    if (batch.messages.length > 0) payload.resolveOffset(batch.lastOffset());
    await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
  }
}

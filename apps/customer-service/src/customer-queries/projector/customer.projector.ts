import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { KafkaClient } from '../../kafka/kafka-client';
import { TopicProvisioner } from '../../kafka/topic-provisioner';
import { parseCustomerEvent } from './customer-event.parser';
import { ProjectionMetrics } from './projection.metrics';
import { ReadModelWriter } from './read-model.writer';

/**
 * SQLSTATE classes the database raises for values it refuses (22 data exception, 23
 * integrity constraint): retrying such a message can never succeed, so it is recorded and
 * skipped. Any other failure (connection lost, timeout) is thrown, and kafkajs retries the
 * batch from the last resolved offset.
 */
const REFUSED_VALUE = /^2[23]/;

/**
 * The projector role: a consumer group on the events topic that keeps the read model. Each
 * message is applied in its own transaction (event id + snapshot + counts); its offset is
 * resolved only after that commit, so a crash repeats messages (absorbed by the event-id
 * record and the version guard) but never loses one.
 */
@Injectable()
export class CustomerProjector implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CustomerProjector.name);
  private consumer?: Consumer;
  private starting?: Promise<void>;
  private stopped = false;
  private stop!: () => void;
  /** Settles on shutdown: start-up must not keep waiting for a topic that will never be ready. */
  private readonly stopping = new Promise<void>((resolve) => (this.stop = resolve));

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly client: KafkaClient,
    private readonly topics: TopicProvisioner,
    private readonly dataSource: DataSource,
    private readonly writer: ReadModelWriter,
    private readonly metrics: ProjectionMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.starting = this.start().catch((error: unknown) => {
      if (!this.stopped) this.logger.error(`projector did not start: ${(error as Error).message}`);
    });
  }

  /** Leaves the consumer group (its partitions move to the other instances at once). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.stop();
    await this.starting;
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async start(): Promise<void> {
    await Promise.race([this.topics.whenReady(), this.stopping]);
    if (this.stopped) return;
    const { groupId, fromBeginning, sessionTimeoutMs } = this.config.projector;
    const consumer = this.client.kafka.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.config.kafka.eventsTopic, fromBeginning });
    await consumer.run({ eachBatchAutoResolve: false, eachBatch: (payload) => this.eachBatch(payload) });
    this.logger.log(`projecting ${this.config.kafka.eventsTopic} as consumer group ${groupId}`);
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      await this.handle(batch.topic, batch.partition, message);
      resolveOffset(message.offset);
      await heartbeat();
    }
  }

  /** Applies one message, or records why it cannot be applied; throws only for retryable failures. */
  async handle(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const ceId = message.headers?.ce_id?.toString();
    const parsed = parseCustomerEvent(message.value, ceId);
    if (!parsed.ok) return this.skip(topic, partition, message.offset, parsed.reason);
    try {
      const outcome = await this.dataSource.transaction((db) => this.writer.apply(db, parsed.event));
      this.metrics.observe(outcome, parsed.event.occurredAt);
    } catch (error) {
      const code = (error as { driverError?: { code?: unknown } }).driverError?.code;
      if (typeof code === 'string' && REFUSED_VALUE.test(code)) {
        return this.skip(topic, partition, message.offset, `refused by the database (SQLSTATE ${code})`);
      }
      throw error;
    }
  }

  private async skip(topic: string, partition: number, offset: string, reason: string): Promise<void> {
    // Only the position and a reason naming fields, never values: they may be personal data.
    this.logger.warn({ topic, partition, offset, reason }, 'skipping a message that cannot be projected');
    await this.dataSource.query(
      `INSERT INTO projection_errors (topic, partition, "offset", reason) VALUES ($1, $2, $3, $4)
       ON CONFLICT (topic, partition, "offset") DO NOTHING`,
      [topic, partition, offset, reason.slice(0, 500)],
    );
    this.metrics.observe('malformed');
  }
}

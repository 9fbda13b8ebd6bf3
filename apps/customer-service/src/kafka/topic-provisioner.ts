import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { kafkaMisconfiguration } from './kafka-check';
import { KafkaClient } from './kafka-client';

/**
 * Creates the events topic and the snapshot topic at start-up (the broker has auto-create off, and kafkajs cannot
 * subscribe to a topic that does not exist yet under KRaft). Runs in the background with
 * backoff so the API starts and accepts writes even while Kafka is away; `whenReady()` lets
 * the relay and the projector wait for it.
 */
@Injectable()
export class TopicProvisioner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TopicProvisioner.name);
  private stopped = false;
  private ready?: Promise<void>;
  private wakeUp?: () => void;

  constructor(
    private readonly client: KafkaClient,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.ready = this.provisionWithRetry();
    this.ready.catch(() => undefined);
  }

  /**
   * Stops retrying and waits for an attempt in flight, so that the Kafka client (closed in the
   * later shutdown phase) is not reconnected by a kafkajs call that was still running.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.ready?.catch(() => undefined);
  }

  whenReady(): Promise<void> {
    return this.ready ?? Promise.reject(new Error('the application has not started'));
  }

  private async provisionWithRetry(): Promise<void> {
    for (let attempt = 1, delayMs = 250; !this.stopped; attempt++, delayMs = Math.min(delayMs * 2, 5000)) {
      try {
        await this.provision();
        return;
      } catch (error) {
        await this.client.resetAdmin();
        // Kafka was away at the start-up check and came back refusing these settings: say which one.
        const misconfiguration = kafkaMisconfiguration(error, this.config.kafka);
        if (misconfiguration) this.logger.error(`topic provisioning attempt ${attempt} failed: ${misconfiguration} Retrying`);
        else this.logger.warn(`topic provisioning attempt ${attempt} failed (${(error as Error).message}); retrying`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    throw new Error('stopped before the events topic was provisioned');
  }

  private async provision(): Promise<void> {
    const { eventsTopic: topic, eventsPartitions: numPartitions, eventsRetentionHours: retentionHours, snapshotsTopic } = this.config.kafka;
    const admin = await this.client.connectedAdmin();
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions, replicationFactor: -1, configEntries: [{ name: 'retention.ms', value: String(retentionHours * 3_600_000) }] }],
    });
    this.logger.log(created ? `created topic ${topic} (${numPartitions} partitions)` : `topic ${topic} exists`);
    // Keyed and partitioned exactly like the events topic (ADR 8): as many partitions as it
    // really has, so a customer's snapshot and events share a partition number.
    const [{ partitions }] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const snapshots = await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: snapshotsTopic, numPartitions: partitions.length, replicationFactor: -1, configEntries: SNAPSHOT_TOPIC_CONFIG }],
    });
    this.logger.log(snapshots ? `created compacted topic ${snapshotsTopic} (${partitions.length} partitions)` : `topic ${snapshotsTopic} exists`);
  }
}

/** A table, not a log: only each customer's latest record is kept (customers are never deleted: no tombstones). */
const SNAPSHOT_TOPIC_CONFIG = [{ name: 'cleanup.policy', value: 'compact' }];

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { KafkaClient } from './kafka-client';

/**
 * Creates the events topic at start-up (the broker has auto-create off, and kafkajs cannot
 * subscribe to a topic that does not exist yet under KRaft). Runs in the background with
 * backoff so the API starts and accepts writes even while Kafka is away; `whenReady()` lets
 * the relay and the projector wait for it.
 */
@Injectable()
export class TopicProvisioner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TopicProvisioner.name);
  private stopped = false;
  private ready!: Promise<void>;

  constructor(
    private readonly client: KafkaClient,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.ready = this.provisionWithRetry();
    this.ready.catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  private async provisionWithRetry(): Promise<void> {
    for (let attempt = 1, delayMs = 250; !this.stopped; attempt++, delayMs = Math.min(delayMs * 2, 5000)) {
      try {
        await this.provision();
        return;
      } catch (error) {
        await this.client.resetAdmin();
        this.logger.warn(`topic provisioning attempt ${attempt} failed (${(error as Error).message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      }
    }
    throw new Error('stopped before the events topic was provisioned');
  }

  private async provision(): Promise<void> {
    const { eventsTopic: topic, eventsPartitions: numPartitions } = this.config.kafka;
    const admin = await this.client.connectedAdmin();
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions, replicationFactor: -1 }],
    });
    this.logger.log(created ? `created topic ${topic} (${numPartitions} partitions)` : `topic ${topic} exists`);
  }
}

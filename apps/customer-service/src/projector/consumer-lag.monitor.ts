import { Inject, Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { BackgroundCheck } from '../health/background-check';
import { MonitorAdmin } from '../health/monitor-admin';
import { KafkaClient } from '../kafka/kafka-client';

/** Messages not yet consumed, by partition. */
export type PartitionLag = Map<number, number>;

/**
 * The projector's consumer lag per partition, as Kafka's own tools compute it: the
 * partition's high-water mark minus the group's committed offset. Read every
 * HEALTH_CHECK_INTERVAL_MS on an admin connection of its own (two requests), so a stalled or
 * dead consumer shows a growing lag, which an in-process count of processed messages could not.
 * It is the group's lag, the same in every projector process: aggregate with `max by (partition)`.
 */
@Injectable()
export class ConsumerLagMonitor extends BackgroundCheck<PartitionLag> {
  private readonly admin: MonitorAdmin;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    client: KafkaClient,
    registry: Registry,
  ) {
    super(config.health.checkIntervalMs);
    this.admin = new MonitorAdmin(client);
    const latest = () => this.result;
    new Gauge({
      name: 'customer_projector_consumer_lag',
      help: "Messages of a partition of the events topic not yet committed by the projector's consumer group (high-water mark − committed offset).",
      labelNames: ['partition'],
      registers: [registry],
      collect() {
        const result = latest();
        this.reset();
        if (result?.ok) for (const [partition, lag] of result.value) this.set({ partition: String(partition) }, lag);
      },
    });
  }

  protected async run(): Promise<PartitionLag> {
    const { eventsTopic: topic } = this.config.kafka;
    const { groupId, fromBeginning } = this.config.projector;
    const admin = await this.admin.connected();
    const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committedBy = new Map(committed.partitions.map((entry) => [entry.partition, Number(entry.offset)]));
    const lag: PartitionLag = new Map();
    for (const { partition, high, low } of ends) {
      const offset = committedBy.get(partition) ?? -1;
      // No commit yet: a new group starts at the beginning (or at the end) of the partition.
      const from = offset >= 0 ? offset : fromBeginning ? Number(low) : Number(high);
      lag.set(partition, Math.max(0, Number(high) - from));
    }
    return lag;
  }

  protected disconnect(): Promise<void> {
    return this.admin.drop();
  }
}

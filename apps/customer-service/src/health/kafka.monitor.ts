import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { KafkaClient } from '../kafka/kafka-client';
import { BackgroundCheck } from './background-check';
import { MonitorAdmin } from './monitor-admin';

export interface KafkaCluster {
  brokers: number;
}

/** Checks Kafka with a metadata request, on an admin connection of its own; readiness reads the result. */
@Injectable()
export class KafkaMonitor extends BackgroundCheck<KafkaCluster> {
  private readonly admin: MonitorAdmin;

  constructor(@Inject(AppConfig) config: AppConfig, client: KafkaClient) {
    super(config.health.checkIntervalMs);
    this.admin = new MonitorAdmin(client);
  }

  protected async run(): Promise<KafkaCluster> {
    const cluster = await (await this.admin.connected()).describeCluster();
    return { brokers: cluster.brokers.length };
  }

  protected disconnect(): Promise<void> {
    return this.admin.drop();
  }
}

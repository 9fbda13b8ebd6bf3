import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { KafkaClient } from '../kafka/kafka-client';

/** Kafka is up when the cluster answers a metadata request within the timeout. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly client: KafkaClient,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      const cluster = await withTimeout(this.describe(), timeoutMs);
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (error) {
      // A stuck connection would keep failing; start from a fresh one next time (without
      // waiting for the old one to close: the answer must not wait for a hung broker).
      void this.client.resetAdmin();
      return indicator.down({ message: (error as Error).message });
    }
  }

  private async describe() {
    const admin = await this.client.connectedAdmin();
    return admin.describeCluster();
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

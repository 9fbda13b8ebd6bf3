import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { KafkaClient } from '../kafka/kafka-client';
import { withTimeout } from './with-timeout';

/** Kafka is up when the cluster answers a metadata request within the timeout. */
@Injectable()
export class KafkaHealthIndicator implements OnModuleDestroy {
  /** A metadata request still waiting for the broker (one at a time, whatever the probe rate). */
  private inFlight?: Promise<unknown>;

  constructor(
    private readonly client: KafkaClient,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async isHealthy(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    if (this.inFlight) return indicator.down({ message: 'the previous check is still waiting for the broker' });
    const describing = this.describe();
    const settled = describing.catch(() => undefined);
    this.inFlight = settled;
    try {
      const cluster = await withTimeout(describing, timeoutMs);
      this.inFlight = undefined;
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (error) {
      // A stuck connection would keep failing: start from a fresh one, but only once the request
      // has settled (kafkajs reconnects an admin disconnected under a pending request, and
      // that connection would never be closed). The answer itself does not wait.
      void settled.then(() => this.client.resetAdmin()).finally(() => (this.inFlight = undefined));
      return indicator.down({ message: (error as Error).message });
    }
  }

  /** Lets a pending request settle before the Kafka client closes (same reason as above). */
  async onModuleDestroy(): Promise<void> {
    await this.inFlight;
  }

  private async describe() {
    const admin = await this.client.connectedAdmin();
    return admin.describeCluster();
  }
}

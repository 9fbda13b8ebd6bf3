import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { ApplyOutcome } from './apply-outcome';

/** The projector's measurements, on the process's registry (served by the management listener). */
@Injectable()
export class ProjectionMetrics {
  /** Event time (`occurred_at`) → committed to the read model. */
  readonly lag: Histogram;
  readonly messages: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.lag = new Histogram({
      name: 'customer_projection_lag_seconds',
      help: 'Time from an event occurring to its snapshot being committed to the read model.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.messages = new Counter({
      name: 'customer_projection_messages_total',
      help: 'Messages handled by the projector, by outcome (applied, duplicate, stale, malformed, refused, parked).',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  observe(outcome: ApplyOutcome | 'malformed', occurredAt?: string): void {
    this.messages.inc({ outcome });
    if (outcome !== 'applied' || occurredAt === undefined) return;
    this.lag.observe(Math.max(0, Date.now() - Date.parse(occurredAt)) / 1000);
  }
}

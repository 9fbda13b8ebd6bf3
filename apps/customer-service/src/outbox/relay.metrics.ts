import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The relay's measurements, on the process's registry (served by the management listener). */
@Injectable()
export class RelayMetrics {
  /** One produce request (a batch of rows), from send to the acknowledgement of every in-sync replica. */
  readonly sendDuration: Histogram;
  /** Per event: its outbox row's `created_at` (its transaction's start) → acknowledged by Kafka. */
  readonly publishDelay: Histogram;
  readonly published: Counter;
  readonly failures: Counter;
  /** Rows parked because the broker refused them for good (docs/failure-modes.md). */
  readonly parked: Counter;
  /** Unpublished parked rows now, and the rows of their customers waiting behind them (set by the leader). */
  readonly parkedNow: Gauge;
  readonly heldNow: Gauge;

  constructor(registry: Registry) {
    this.sendDuration = new Histogram({
      name: 'customer_relay_send_duration_seconds',
      help: 'Duration of one acknowledged produce request of the outbox relay (one batch of rows).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.publishDelay = new Histogram({
      name: 'customer_relay_publish_delay_seconds',
      help: 'Time from an outbox row being written to Kafka acknowledging its event (relay publish latency).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.published = new Counter({
      name: 'customer_relay_published_events_total',
      help: 'Events the outbox relay published to Kafka (acknowledged).',
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'customer_relay_send_failures_total',
      help: 'Produce requests of the outbox relay that failed (retried with backoff).',
      registers: [registry],
    });
    this.parked = new Counter({
      name: 'customer_relay_parked_events_total',
      help: 'Outbox rows the relay parked because Kafka refused them for good (e.g. MESSAGE_TOO_LARGE).',
      registers: [registry],
    });
    this.parkedNow = new Gauge({
      name: 'customer_relay_parked_events',
      help: 'Outbox rows parked and not yet replayed (as seen by the leading relay).',
      registers: [registry],
    });
    this.heldNow = new Gauge({
      name: 'customer_relay_held_events',
      help: 'Outbox rows waiting behind a parked row of the same customer (as seen by the leading relay).',
      registers: [registry],
    });
  }

  /** A batch acknowledged after `sendMs`; `createdAt` of each of its rows. */
  acknowledged(sendMs: number, createdAt: readonly Date[], now = Date.now()): void {
    this.sendDuration.observe(sendMs / 1000);
    this.published.inc(createdAt.length);
    for (const at of createdAt) this.publishDelay.observe(Math.max(0, now - at.getTime()) / 1000);
  }
}

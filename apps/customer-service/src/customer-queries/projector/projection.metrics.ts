import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';
import { ApplyOutcome } from './read-model.writer';

export const METRICS_PATH = '/metrics';

/**
 * The projector's measurements, in Prometheus text format at `GET /metrics` (outside the API
 * prefix and without a token, like the health endpoints: scrape it from inside the network).
 * A registry per application instance, so several instances in one process (tests) do not clash.
 */
@Injectable()
export class ProjectionMetrics implements OnModuleInit {
  readonly registry = new Registry();
  /** Event time (`occurred_at`) → committed to the read model. */
  readonly lag = new Histogram({
    name: 'customer_projection_lag_seconds',
    help: 'Time from an event occurring to its snapshot being committed to the read model.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly messages = new Counter({
    name: 'customer_projection_messages_total',
    help: 'Messages handled by the projector, by outcome (applied, duplicate, stale, malformed).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private lastLagMs?: number;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || fastify.hasRoute({ method: 'GET', url: METRICS_PATH })) return;
    fastify.get(METRICS_PATH, async (_request, reply) => {
      void reply.type(this.registry.contentType);
      return this.registry.metrics();
    });
  }

  observe(outcome: ApplyOutcome | 'malformed', occurredAt?: string): void {
    this.messages.inc({ outcome });
    if (outcome !== 'applied' || occurredAt === undefined) return;
    this.lastLagMs = Math.max(0, Date.now() - Date.parse(occurredAt));
    this.lag.observe(this.lastLagMs / 1000);
  }

  /** The lag of the last applied event, in milliseconds. */
  get lastLag(): number | undefined {
    return this.lastLagMs;
  }
}

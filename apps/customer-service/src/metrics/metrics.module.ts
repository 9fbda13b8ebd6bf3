import { Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DatabasePoolMetrics } from './database-pool.metrics';
import { HttpMetrics } from './http.metrics';

/**
 * The process's Prometheus registry (served at the management listener's `/metrics`), with
 * Node's process metrics (CPU, memory, event-loop delay, GC) and the metrics every process
 * has. Role-specific metrics (relay, projector, readiness) register on the same registry.
 * One registry per application instance, so several instances in one process (tests) do
 * not clash.
 */
@Global()
@Module({
  providers: [
    {
      provide: Registry,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    HttpMetrics,
    DatabasePoolMetrics,
  ],
  exports: [Registry, HttpMetrics, DatabasePoolMetrics],
})
export class MetricsModule {}

import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

/** What is read of a node-postgres `Pool` (or anything shaped like one). */
export interface ConnectionPool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { max?: number };
}

/** The pool TypeORM's DataSource created (node-postgres), tracked as `pool="default"`. */
export const DEFAULT_POOL = 'default';

/**
 * Connections of every database pool of the process, labelled by the pool's name: in use,
 * idle, the maximum, and callers waiting for one (a pool at its maximum with waiters is the
 * bottleneck). Any number of named pools can be tracked; values are read at scrape time.
 * Names follow OpenTelemetry's database client metrics (`db.client.connection.*`).
 */
@Injectable()
export class DatabasePoolMetrics implements OnApplicationBootstrap {
  private readonly pools = new Map<string, ConnectionPool>();

  constructor(
    registry: Registry,
    private readonly dataSource: DataSource,
  ) {
    const pools = this.pools;
    new Gauge({
      name: 'db_client_connection_count',
      help: 'Connections of a database pool, by pool and state (used, idle).',
      labelNames: ['pool', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pool, stats] of pools) {
          this.set({ pool, state: 'used' }, stats.totalCount - stats.idleCount);
          this.set({ pool, state: 'idle' }, stats.idleCount);
        }
      },
    });
    new Gauge({
      name: 'db_client_connection_max',
      help: 'Most connections a database pool opens.',
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pool, stats] of pools) if (stats.options.max !== undefined) this.set({ pool }, stats.options.max);
      },
    });
    new Gauge({
      name: 'db_client_connection_pending_requests',
      help: 'Callers waiting for a connection of a database pool.',
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pool, stats] of pools) this.set({ pool }, stats.waitingCount);
      },
    });
  }

  /** Reports `pool` under `name` from now on (a second pool of the same name replaces the first). */
  track(name: string, pool: ConnectionPool): void {
    this.pools.set(name, pool);
  }

  untrack(name: string): void {
    this.pools.delete(name);
  }

  /** The DataSource is connected by now (TypeOrmModule initialises it while modules load). */
  onApplicationBootstrap(): void {
    const pool = (this.dataSource.driver as unknown as { master?: ConnectionPool }).master;
    if (pool) this.track(DEFAULT_POOL, pool);
  }
}

import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { PROJECTOR_DATA_SOURCE, QUERIES_DATA_SOURCE } from '../database/database.module';

/** What is read of a node-postgres `Pool` (or anything shaped like one). */
export interface ConnectionPool {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { max?: number };
}

/** The process's pools (database/database.module.ts) and their `pool` label: the default DataSource's is the commands'. */
const POOLS: [label: string, dataSource: string | undefined][] = [
  ['commands', undefined],
  ['queries', QUERIES_DATA_SOURCE],
  ['projector', PROJECTOR_DATA_SOURCE],
];

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
    private readonly modules: ModuleRef,
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

  /** Each DataSource the process's roles created is connected by now (TypeOrmModule initialises them while modules load). */
  onApplicationBootstrap(): void {
    for (const [label, name] of POOLS) {
      const dataSource = this.dataSourceNamed(name);
      const pool = (dataSource?.driver as unknown as { master?: ConnectionPool } | undefined)?.master;
      if (pool) this.track(label, pool);
    }
  }

  private dataSourceNamed(name: string | undefined): DataSource | undefined {
    try {
      return this.modules.get<DataSource>(getDataSourceToken(name), { strict: false });
    } catch {
      return undefined; // a pool this process's roles do not use
    }
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

/** Batches per table and run: a run ends after this many even if more rows are due (the next run goes on). */
const MAX_BATCHES_PER_RUN = 100;

/** A table whose old rows the service deletes, and the statement that deletes one batch of them ($1: the batch size). */
interface RetentionTarget {
  table: 'idempotency_keys' | 'processed_events';
  deleteBatch: string;
  params: unknown[];
}

/**
 * Keeps the tables that only grow at a constant size (issue 15, item 7): idempotency keys past
 * `expires_at` (processes with the api role) and processed-event ids older than
 * PROCESSED_EVENTS_RETENTION_HOURS (processes with the projector role), deleted every
 * RETENTION_INTERVAL_MS in batches of RETENTION_BATCH_SIZE rows, each batch its own short
 * statement on the oldest rows first (their indexes serve it). Replicas may run it at once:
 * SKIP LOCKED lets them share the work instead of waiting on each other.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RetentionJob.name);
  private readonly deleted: Counter<'table'>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    registry: Registry,
  ) {
    this.deleted = new Counter({
      name: 'customer_retention_deleted_rows_total',
      help: 'Rows deleted by the retention job, by table (idempotency_keys past expires_at, processed_events past PROCESSED_EVENTS_RETENTION_HOURS).',
      labelNames: ['table'],
      registers: [registry],
    });
    for (const { table } of this.targets()) this.deleted.inc({ table }, 0);
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One run over every table of this process's roles; returns the rows deleted per table. */
  async runOnce(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const target of this.targets()) {
      counts[target.table] = await this.purge(target);
      if (counts[target.table] > 0) this.logger.log(`deleted ${counts[target.table]} rows of ${target.table} past their retention`);
    }
    return counts;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`retention run failed (${(error as Error).message}); next run in ${this.config.retention.intervalMs} ms`))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.config.retention.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async purge({ table, deleteBatch, params }: RetentionTarget): Promise<number> {
    const { batchSize } = this.config.retention;
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !this.stopped; batch++) {
      const [, affected] = await this.dataSource.query<[unknown, number]>(deleteBatch, [batchSize, ...params]);
      total += affected;
      this.deleted.inc({ table }, affected);
      if (affected < batchSize) break;
    }
    return total;
  }

  private targets(): RetentionTarget[] {
    const targets: RetentionTarget[] = [];
    if (this.config.hasRole('api')) {
      targets.push({
        table: 'idempotency_keys',
        deleteBatch: `DELETE FROM idempotency_keys WHERE (counterparty_guid, key) IN (
           SELECT counterparty_guid, key FROM idempotency_keys WHERE expires_at < now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)`,
        params: [],
      });
    }
    if (this.config.hasRole('projector')) {
      targets.push({
        table: 'processed_events',
        deleteBatch: `DELETE FROM processed_events WHERE event_id IN (
           SELECT event_id FROM processed_events WHERE processed_at < now() - make_interval(hours => $2) ORDER BY processed_at LIMIT $1 FOR UPDATE SKIP LOCKED)`,
        params: [this.config.retention.processedEventsHours],
      });
    }
    return targets;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { withTimeout } from './with-timeout';

/** The backlog is counted up to this many rows (a count must stay cheap when Kafka is long gone). */
const BACKLOG_COUNT_CAP = 100_000;

export interface OutboxBacklog {
  /** Unpublished rows, counted up to {@link BACKLOG_COUNT_CAP}. */
  backlog: number;
  /** Age of the first unpublished row in claim order, or 0 when there is none. */
  oldestAgeMs: number;
}

/**
 * The outbox backlog: how many rows wait for the relay and how old the oldest is. It fails
 * readiness only in a process that runs the relay, once the oldest row is older than
 * OUTBOX_READY_MAX_AGE_MS: an API-only replica keeps taking writes while Kafka is away (that
 * is what the outbox is for), so its readiness only reports the numbers.
 */
@Injectable()
export class OutboxHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async isHealthy(key: string, timeoutMs: number): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const relay = this.config.hasRole('relay');
    let state: OutboxBacklog;
    try {
      state = await withTimeout(this.backlog(timeoutMs), timeoutMs);
    } catch (error) {
      const message = `backlog unknown: ${(error as Error).message}`;
      return relay ? indicator.down({ message }) : indicator.up({ message });
    }
    const details = { backlog: state.backlog, oldest_unpublished_age_ms: state.oldestAgeMs };
    const { readyMaxAgeMs } = this.config.relay;
    if (relay && state.oldestAgeMs > readyMaxAgeMs) {
      return indicator.down({ ...details, message: `the oldest unpublished event is older than ${readyMaxAgeMs} ms` });
    }
    return indicator.up(details);
  }

  /** One short read-only transaction, bounded by a local statement timeout. */
  async backlog(timeoutMs: number): Promise<OutboxBacklog> {
    return this.dataSource.transaction(async (db) => {
      await db.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      const [row] = await db.query(
        `SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT ${BACKLOG_COUNT_CAP}) AS waiting)::int AS backlog,
                coalesce((SELECT floor(extract(epoch FROM clock_timestamp() - created_at) * 1000)
                            FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT 1), 0)::bigint AS oldest_age_ms`,
      );
      return { backlog: row.backlog, oldestAgeMs: Number(row.oldest_age_ms) };
    });
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { pgConnectionOptions } from '../database/pg-connection';
import { Gauge, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { NOT_HELD } from '../outbox/relay-session';
import { BackgroundCheck } from './background-check';
import { HEALTH_CHECK_TIMEOUT_MS } from './periodic-check';

/** The backlog is counted up to this many rows (a count must stay cheap when Kafka is long gone). */
export const BACKLOG_COUNT_CAP = 100_000;

export interface OutboxBacklog {
  /** Unpublished rows, counted up to {@link BACKLOG_COUNT_CAP}. */
  backlog: number;
  /**
   * Age of the first unpublished row in claim order, or 0 when there is none. Parked rows and
   * the rows waiting behind them do not count: the relay is not stuck on them (they have their
   * own metric and alert, docs/failure-modes.md).
   */
  oldestAgeMs: number;
}

const BACKLOG_SQL = `SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT ${BACKLOG_COUNT_CAP}) AS waiting)::int AS backlog,
  coalesce((SELECT floor(extract(epoch FROM clock_timestamp() - created_at) * 1000)
              FROM outbox o WHERE published_at IS NULL AND ${NOT_HELD} ORDER BY seq LIMIT 1), 0)::bigint AS oldest_age_ms`;

/**
 * Checks PostgreSQL every HEALTH_CHECK_INTERVAL_MS by reading the outbox backlog, on a
 * connection of its own (never one of the API's pool: a saturated pool must not make the
 * instance look dead, and probes must not take connections from requests). Readiness and the
 * outbox metrics read the latest result.
 */
@Injectable()
export class DatabaseMonitor extends BackgroundCheck<OutboxBacklog> {
  private client?: Client;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    registry: Registry,
  ) {
    super(config.health.checkIntervalMs);
    // NaN (unknown) while the latest check failed: 0 would claim an empty outbox.
    const latest = (read: (backlog: OutboxBacklog) => number) => {
      const result = this.result;
      return result?.ok ? read(result.value) : NaN;
    };
    new Gauge({
      name: 'customer_outbox_backlog',
      help: `Outbox rows not yet published to Kafka (counted up to ${BACKLOG_COUNT_CAP}); NaN while PostgreSQL is unreachable.`,
      registers: [registry],
      collect() {
        this.set(latest((outbox) => outbox.backlog));
      },
    });
    new Gauge({
      name: 'customer_outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest outbox row not yet published to Kafka (0 when none), parked rows and those waiting behind them aside; NaN while PostgreSQL is unreachable.',
      registers: [registry],
      collect() {
        this.set(latest((outbox) => outbox.oldestAgeMs / 1000));
      },
    });
  }

  protected async run(): Promise<OutboxBacklog> {
    const client = await this.connected();
    const { rows } = await client.query<{ backlog: number; oldest_age_ms: string }>(BACKLOG_SQL);
    return { backlog: rows[0].backlog, oldestAgeMs: Number(rows[0].oldest_age_ms) };
  }

  private async connected(): Promise<Client> {
    if (this.client) return this.client;
    const { database } = this.config;
    const client = new Client({
      ...pgConnectionOptions(database), // the URL and TLS every connection of the service uses
      connectionTimeoutMillis: Math.min(database.connectTimeoutMs, HEALTH_CHECK_TIMEOUT_MS),
      statement_timeout: HEALTH_CHECK_TIMEOUT_MS,
      query_timeout: HEALTH_CHECK_TIMEOUT_MS + 500,
      keepAlive: true,
      application_name: 'customer-service-health',
    });
    // Without a listener an idle connection's error would crash the process. A connection that
    // ended (PostgreSQL restarted) is forgotten, so the next check opens a new one.
    client.on('error', () => undefined);
    client.on('end', () => {
      if (this.client === client) this.client = undefined;
    });
    this.client = client;
    try {
      await client.connect();
    } catch (error) {
      await this.disconnect();
      throw error;
    }
    return client;
  }

  protected async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

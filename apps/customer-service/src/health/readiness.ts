import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { FieldProblem } from '../http/api-error';
import { DatabaseMonitor } from './database.monitor';
import { KafkaMonitor } from './kafka.monitor';
import { CheckResult, HEALTH_CHECK_TIMEOUT_MS } from './periodic-check';

export type CheckName = 'database' | 'kafka' | 'outbox';

/** One dependency as the readiness body shows it. */
export interface CheckReport {
  status: 'up' | 'down';
  /** How long ago the answer was recorded (absent before the first check). */
  checked_ms_ago?: number;
  [detail: string]: unknown;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<CheckName, CheckReport>;
  /** Stable short reasons, one per failing check: never hosts, ports or driver messages. */
  failures: FieldProblem[];
}

/**
 * Readiness from state the process already holds: the latest results of the background
 * checks (DatabaseMonitor, KafkaMonitor). A probe never queries PostgreSQL or Kafka itself,
 * so probes cost nothing and cannot pile up on a slow dependency.
 *
 * - database / kafka: down when the latest check failed, or when no check has finished
 *   recently (the checks stopped: treated as unknown, hence down).
 * - outbox: in a process running the relay, down once the oldest unpublished row is older
 *   than OUTBOX_READY_MAX_AGE_MS (the relay is stuck). An API-only replica only reports the
 *   backlog: it keeps taking writes while Kafka is away, which is what the outbox is for.
 * - During shutdown every probe answers not ready.
 */
@Injectable()
export class Readiness implements OnModuleDestroy {
  private stopping = false;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly database: DatabaseMonitor,
    private readonly kafka: KafkaMonitor,
    registry: Registry,
  ) {
    const report = () => this.report();
    new Gauge({
      name: 'customer_ready',
      help: 'Whether this instance answers ready (1) or not (0) at /health/ready.',
      registers: [registry],
      collect() {
        this.set(report().ready ? 1 : 0);
      },
    });
    new Gauge({
      name: 'customer_dependency_up',
      help: 'Whether the latest background check of a dependency succeeded (1) or not (0).',
      labelNames: ['dependency'],
      registers: [registry],
      collect() {
        const { checks } = report();
        for (const name of ['database', 'kafka', 'outbox'] as const) this.set({ dependency: name }, checks[name].status === 'up' ? 1 : 0);
      },
    });
  }

  /** Probes answer "not ready" from the start of shutdown on. */
  onModuleDestroy(): void {
    this.stopping = true;
  }

  /** True from the start of a graceful shutdown (the API then closes each connection after its answer). */
  get shuttingDown(): boolean {
    return this.stopping;
  }

  report(now = Date.now()): ReadinessReport {
    const database = this.dependency('database', this.database.result, now);
    const kafka = this.dependency('kafka', this.kafka.result, now, (value) => ({ brokers: value.brokers }));
    const outbox = this.outbox(now);
    const checks = { database: database.report, kafka: kafka.report, outbox: outbox.report };
    const failures = [database.failure, kafka.failure, outbox.failure].filter((failure): failure is FieldProblem => failure !== undefined);
    if (this.stopping) failures.unshift({ field: 'service', message: 'service: shutting down' });
    return { ready: failures.length === 0, checks, failures };
  }

  /** A result older than this means the checks stopped running. */
  private get staleAfterMs(): number {
    return 3 * this.config.health.checkIntervalMs + HEALTH_CHECK_TIMEOUT_MS;
  }

  private dependency<T>(
    name: 'database' | 'kafka',
    result: CheckResult<T> | undefined,
    now: number,
    details: (value: T) => Record<string, unknown> = () => ({}),
  ): { report: CheckReport; failure?: FieldProblem } {
    if (!result) return { report: { status: 'down' }, failure: { field: name, message: `${name}: not checked yet` } };
    const age = now - result.at;
    const timing = { checked_ms_ago: age };
    if (age > this.staleAfterMs) return { report: { status: 'down', ...timing }, failure: { field: name, message: `${name}: no recent check` } };
    if (!result.ok) return { report: { status: 'down', ...timing }, failure: { field: name, message: `${name}: unreachable` } };
    return { report: { status: 'up', ...details(result.value), ...timing } };
  }

  private outbox(now: number): { report: CheckReport; failure?: FieldProblem } {
    const relay = this.config.hasRole('relay');
    const result = this.database.result;
    if (!result?.ok || now - result.at > this.staleAfterMs) {
      // Unknown while PostgreSQL is: only the relay's readiness depends on it (and the database check already names the cause).
      const report: CheckReport = { status: relay ? 'down' : 'up', backlog_known: false };
      return relay ? { report, failure: { field: 'outbox', message: 'outbox: backlog unknown' } } : { report };
    }
    const { backlog, oldestAgeMs } = result.value;
    const report: CheckReport = { status: 'up', backlog, oldest_unpublished_age_ms: oldestAgeMs, checked_ms_ago: now - result.at };
    const { readyMaxAgeMs } = this.config.relay;
    if (relay && oldestAgeMs > readyMaxAgeMs) {
      return {
        report: { ...report, status: 'down' },
        failure: { field: 'outbox', message: `outbox: oldest unpublished event older than ${readyMaxAgeMs} ms` },
      };
    }
    return { report };
  }
}

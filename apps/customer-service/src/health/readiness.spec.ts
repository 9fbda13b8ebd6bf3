import { Registry } from 'prom-client';
import { loadConfig } from '../config/app-config';
import { DatabaseMonitor, OutboxBacklog } from './database.monitor';
import { KafkaCluster, KafkaMonitor } from './kafka.monitor';
import { CheckResult } from './periodic-check';
import { Readiness } from './readiness';

const env = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092',
  AUTH_JWT_SECRET: 'a-test-secret-that-is-long-enough-123', OUTBOX_READY_MAX_AGE_MS: '5000', HEALTH_CHECK_INTERVAL_MS: '1000',
};
const NOW = 1_000_000;
const up = <T>(value: T, at = NOW - 100): CheckResult<T> => ({ ok: true, value, at });
const down = (at = NOW - 100): CheckResult<never> => ({ ok: false, at });

/** Readiness over monitors that only hold results: a probe can call nothing else. */
function readiness(roles: string, database?: CheckResult<OutboxBacklog>, kafka?: CheckResult<KafkaCluster>) {
  return new Readiness(
    loadConfig({ ...env, ROLES: roles }),
    { result: database } as DatabaseMonitor,
    { result: kafka } as KafkaMonitor,
    new Registry(),
  );
}

const idle = { backlog: 0, oldestAgeMs: 0 };

describe('Readiness', () => {
  it('is ready when both checks answered recently, and reports each with its age', () => {
    const report = readiness('api,relay', up({ backlog: 3, oldestAgeMs: 800 }), up({ brokers: 3 }, NOW - 40)).report(NOW);
    expect(report).toEqual({
      ready: true,
      failures: [],
      checks: {
        database: { status: 'up', checked_ms_ago: 100 },
        kafka: { status: 'up', brokers: 3, checked_ms_ago: 40 },
        outbox: { status: 'up', backlog: 3, oldest_unpublished_age_ms: 800, checked_ms_ago: 100 },
      },
    });
  });

  it('names each failing dependency with a stable reason', () => {
    expect(readiness('api', down(), down()).report(NOW).failures).toEqual([
      { field: 'database', message: 'database: unreachable' },
      { field: 'kafka', message: 'kafka: unreachable' },
    ]);
  });

  it('is not ready before the first checks have finished', () => {
    expect(readiness('api').report(NOW).failures.map((failure) => failure.message)).toEqual(['database: not checked yet', 'kafka: not checked yet']);
  });

  it('treats a result older than three intervals (plus the check timeout) as unknown', () => {
    const stale = NOW - 3 * 1000 - 1500 - 1;
    expect(readiness('api', up(idle, stale), up({ brokers: 1 })).report(NOW).failures).toEqual([{ field: 'database', message: 'database: no recent check' }]);
  });

  it('fails a relay process whose oldest unpublished event is older than OUTBOX_READY_MAX_AGE_MS', () => {
    const report = readiness('relay', up({ backlog: 2000, oldestAgeMs: 5001 }), up({ brokers: 1 })).report(NOW);
    expect(report.failures).toEqual([{ field: 'outbox', message: 'outbox: oldest unpublished event older than 5000 ms' }]);
    expect(report.checks.outbox).toMatchObject({ status: 'down', backlog: 2000, oldest_unpublished_age_ms: 5001 });
  });

  it('only reports the lag in an API-only process: the API keeps taking writes while Kafka is away', () => {
    const report = readiness('api', up({ backlog: 2000, oldestAgeMs: 600_000 }), up({ brokers: 1 })).report(NOW);
    expect(report.ready).toBe(true);
    expect(report.checks.outbox).toMatchObject({ status: 'up', backlog: 2000 });
  });

  it('fails a relay process whose backlog is unknown', () => {
    expect(readiness('relay', down(), up({ brokers: 1 })).report(NOW).failures).toEqual([
      { field: 'database', message: 'database: unreachable' },
      { field: 'outbox', message: 'outbox: backlog unknown' },
    ]);
  });

  it('answers not ready from the start of shutdown', () => {
    const subject = readiness('api', up(idle), up({ brokers: 1 }));
    subject.onModuleDestroy();
    expect(subject.report(NOW)).toMatchObject({ ready: false, failures: [{ field: 'service', message: 'service: shutting down' }] });
  });

  it('exports its answer as metrics', async () => {
    const registry = new Registry();
    const fresh = Date.now();
    new Readiness(loadConfig(env), { result: up(idle, fresh) } as DatabaseMonitor, { result: down(fresh) } as KafkaMonitor, registry);
    const text = await registry.metrics();
    expect(text).toMatch(/^customer_ready 0$/m);
    expect(text).toMatch(/^customer_dependency_up\{dependency="database"\} 1$/m);
    expect(text).toMatch(/^customer_dependency_up\{dependency="kafka"\} 0$/m);
  });
});

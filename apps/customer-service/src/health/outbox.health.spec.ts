import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { OutboxHealthIndicator } from './outbox.health';

const env = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092',
  AUTH_JWT_SECRET: 'a-test-secret-that-is-long-enough-123', OUTBOX_READY_MAX_AGE_MS: '5000',
};

/** A DataSource that answers the backlog query with the given row (or fails). */
function fakeDataSource(row: { backlog: number; oldest_age_ms: string } | Error): DataSource {
  const db = {
    query: async (sql: string) => {
      if (sql.includes('set_config')) return [];
      if (row instanceof Error) throw row;
      return [row];
    },
  };
  return { transaction: async (work: (manager: typeof db) => Promise<unknown>) => work(db) } as unknown as DataSource;
}

const indicator = (roles: string, row: { backlog: number; oldest_age_ms: string } | Error) =>
  new OutboxHealthIndicator(fakeDataSource(row), new HealthIndicatorService(), loadConfig({ ...env, ROLES: roles }));

describe('OutboxHealthIndicator', () => {
  it('reports the backlog and the age of the oldest unpublished row', async () => {
    await expect(indicator('relay', { backlog: 12, oldest_age_ms: '800' }).isHealthy('outbox', 1000)).resolves.toEqual({
      outbox: { status: 'up', backlog: 12, oldest_unpublished_age_ms: 800 },
    });
  });

  it('fails readiness of a relay process past OUTBOX_READY_MAX_AGE_MS', async () => {
    const result = await indicator('relay', { backlog: 2000, oldest_age_ms: '5001' }).isHealthy('outbox', 1000);
    expect(result.outbox).toMatchObject({ status: 'down', backlog: 2000, oldest_unpublished_age_ms: 5001 });
  });

  it('only reports the lag in an API-only process: the API keeps taking writes while Kafka is away', async () => {
    const result = await indicator('api', { backlog: 2000, oldest_age_ms: '600000' }).isHealthy('outbox', 1000);
    expect(result.outbox).toMatchObject({ status: 'up', backlog: 2000 });
  });

  it('is down in a relay process when the backlog cannot be read', async () => {
    const result = await indicator('relay', new Error('connection refused')).isHealthy('outbox', 1000);
    expect(result.outbox).toEqual({ status: 'down', message: 'backlog unknown: connection refused' });
  });
});

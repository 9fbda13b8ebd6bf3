import { checkEnvironment, loadConfig } from './app-config';

const base = { DATABASE_URL: 'postgres://u:secret@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.apiPrefix).toBe('/api/v1');
    expect(config.kafka.eventsTopic).toBe('customer.events.v1');
    expect(config.kafka.eventsPartitions).toBe(6);
    expect([...config.roles]).toEqual(['api', 'relay', 'projector']);
    expect(config.database.migrationsRun).toBe(true);
  });

  it('reads roles and brokers as lists', () => {
    const config = loadConfig({ ...base, ROLES: 'relay, projector', KAFKA_BROKERS: 'a:1,b:2' });
    expect(config.hasRole('api')).toBe(false);
    expect(config.hasRole('relay')).toBe(true);
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT is "abc"'],
    [{ PORT: '70000' }, 'PORT is "70000"'],
    [{ API_PREFIX: 'api' }, 'API_PREFIX'],
    [{ ROLES: 'api,worker' }, 'ROLES'],
    [{ EVENTS_PARTITIONS: '0' }, 'EVENTS_PARTITIONS'],
    [{ KAFKA_BROKERS: 'nohost' }, 'KAFKA_BROKERS'],
    [{ KAFKA_BROKERS: undefined }, 'KAFKA_BROKERS is not set'],
    [{ DATABASE_URL: undefined }, 'DATABASE_URL is not set'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL is not a postgres:// URL'],
    [{ DATABASE_MIGRATIONS_RUN: 'yes' }, 'DATABASE_MIGRATIONS_RUN'],
  ])('rejects %p with one line naming the setting', (override, expected) => {
    const message = checkEnvironment({ ...base, ...override });
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('never echoes a database password', () => {
    expect(checkEnvironment({ ...base, DATABASE_URL: 'postgres-bad://u:hunter2@x/db' })).not.toContain('hunter2');
  });
});

import { checkEnvironment, loadConfig } from './app-config';

const base = {
  DATABASE_URL: 'postgres://u:secret@127.0.0.1:5432/db',
  KAFKA_BROKERS: '127.0.0.1:9092',
  AUTH_JWT_SECRET: 'a-test-secret-that-is-long-enough-123',
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3000);
    expect(config.apiPrefix).toBe('/api/v1');
    expect(config.kafka.eventsTopic).toBe('customer.events.v1');
    expect(config.kafka.eventsPartitions).toBe(6);
    expect(config.kafka.snapshotsTopic).toBe('customer.snapshots.v1');
    expect(config.kafka.relayTransactionalId).toBe('customer-service.relay.db.customer.events.v1');
    expect([...config.roles]).toEqual(['api', 'relay', 'projector']);
    expect(config.database.migrationsRun).toBe(true);
  });

  it('names the snapshot topic and the relay transactional id after the events topic and the database', () => {
    const config = loadConfig({ ...base, EVENTS_TOPIC: 'test-events-1', DATABASE_URL: 'postgres://u:p@h/other_db' });
    expect(config.kafka.snapshotsTopic).toBe('test-events-1.snapshots');
    expect(config.kafka.relayTransactionalId).toBe('customer-service.relay.other_db.test-events-1');
    expect(loadConfig({ ...base, SNAPSHOTS_TOPIC: 'latest', RELAY_TRANSACTIONAL_ID: 'relay-a' }).kafka).toMatchObject({
      snapshotsTopic: 'latest',
      relayTransactionalId: 'relay-a',
    });
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
    [{ AUTH_JWT_SECRET: undefined }, 'AUTH_JWT_SECRET (or AUTH_JWT_SECRET_FILE) or AUTH_JWKS_URL must be set'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET is too short'],
    [{ AUTH_JWKS_URL: 'ftp://keys' }, 'AUTH_JWKS_URL'],
    [{ AUTH_JWKS_URL: 'http://idp.example/jwks', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' }, 'AUTH_JWKS_URL is "http://idp.example/jwks"; expected an https:// URL'],
    [{ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_AUDIENCE: 'a' }, 'AUTH_ISSUER is not set; expected to be set with AUTH_JWKS_URL'],
    [{ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'i' }, 'AUTH_AUDIENCE is not set; expected to be set with AUTH_JWKS_URL'],
    [{ AUTH_MAX_TOKEN_AGE_SECONDS: '10' }, 'AUTH_MAX_TOKEN_AGE_SECONDS'],
    [{ CORS_ORIGINS: 'https://ok.example, *' }, 'CORS_ORIGINS'],
    [{ RATE_LIMIT_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' }, 'RATE_LIMIT_PER_ADDRESS_PER_MINUTE'],
    [{ TRUST_PROXY: 'everyone' }, 'TRUST_PROXY'],
    [{ PROJECTOR_GROUP_ID: 'group with spaces' }, 'PROJECTOR_GROUP_ID'],
    [{ PROJECTOR_FROM_BEGINNING: 'maybe' }, 'PROJECTOR_FROM_BEGINNING'],
    [{ MIN_VERSION_WAIT_MS: '60000' }, 'MIN_VERSION_WAIT_MS'],
    [{ OUTBOX_POLL_INTERVAL_MS: '5' }, 'OUTBOX_POLL_INTERVAL_MS'],
    [{ OUTBOX_BATCH_SIZE: '0' }, 'OUTBOX_BATCH_SIZE'],
    [{ OUTBOX_RETENTION_HOURS: '-1' }, 'OUTBOX_RETENTION_HOURS'],
    [{ OUTBOX_READY_MAX_AGE_MS: 'soon' }, 'OUTBOX_READY_MAX_AGE_MS'],
    [{ PROJECTOR_SESSION_TIMEOUT_MS: '1000' }, 'PROJECTOR_SESSION_TIMEOUT_MS'],
    [{ PROJECTOR_CONCURRENCY: '0' }, 'PROJECTOR_CONCURRENCY'],
    [{ DATABASE_POOL_MAX: '10' }, 'DATABASE_POOL_MAX is no longer read; set DATABASE_POOL_COMMANDS and DATABASE_POOL_QUERIES'],
    [{ DATABASE_POOL_QUERIES: '0' }, 'DATABASE_POOL_QUERIES'],
    [{ DATABASE_QUERY_TIMEOUT_MS: '50' }, 'DATABASE_QUERY_TIMEOUT_MS'],
    [{ LISTS_PER_COUNTERPARTY: '0' }, 'LISTS_PER_COUNTERPARTY'],
    [{ MAX_ACCOUNTS_PER_CUSTOMER: '0' }, 'MAX_ACCOUNTS_PER_CUSTOMER'],
    [{ MAX_ACCOUNTS_PER_CUSTOMER: '1001' }, 'MAX_ACCOUNTS_PER_CUSTOMER'],
  ])('rejects %p with one line naming the setting', (override, expected) => {
    const message = checkEnvironment({ ...base, ...override });
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('reads the auth and HTTP settings', () => {
    const config = loadConfig({ ...base, AUTH_ISSUER: 'https://idp', AUTH_AUDIENCE: 'customers', CORS_ORIGINS: 'https://a.example,http://localhost:5173' });
    expect(config.auth).toMatchObject({ issuer: 'https://idp', audience: 'customers' });
    expect(config.http).toEqual({
      corsOrigins: ['https://a.example', 'http://localhost:5173'], rateLimitPerMinute: 600, rateLimitPerAddressPerMinute: 6000, trustProxy: false,
    });
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, loopback' }).http.trustProxy).toBe('10.0.0.0/8,loopback');
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
  });

  it('takes a JWKS over https, or http to this machine, with issuer and audience; tokens at most an hour old by default', () => {
    const jwks = { AUTH_JWT_SECRET: undefined, AUTH_ISSUER: 'https://idp', AUTH_AUDIENCE: 'customers' };
    expect(loadConfig({ ...base, ...jwks, AUTH_JWKS_URL: 'https://idp.example/jwks' }).auth).toMatchObject({ jwksUrl: 'https://idp.example/jwks', maxTokenAgeSeconds: 3600 });
    expect(checkEnvironment({ ...base, ...jwks, AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks' })).toBeNull();
    expect(loadConfig({ ...base, AUTH_MAX_TOKEN_AGE_SECONDS: '600' }).auth.maxTokenAgeSeconds).toBe(600);
  });

  it('sizes a pool per kind of work', () => {
    expect(loadConfig(base).database).toMatchObject({ pools: { commands: 8, queries: 8 }, queryTimeoutMs: 5000 });
    expect(loadConfig({ ...base, DATABASE_POOL_COMMANDS: '4', DATABASE_POOL_QUERIES: '12' }).database.pools).toEqual({ commands: 4, queries: 12 });
  });

  it('reads the projector and query settings, with defaults', () => {
    expect(loadConfig(base).projector).toEqual({ groupId: 'customer-service.projector', fromBeginning: true, sessionTimeoutMs: 30_000, concurrency: 3 });
    expect(loadConfig(base).queries).toEqual({ minVersionWaitMs: 3000, listsPerCounterparty: 2 });
    const config = loadConfig({
      ...base, PROJECTOR_GROUP_ID: 'read-model.v2', PROJECTOR_FROM_BEGINNING: 'false', PROJECTOR_SESSION_TIMEOUT_MS: '6000', PROJECTOR_CONCURRENCY: '8', MIN_VERSION_WAIT_MS: '0',
    });
    expect(config.projector).toEqual({ groupId: 'read-model.v2', fromBeginning: false, sessionTimeoutMs: 6000, concurrency: 8 });
    expect(config.queries).toEqual({ minVersionWaitMs: 0, listsPerCounterparty: 2 });
  });

  it('reads the relay settings, with defaults', () => {
    expect(loadConfig(base).relay).toEqual({ pollIntervalMs: 1000, standbyRetryMs: 1000, batchSize: 100, retentionHours: 24, readyMaxAgeMs: 60_000 });
    const config = loadConfig({
      ...base, OUTBOX_POLL_INTERVAL_MS: '250', OUTBOX_STANDBY_RETRY_MS: '60000', OUTBOX_BATCH_SIZE: '500', OUTBOX_RETENTION_HOURS: '168', OUTBOX_READY_MAX_AGE_MS: '5000',
    });
    expect(config.relay).toEqual({ pollIntervalMs: 250, standbyRetryMs: 60_000, batchSize: 500, retentionHours: 168, readyMaxAgeMs: 5000 });
  });

  it('reads the retention settings, with defaults', () => {
    expect(loadConfig(base).retention).toEqual({ intervalMs: 600_000, batchSize: 5000, processedEventsHours: 336 });
    const config = loadConfig({ ...base, RETENTION_INTERVAL_MS: '1000', RETENTION_BATCH_SIZE: '100', PROCESSED_EVENTS_RETENTION_HOURS: '720' });
    expect(config.retention).toEqual({ intervalMs: 1000, batchSize: 100, processedEventsHours: 720 });
    expect(checkEnvironment({ ...base, RETENTION_BATCH_SIZE: '10' })).toContain('RETENTION_BATCH_SIZE');
  });

  it('never echoes a secret', () => {
    expect(checkEnvironment({ ...base, AUTH_JWT_SECRET: 'tiny-secret' })).not.toContain('tiny-secret');
  });

  it('never echoes a database password', () => {
    expect(checkEnvironment({ ...base, DATABASE_URL: 'postgres-bad://u:hunter2@x/db' })).not.toContain('hunter2');
  });

  it('reads the management listener, health check and log format settings, with defaults', () => {
    const defaults = loadConfig(base);
    expect(defaults.management).toEqual({ host: '0.0.0.0', port: 3001 });
    expect(defaults.health).toEqual({ checkIntervalMs: 2000 });
    expect(defaults.logFormat).toBe('auto');
    const config = loadConfig({ ...base, HOST: '127.0.0.1', MANAGEMENT_PORT: '0', HEALTH_CHECK_INTERVAL_MS: '500', LOG_FORMAT: 'json' });
    expect(config.management).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.health).toEqual({ checkIntervalMs: 500 });
    expect(config.logFormat).toBe('json');
    expect(loadConfig({ ...base, HOST: '0.0.0.0', MANAGEMENT_HOST: '10.0.0.5' }).management.host).toBe('10.0.0.5');
  });

  it.each([
    [{ MANAGEMENT_PORT: '3000' }, 'MANAGEMENT_PORT is "3000"; expected a port other than PORT (3000)'],
    [{ MANAGEMENT_PORT: 'x' }, 'MANAGEMENT_PORT'],
    [{ HEALTH_CHECK_INTERVAL_MS: '10' }, 'HEALTH_CHECK_INTERVAL_MS'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT is not an http(s) URL'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL is "grpc"; expected one of http/protobuf, http/json'],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER'],
    [{ OTEL_SDK_DISABLED: 'perhaps' }, 'OTEL_SDK_DISABLED'],
  ])('rejects observability setting %p with one line naming it', (override, expected) => {
    const message = checkEnvironment({ ...base, ...override });
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('lets a process without the api role use PORT as its management port (it opens no public listener)', () => {
    expect(checkEnvironment({ ...base, ROLES: 'relay,projector', PORT: '3000', MANAGEMENT_PORT: '3000' })).toBeNull();
  });

  it('turns tracing on only when an OTLP endpoint is set, and not when the SDK or the exporter is disabled', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(loadConfig(base).tracing).toEqual({ enabled: false, protocol: 'http/protobuf' });
    expect(loadConfig({ ...base, ...endpoint }).tracing).toEqual({ enabled: true, protocol: 'http/protobuf' });
    expect(loadConfig({ ...base, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces' }).tracing.enabled).toBe(true);
    expect(loadConfig({ ...base, ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).tracing.protocol).toBe('http/json');
    expect(loadConfig({ ...base, ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }).tracing.protocol).toBe('http/json');
    expect(loadConfig({ ...base, ...endpoint, OTEL_SDK_DISABLED: 'true' }).tracing.enabled).toBe(false);
    expect(loadConfig({ ...base, ...endpoint, OTEL_TRACES_EXPORTER: 'none' }).tracing.enabled).toBe(false);
  });

  it('never echoes an OTLP endpoint (it may carry credentials)', () => {
    expect(checkEnvironment({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'user:hunter2@collector' })).not.toContain('hunter2');
  });
});

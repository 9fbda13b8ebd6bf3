/**
 * The service's configuration: read from the environment once, validated, then injected as a
 * typed object. This folder is the only place that reads `process.env`.
 */
export const ROLES = ['api', 'relay', 'projector'] as const;
export type Role = (typeof ROLES)[number];

export class ConfigError extends Error {}

export class AppConfig {
  readonly host!: string;
  readonly port!: number;
  readonly apiPrefix!: string;
  readonly roles!: ReadonlySet<Role>;
  readonly logLevel!: string;
  readonly database!: DatabaseConfig;
  readonly kafka!: KafkaConfig;
  readonly auth!: AuthConfig;
  readonly http!: HttpConfig;
  readonly projector!: ProjectorConfig;
  readonly queries!: QueriesConfig;
  readonly relay!: RelayConfig;
  // Observability: the management listener, the readiness monitors, traces, log format.
  readonly management!: ManagementConfig;
  readonly health!: HealthConfig;
  readonly tracing!: TracingConfig;
  readonly logFormat!: LogFormat;

  hasRole(role: Role): boolean {
    return this.roles.has(role);
  }
}

export interface DatabaseConfig {
  url: string;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  migrationsRun: boolean;
}

/** How bearer tokens are verified (DESIGN §2a): a shared HS256 secret or a JWKS endpoint. */
export interface AuthConfig {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface HttpConfig {
  /** Exact origins allowed by CORS; empty = CORS off. */
  corsOrigins: string[];
  /** Requests per employee (token `sub`) per minute. */
  rateLimitPerMinute: number;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  eventsTopic: string;
  eventsPartitions: number;
}

/** The read-model projector role (a Kafka consumer group on the events topic). */
export interface ProjectorConfig {
  /** Consumer group; instances with the same id share the topic's partitions. */
  groupId: string;
  /** Where a group with no committed offset starts: the beginning (default) or new events only. */
  fromBeginning: boolean;
  /** How long the group waits for a silent instance before moving its partitions (kill -9, network loss). */
  sessionTimeoutMs: number;
  /** Partitions applied at once (kafkajs partitionsConsumedConcurrently), each on a kept connection. */
  concurrency: number;
}

/** The read side's HTTP queries. */
export interface QueriesConfig {
  /** How long `GET …/customers/{guid}?min_version=n` waits for the read model to reach n. */
  minVersionWaitMs: number;
}

/** The outbox relay role (DESIGN §4, ADR 1) and the outbox health check. */
export interface RelayConfig {
  /** Fallback poll when no NOTIFY arrives (lost notification, reconnect). */
  pollIntervalMs: number;
  /** Rows claimed and produced per Kafka request (≤ 1000: one request stays well under the broker's size limit). */
  batchSize: number;
  /** Published rows are deleted once older than this. */
  retentionHours: number;
  /** Readiness (of a process running the relay) fails once the oldest unpublished row is older. */
  readyMaxAgeMs: number;
}

/** The second HTTP listener: health probes, metrics and the OpenAPI document (never the API). */
export interface ManagementConfig {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
}

/** The background checks that readiness answers from. */
export interface HealthConfig {
  /** How often PostgreSQL (with the outbox backlog) and Kafka are checked. */
  checkIntervalMs: number;
}

/**
 * OpenTelemetry traces. Only the decision and the protocol are read here; the SDK reads the
 * other standard `OTEL_*` variables (headers, sampler, batch sizes, resource attributes) itself.
 */
export interface TracingConfig {
  /** True when an OTLP endpoint is set and OTEL_SDK_DISABLED / OTEL_TRACES_EXPORTER do not turn it off. */
  enabled: boolean;
  protocol: 'http/protobuf' | 'http/json';
}

/** `pretty` for people (a terminal), `json` for machines; `auto` = pretty when stdout is a TTY. */
export type LogFormat = 'auto' | 'json' | 'pretty';

type Env = Record<string, string | undefined>;

/** Builds the configuration or throws a {@link ConfigError} whose message names the bad setting. */
export function loadConfig(env: Env): AppConfig {
  const config = Object.assign(new AppConfig(), {
    host: text(env, 'HOST', '0.0.0.0'),
    port: integer(env, 'PORT', 3000, 0, 65535),
    apiPrefix: apiPrefix(env),
    roles: roles(env),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    database: loadDatabaseConfig(env),
    auth: authConfig(env),
    http: {
      corsOrigins: list(env, 'CORS_ORIGINS', /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'a comma-separated list of origins such as https://app.example.com'),
      rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    },
    kafka: {
      brokers: brokers(env),
      clientId: text(env, 'KAFKA_CLIENT_ID', 'customer-service'),
      eventsTopic: topicName(env),
      eventsPartitions: integer(env, 'EVENTS_PARTITIONS', 6, 1, 1000),
    },
    projector: {
      groupId: kafkaName(env, 'PROJECTOR_GROUP_ID', 'customer-service.projector', 'a Kafka consumer group id'),
      fromBeginning: bool(env, 'PROJECTOR_FROM_BEGINNING', true),
      sessionTimeoutMs: integer(env, 'PROJECTOR_SESSION_TIMEOUT_MS', 30_000, 6000, 300_000),
      concurrency: integer(env, 'PROJECTOR_CONCURRENCY', 3, 1, 100),
    },
    queries: {
      minVersionWaitMs: integer(env, 'MIN_VERSION_WAIT_MS', 3000, 0, 30_000),
    },
    relay: {
      pollIntervalMs: integer(env, 'OUTBOX_POLL_INTERVAL_MS', 1000, 10, 60_000),
      batchSize: integer(env, 'OUTBOX_BATCH_SIZE', 100, 1, 1000),
      retentionHours: integer(env, 'OUTBOX_RETENTION_HOURS', 24, 1, 24 * 366),
      readyMaxAgeMs: integer(env, 'OUTBOX_READY_MAX_AGE_MS', 60_000, 1000, 86_400_000),
    },
    ...observabilityConfig(env),
  });
  checkManagementPort(config);
  // Each partition the projector applies at once keeps a pool connection; the rest of the
  // process (skipped-message records, readiness, the other roles) needs at least one more.
  if (config.hasRole('projector') && config.projector.concurrency >= config.database.poolMax) {
    fail('PROJECTOR_CONCURRENCY', String(config.projector.concurrency), `fewer than DATABASE_POOL_MAX (${config.database.poolMax}): each partition applied at once keeps a connection`);
  }
  return config;
}

/** The database part alone: the TypeORM CLI's data source needs nothing else. */
export function loadDatabaseConfig(env: Env): DatabaseConfig {
  return {
    url: databaseUrl(env),
    poolMax: integer(env, 'DATABASE_POOL_MAX', 10, 1, 500),
    connectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', 3000, 100, 120_000),
    statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 10_000, 100, 600_000),
    migrationsRun: bool(env, 'DATABASE_MIGRATIONS_RUN', true),
  };
}

/** The process environment; the one read of `process.env` outside tests. */
export function processEnvironment(): Env {
  return process.env;
}

/** `null` when the environment is valid, else the one-line reason (used by `npm start`). */
export function checkEnvironment(env: Env): string | null {
  try {
    loadConfig(env);
    return null;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

function fail(name: string, value: string | undefined, expected: string): never {
  const shown = value === undefined ? 'is not set' : `is ${JSON.stringify(value)}`;
  throw new ConfigError(`Invalid configuration: ${name} ${shown}; expected ${expected}.`);
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function text(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    fail(name, value, `an integer from ${min} to ${max}`);
  }
  return parsed;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  fail(name, value, 'true or false');
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) fail(name, value, `one of ${allowed.join(', ')}`);
  return value as T;
}

function apiPrefix(env: Env): string {
  const value = text(env, 'API_PREFIX', '/api/v1');
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) fail('API_PREFIX', value, 'a path such as /api/v1');
  return value;
}

function roles(env: Env): ReadonlySet<Role> {
  const value = raw(env, 'ROLES');
  if (value === undefined) return new Set(ROLES);
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => !ROLES.includes(item as Role))) {
    fail('ROLES', value, `a comma-separated list of ${ROLES.join(', ')}`);
  }
  return new Set(items as Role[]);
}

function authConfig(env: Env): AuthConfig {
  const jwtSecret = raw(env, 'AUTH_JWT_SECRET');
  const jwksUrl = raw(env, 'AUTH_JWKS_URL');
  if (jwtSecret === undefined && jwksUrl === undefined) {
    throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET or AUTH_JWKS_URL must be set (npm start generates a local secret).');
  }
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    // Never echo the secret itself.
    throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET is too short; expected at least 32 characters.');
  }
  if (jwksUrl !== undefined && !/^https?:\/\/\S+$/.test(jwksUrl)) fail('AUTH_JWKS_URL', jwksUrl, 'an http(s) URL');
  return { jwtSecret, jwksUrl, issuer: raw(env, 'AUTH_ISSUER'), audience: raw(env, 'AUTH_AUDIENCE') };
}

function list(env: Env, name: string, item: RegExp, expected: string): string[] {
  const value = raw(env, name);
  if (value === undefined) return [];
  const items = value.split(',').map((entry) => entry.trim());
  if (items.some((entry) => !item.test(entry))) fail(name, value, expected);
  return items;
}

function databaseUrl(env: Env): string {
  const value = raw(env, 'DATABASE_URL');
  let url: URL | undefined;
  try {
    url = value === undefined ? undefined : new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['postgres:', 'postgresql:'].includes(url.protocol)) {
    // Never echo the URL: it may hold a password.
    throw new ConfigError(
      `Invalid configuration: DATABASE_URL ${value === undefined ? 'is not set' : 'is not a postgres:// URL'}; expected postgres://user:password@host:port/database.`,
    );
  }
  return value!;
}

function brokers(env: Env): string[] {
  const value = raw(env, 'KAFKA_BROKERS');
  if (value === undefined) fail('KAFKA_BROKERS', value, 'a comma-separated list of host:port');
  const list = value.split(',').map((item) => item.trim());
  if (list.some((item) => !/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(item))) {
    fail('KAFKA_BROKERS', value, 'a comma-separated list of host:port');
  }
  return list;
}

function topicName(env: Env): string {
  return kafkaName(env, 'EVENTS_TOPIC', 'customer.events.v1', 'a Kafka topic name');
}

function kafkaName(env: Env, name: string, fallback: string, expected: string): string {
  const value = text(env, name, fallback);
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(value)) fail(name, value, expected);
  return value;
}

// --- Observability settings -------------------------------------------------------------

function observabilityConfig(env: Env): Pick<AppConfig, 'management' | 'health' | 'tracing' | 'logFormat'> {
  return {
    management: {
      host: text(env, 'MANAGEMENT_HOST', text(env, 'HOST', '0.0.0.0')),
      port: integer(env, 'MANAGEMENT_PORT', 3001, 0, 65535),
    },
    health: { checkIntervalMs: integer(env, 'HEALTH_CHECK_INTERVAL_MS', 2000, 100, 60_000) },
    tracing: tracingConfig(env),
    logFormat: oneOf(env, 'LOG_FORMAT', 'auto', ['auto', 'json', 'pretty']),
  };
}

/** Both listeners bind in a process with the api role: they cannot share a port. */
function checkManagementPort(config: AppConfig): void {
  const { port } = config.management;
  if (config.hasRole('api') && port !== 0 && port === config.port) {
    fail('MANAGEMENT_PORT', String(port), `a port other than PORT (${config.port})`);
  }
}

const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

function tracingConfig(env: Env): TracingConfig {
  for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
    const value = raw(env, name);
    // Never echoed: an endpoint URL may carry credentials.
    if (value !== undefined && !/^https?:\/\/[^\s/]+\S*$/.test(value)) {
      throw new ConfigError(`Invalid configuration: ${name} is not an http(s) URL; expected e.g. http://otel-collector:4318.`);
    }
  }
  const endpoint = raw(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? raw(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const protocolName = raw(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = oneOf(env, protocolName, 'http/protobuf', OTLP_PROTOCOLS);
  const exporter = oneOf(env, 'OTEL_TRACES_EXPORTER', 'otlp', ['otlp', 'none']);
  const disabled = bool(env, 'OTEL_SDK_DISABLED', false);
  return { enabled: endpoint !== undefined && exporter === 'otlp' && !disabled, protocol };
}

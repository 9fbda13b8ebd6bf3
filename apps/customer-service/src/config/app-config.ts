import { CUSTOMER_EVENTS_TOPIC } from '@app/contracts';
import { databaseTls, kafkaSecurity, SaslConfig, SslMode, TlsMaterial } from './connection-security';
import { bool, ConfigError, Env, fail, failWithout, integer, oneOf, raw, secret, text } from './env-readers';

export { ConfigError } from './env-readers';
export type { SaslConfig, SslMode, TlsMaterial } from './connection-security';

/**
 * The service's configuration: read from the environment once, validated, then injected as a
 * typed object. This folder is the only place that reads `process.env` (and the files that
 * `*_FILE` settings name).
 */
export const ROLES = ['api', 'relay', 'projector'] as const;
export type Role = (typeof ROLES)[number];

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
  readonly commands!: CommandsConfig;
  readonly relay!: RelayConfig;
  readonly retention!: RetentionConfig;
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
  /** The URL to connect with: DATABASE_PASSWORD put in, `sslmode` taken out (see {@link sslMode}). Never log it. */
  url: string;
  /** libpq's meaning: see database/pg-connection.ts. */
  sslMode: SslMode;
  /** DATABASE_SSL_CA_FILE, DATABASE_SSL_CERT_FILE, DATABASE_SSL_KEY_FILE (+ passphrase), read. */
  tls: TlsMaterial;
  /**
   * Connections per kind of work, each kind in a pool of its own (bulkheads: a flood of lists
   * cannot take the connections writes need). The projector's pool is sized from
   * PROJECTOR_CONCURRENCY; the relay and the health monitor hold sessions of their own.
   */
  pools: {
    /** Commands (create, update, open account) and migrations. */
    commands: number;
    /** Queries (lists, GETs) of the read side. */
    queries: number;
  };
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** statement_timeout of the queries pool: a list may not run longer than this. */
  queryTimeoutMs: number;
  migrationsRun: boolean;
}

/** How bearer tokens are verified (DESIGN §2a): a shared HS256 secret or a JWKS endpoint. */
export interface AuthConfig {
  jwtSecret?: string;
  jwksUrl?: string;
  /** Required with a JWKS: an identity provider issues tokens for other APIs with the same keys. */
  issuer?: string;
  audience?: string;
  /** Tokens issued (`iat`) longer ago than this are refused, whatever their `exp`. */
  maxTokenAgeSeconds: number;
}

export interface HttpConfig {
  /** Exact origins allowed by CORS; empty = CORS off. */
  corsOrigins: string[];
  /** Requests per employee (token `sub`) per minute. */
  rateLimitPerMinute: number;
  /** Requests per client address per minute, counted before authentication. */
  rateLimitPerAddressPerMinute: number;
  /** Which proxies' X-Forwarded-For to believe for the client address (Fastify's trustProxy). */
  trustProxy: boolean | number | string;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  eventsTopic: string;
  eventsPartitions: number;
  /** How long the events topic keeps events (`retention.ms`, set when the service creates it): a consumer further behind must bootstrap again. */
  eventsRetentionHours: number;
  /** The compacted topic of each customer's latest snapshot (ADR 8); as many partitions as the events topic. */
  snapshotsTopic: string;
  /**
   * The relay's Kafka transactional id: every relay of one database must share it, so a new
   * leader fences a former one's unfinished transaction (ADR 8).
   */
  relayTransactionalId: string;
  /** Set when KAFKA_SSL is true: TLS to every broker, hostnames verified (material may be empty: Node's public CAs). */
  ssl?: TlsMaterial;
  /** Set when KAFKA_SASL_MECHANISM is. */
  sasl?: SaslConfig;
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
  /** Customer lists of one counterparty run at once in this process; more → 429. */
  listsPerCounterparty: number;
}

/** The write side's HTTP commands. */
export interface CommandsConfig {
  /**
   * Wallet accounts one customer may have; opening one more is refused (409
   * ACCOUNT_LIMIT_REACHED). Every event carries the whole customer, so this bounds an event's
   * size: ≤ 1000 keeps it well under Kafka's default 1 MB message limit (docs/failure-modes.md).
   */
  maxAccountsPerCustomer: number;
}

/** The outbox relay role (DESIGN §4, ADR 1) and the outbox health check. */
export interface RelayConfig {
  /** Fallback poll when no NOTIFY arrives (lost notification, reconnect). */
  pollIntervalMs: number;
  /**
   * How often a standby tries the leader lock. A leader that stops cleanly hands over at once
   * (NOTIFY); this poll only matters when a leader dies without a word (kill -9, lost network).
   */
  standbyRetryMs: number;
  /** Rows claimed and produced per Kafka request (≤ 1000: one request stays well under the broker's size limit). */
  batchSize: number;
  /** Published rows are deleted once older than this. */
  retentionHours: number;
  /** Readiness (of a process running the relay) fails once the oldest unpublished row is older. */
  readyMaxAgeMs: number;
}

/** Deletion of rows past their retention (idempotency keys, processed-event ids): see RetentionJob. */
export interface RetentionConfig {
  /** Time between runs (the first runs at start). */
  intervalMs: number;
  /** Rows deleted per statement. */
  batchSize: number;
  /**
   * processed_events rows older than this are deleted. Must be longer than the events topic's
   * retention: an event still in the topic can be delivered again (a group reset, a new
   * instance), and its id must still be known then.
   */
  processedEventsHours: number;
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

/** Builds the configuration or throws a {@link ConfigError} whose message names the bad setting. */
export function loadConfig(env: Env): AppConfig {
  const config = Object.assign(new AppConfig(), {
    host: text(env, 'HOST', '0.0.0.0'),
    port: integer(env, 'PORT', 3000, 0, 65535),
    apiPrefix: apiPrefix(env),
    roles: roles(env),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    database: loadDatabaseConfig(env),
    auth: loadAuthConfig(env),
    http: {
      corsOrigins: list(env, 'CORS_ORIGINS', /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'a comma-separated list of origins such as https://app.example.com'),
      rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
      rateLimitPerAddressPerMinute: integer(env, 'RATE_LIMIT_PER_ADDRESS_PER_MINUTE', 6000, 1, 10_000_000),
      trustProxy: trustProxy(env),
    },
    kafka: loadKafkaConfig(env),
    projector: {
      groupId: kafkaName(env, 'PROJECTOR_GROUP_ID', 'customer-service.projector', 'a Kafka consumer group id'),
      fromBeginning: bool(env, 'PROJECTOR_FROM_BEGINNING', true),
      sessionTimeoutMs: integer(env, 'PROJECTOR_SESSION_TIMEOUT_MS', 30_000, 6000, 300_000),
      concurrency: integer(env, 'PROJECTOR_CONCURRENCY', 3, 1, 100),
    },
    queries: {
      minVersionWaitMs: integer(env, 'MIN_VERSION_WAIT_MS', 3000, 0, 30_000),
      listsPerCounterparty: integer(env, 'LISTS_PER_COUNTERPARTY', 2, 1, 1000),
    },
    commands: {
      maxAccountsPerCustomer: integer(env, 'MAX_ACCOUNTS_PER_CUSTOMER', 100, 1, 1000),
    },
    relay: {
      pollIntervalMs: integer(env, 'OUTBOX_POLL_INTERVAL_MS', 1000, 10, 60_000),
      standbyRetryMs: integer(env, 'OUTBOX_STANDBY_RETRY_MS', 1000, 100, 60_000),
      batchSize: integer(env, 'OUTBOX_BATCH_SIZE', 100, 1, 1000),
      retentionHours: integer(env, 'OUTBOX_RETENTION_HOURS', 24, 1, 24 * 366),
      readyMaxAgeMs: integer(env, 'OUTBOX_READY_MAX_AGE_MS', 60_000, 1000, 86_400_000),
    },
    retention: {
      intervalMs: integer(env, 'RETENTION_INTERVAL_MS', 600_000, 1000, 86_400_000),
      batchSize: integer(env, 'RETENTION_BATCH_SIZE', 5000, 100, 100_000),
      processedEventsHours: integer(env, 'PROCESSED_EVENTS_RETENTION_HOURS', 336, 1, 24 * 3660),
    },
    ...observabilityConfig(env),
  });
  checkManagementPort(config);
  return config;
}

/** The database part alone: the TypeORM CLI's data source needs nothing else. */
export function loadDatabaseConfig(env: Env): DatabaseConfig {
  // Renamed, not reinterpreted: a deployment that sized one pool must size the two it now has.
  if (raw(env, 'DATABASE_POOL_MAX') !== undefined) {
    throw new ConfigError('Invalid configuration: DATABASE_POOL_MAX is no longer read; set DATABASE_POOL_COMMANDS and DATABASE_POOL_QUERIES (docs/configuration.md).');
  }
  const url = databaseUrl(env);
  const { sslMode, tls } = databaseTls(env, url);
  return {
    url: url.toString(),
    sslMode,
    tls,
    pools: {
      commands: integer(env, 'DATABASE_POOL_COMMANDS', 8, 1, 500),
      queries: integer(env, 'DATABASE_POOL_QUERIES', 8, 1, 500),
    },
    connectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', 1500, 100, 120_000),
    statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 10_000, 100, 600_000),
    queryTimeoutMs: integer(env, 'DATABASE_QUERY_TIMEOUT_MS', 5000, 100, 600_000),
    migrationsRun: bool(env, 'DATABASE_MIGRATIONS_RUN', true),
  };
}

/** The Kafka part alone (the rebuild command reads the events topic with it). */
export function loadKafkaConfig(env: Env): KafkaConfig {
  return {
    brokers: brokers(env),
    clientId: text(env, 'KAFKA_CLIENT_ID', 'customer-service'),
    eventsTopic: topicName(env),
    eventsPartitions: integer(env, 'EVENTS_PARTITIONS', 6, 1, 1000),
    eventsRetentionHours: integer(env, 'EVENTS_RETENTION_HOURS', 168, 1, 24 * 366 * 10),
    snapshotsTopic: kafkaName(env, 'SNAPSHOTS_TOPIC', snapshotsTopicFor(topicName(env)), 'a Kafka topic name'),
    relayTransactionalId: kafkaName(env, 'RELAY_TRANSACTIONAL_ID', relayTransactionalIdFor(env), 'a Kafka transactional id'),
    ...kafkaSecurity(env),
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

/** The bearer-token settings alone (the benchmark's framework-free server checks tokens as the service does). */
export function loadAuthConfig(env: Env): AuthConfig {
  const jwtSecret = secret(env, 'AUTH_JWT_SECRET');
  const jwksUrl = raw(env, 'AUTH_JWKS_URL');
  if (jwtSecret === undefined && jwksUrl === undefined) {
    throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET (or AUTH_JWT_SECRET_FILE) or AUTH_JWKS_URL must be set (npm start generates a local secret).');
  }
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    // Never echo the secret itself.
    throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET is too short; expected at least 32 characters.');
  }
  if (jwksUrl !== undefined) checkJwksUrl(jwksUrl);
  const issuer = raw(env, 'AUTH_ISSUER');
  const audience = raw(env, 'AUTH_AUDIENCE');
  if (jwksUrl !== undefined && (issuer === undefined || audience === undefined)) {
    fail(issuer === undefined ? 'AUTH_ISSUER' : 'AUTH_AUDIENCE', undefined, 'to be set with AUTH_JWKS_URL (the identity provider signs tokens for other APIs with the same keys)');
  }
  return { jwtSecret, jwksUrl, issuer, audience, maxTokenAgeSeconds: integer(env, 'AUTH_MAX_TOKEN_AGE_SECONDS', 3600, 60, 86_400) };
}

/** https, or http to this machine only (a local identity provider in development and tests). */
function checkJwksUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const loopback = url !== undefined && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    fail('AUTH_JWKS_URL', value, 'an https:// URL (http:// only to localhost)');
  }
}

/**
 * TRUST_PROXY: `false` (default: the socket's address), `true` (any proxy: only behind one that
 * always sets X-Forwarded-For), a number of proxy hops, or comma-separated addresses / CIDRs /
 * `loopback`, `linklocal`, `uniquelocal` (proxy-addr's names) whose X-Forwarded-For is believed.
 */
function trustProxy(env: Env): boolean | number | string {
  const value = raw(env, 'TRUST_PROXY');
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/.test(entry))) return entries.join(',');
  fail('TRUST_PROXY', value, 'false, true, a number of hops, or comma-separated addresses/CIDRs (or loopback, linklocal, uniquelocal)');
}

function list(env: Env, name: string, item: RegExp, expected: string): string[] {
  const value = raw(env, name);
  if (value === undefined) return [];
  const items = value.split(',').map((entry) => entry.trim());
  if (items.some((entry) => !item.test(entry))) fail(name, value, expected);
  return items;
}

/**
 * DATABASE_URL (or DATABASE_URL_FILE), with DATABASE_PASSWORD (or DATABASE_PASSWORD_FILE) put
 * in when the URL has none. Never echoed: it may hold a password.
 */
function databaseUrl(env: Env): URL {
  const value = secret(env, 'DATABASE_URL');
  let url: URL | undefined;
  try {
    url = value === undefined ? undefined : new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['postgres:', 'postgresql:'].includes(url.protocol)) {
    failWithout('DATABASE_URL', value === undefined ? 'is not set' : 'is not a postgres:// URL', 'postgres://user:password@host:port/database');
  }
  const password = secret(env, 'DATABASE_PASSWORD');
  if (password !== undefined) {
    if (url.password !== '') failWithout('DATABASE_PASSWORD', 'is set and DATABASE_URL has a password too', 'only one of them');
    // Percent-encoded whole: node-postgres decodes the URL's password with decodeURIComponent.
    url.password = encodeURIComponent(password);
  }
  return url;
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
  return kafkaName(env, 'EVENTS_TOPIC', CUSTOMER_EVENTS_TOPIC, 'a Kafka topic name');
}

/** `customer.events.v1` → `customer.snapshots.v1`; any other events topic gets a `.snapshots` sibling. */
function snapshotsTopicFor(eventsTopic: string): string {
  return eventsTopic.includes('.events.') ? eventsTopic.replace('.events.', '.snapshots.') : `${eventsTopic}.snapshots`;
}

/** One per database and events topic: the relays that share an outbox share it (and nobody else). */
function relayTransactionalIdFor(env: Env): string {
  const database = decodeURIComponent(databaseUrl(env).pathname.slice(1)) || 'postgres';
  return `${text(env, 'KAFKA_CLIENT_ID', 'customer-service')}.relay.${database}.${topicName(env)}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 249);
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

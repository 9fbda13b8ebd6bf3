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

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  eventsTopic: string;
  eventsPartitions: number;
}

type Env = Record<string, string | undefined>;

/** Builds the configuration or throws a {@link ConfigError} whose message names the bad setting. */
export function loadConfig(env: Env): AppConfig {
  return Object.assign(new AppConfig(), {
    host: text(env, 'HOST', '0.0.0.0'),
    port: integer(env, 'PORT', 3000, 0, 65535),
    apiPrefix: apiPrefix(env),
    roles: roles(env),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    database: loadDatabaseConfig(env),
    kafka: {
      brokers: brokers(env),
      clientId: text(env, 'KAFKA_CLIENT_ID', 'customer-service'),
      eventsTopic: topicName(env),
      eventsPartitions: integer(env, 'EVENTS_PARTITIONS', 6, 1, 1000),
    },
  });
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
  const value = text(env, 'EVENTS_TOPIC', 'customer.events.v1');
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(value)) fail('EVENTS_TOPIC', value, 'a Kafka topic name');
  return value;
}

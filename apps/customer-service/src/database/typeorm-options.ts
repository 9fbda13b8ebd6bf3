import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { MIGRATIONS } from './migration-list';
import { pgSsl } from './pg-connection';

/**
 * TypeORM options shared by the service and the migration CLI. The schema comes only from
 * migrations (`synchronize` stays off). The pool fails fast: node-postgres waits forever for a
 * connection by default, which turns a dead database into hung requests instead of 503s.
 */
/** One pool's size and statement timeout. */
export interface PoolOptions {
  max: number;
  statementTimeoutMs: number;
}

export function typeOrmOptions(
  config: DatabaseConfig,
  applicationName = 'customer-service',
  pool: PoolOptions = { max: config.pools.commands, statementTimeoutMs: config.statementTimeoutMs },
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.url,
    // No entities: the code reads and writes with SQL of its own (docs/adr/0009); TypeORM
    // gives the DataSource, its pools, transactions and the migrations.
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsRun: false,
    synchronize: false,
    // TypeORM's query logger prints parameters (logins, IBANs): errors are logged by us, safely.
    logging: false,
    extra: {
      // In `extra`: TypeORM hands it to node-postgres as it is (pg-connection.ts).
      ssl: pgSsl(config),
      max: pool.max,
      connectionTimeoutMillis: config.connectTimeoutMs,
      statement_timeout: pool.statementTimeoutMs,
      idle_in_transaction_session_timeout: pool.statementTimeoutMs * 2,
      application_name: applicationName,
    },
  };
}

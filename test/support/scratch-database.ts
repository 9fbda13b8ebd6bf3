import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';
import { loadDatabaseConfig } from '../../apps/customer-service/src/config/app-config';
import { runMigrationsLocked } from '../../apps/customer-service/src/database/run-migrations';
import { typeOrmOptions } from '../../apps/customer-service/src/database/typeorm-options';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database default other than the test run's (PostgreSQL's CREATE DATABASE locale options). */
export interface DatabaseLocale {
  /** libc locale of the database (LC_COLLATE and LC_CTYPE), e.g. `C` or `C.UTF-8`. */
  locale: string;
  /** With it, ICU is the database's default collation provider, e.g. `tr-TR`. */
  icuLocale?: string;
}

export interface ScratchOptions {
  /** The database's default locale; the server's when absent. */
  locale?: DatabaseLocale;
  /** Migrations to apply, in order; all of them when absent. */
  migrations?: (new () => MigrationInterface)[];
}

/**
 * A fresh, migrated database on the test run's PostgreSQL server. Relay tests need one each:
 * the relay lock, NOTIFY and the outbox claim are per database, so relays of other test files
 * (and their rows) cannot interfere.
 */
export async function createScratchDatabase(prefix: string, options: ScratchOptions = {}): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const serverUrl = process.env.DATABASE_URL!;
  await withClient(serverUrl, (db) => db.query(`CREATE DATABASE ${name} ${localeClause(options.locale)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataSourceOptions = typeOrmOptions(loadDatabaseConfig({ DATABASE_URL: url.toString() }), 'test-migrations');
  const migrations = options.migrations ?? dataSourceOptions.migrations;
  const dataSource = await new DataSource({ ...dataSourceOptions, migrations }).initialize();
  try {
    await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (db) => db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

function localeClause(locale: DatabaseLocale | undefined): string {
  if (!locale) return '';
  const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const icu = locale.icuLocale ? ` LOCALE_PROVIDER icu ICU_LOCALE ${quote(locale.icuLocale)}` : '';
  return `TEMPLATE template0 ENCODING 'UTF8' LOCALE ${quote(locale.locale)}${icu}`;
}

async function withClient<T>(url: string, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/** A scratch database with a client connected to it; `close()` ends the client and drops the database. */
export async function openScratchDatabase(prefix: string): Promise<{ url: string; db: Client; close(): Promise<void> }> {
  const scratch = await createScratchDatabase(prefix);
  const db = new Client({ connectionString: scratch.url });
  await db.connect();
  return { url: scratch.url, db, close: async () => { await db.end(); await scratch.drop(); } };
}

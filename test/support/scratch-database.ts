import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../../apps/customer-service/src/config/app-config';
import { runMigrationsLocked } from '../../apps/customer-service/src/database/run-migrations';
import { typeOrmOptions } from '../../apps/customer-service/src/database/typeorm-options';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database on the test run's PostgreSQL server. Relay tests need one each:
 * the relay lock, NOTIFY and the outbox claim are per database, so relays of other test files
 * (and their rows) cannot interfere.
 */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const serverUrl = process.env.DATABASE_URL!;
  await withClient(serverUrl, (db) => db.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataSource = await new DataSource(typeOrmOptions(loadDatabaseConfig({ DATABASE_URL: url.toString() }), 'test-migrations')).initialize();
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

async function withClient<T>(url: string, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

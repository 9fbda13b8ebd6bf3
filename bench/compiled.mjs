// Shared by the benchmark's scripts: the repository root, and the compiled service modules
// (dist/, CommonJS, built by `npm run build`) they reuse so they run the service's own code.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const require = createRequire(import.meta.url);
/** A module of the compiled service (dist/), by its path under apps/customer-service/src. */
export const compiled = (/** @type {string} */ file) => require(path.join(root, 'dist/apps/customer-service/src', file));

/** The Stellar account that issues the benchmark's asset (EURC). */
export const ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';

/**
 * node-postgres options for `databaseUrl` made as the service makes them (database/pg-connection.ts):
 * DATABASE_SSLMODE and DATABASE_SSL_* of the environment apply to the benchmark's connections too.
 * @param {string} databaseUrl
 * @returns {import('pg').ClientConfig}
 */
export function pgOptions(databaseUrl) {
  const { loadDatabaseConfig } = compiled('config/app-config.js');
  const { pgConnectionOptions } = compiled('database/pg-connection.js');
  return pgConnectionOptions(loadDatabaseConfig({ ...process.env, DATABASE_URL: databaseUrl, DATABASE_URL_FILE: undefined }));
}

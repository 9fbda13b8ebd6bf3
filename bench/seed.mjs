// The benchmark's seeder: N customers (default 1,000,000) over 100 counterparties whose sizes
// follow Zipf's law (the largest holds ~19% of all customers), each with one wallet account,
// COPYed into the write tables; then the read model is built by the service's own rebuild
// (`npm run projection:rebuild`'s code), so it is exactly what the projector would hold.
//
// Secondary indexes are dropped during the load and recreated from their own definitions
// afterwards (sorting once beats maintaining 20 indexes row by row); then VACUUM ANALYZE, so
// the planner has statistics and index-only scans have a visibility map, as on a live system.
//
//   node bench/seed.mjs [--customers N] [--counterparties N]   (DATABASE_URL, after `npm run build`)
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { composeIBAN } from 'ibantools';
import { compiled, ISSUER, pgOptions, require } from './compiled.mjs';
import { progressBar } from './progress.mjs';


export const DEFAULT_CUSTOMERS = 1_000_000;
export const DEFAULT_COUNTERPARTIES = 100;
const BRANCHES_PER_COUNTERPARTY = 8;
const SEEDED_TABLES = ['customers', 'wallet_accounts', 'customer_list_view', 'account_view'];
const FIRST_NAMES = ['Anna', 'Maria', 'Olga', 'Elena', 'Sofia', 'Irina', 'Natalia', 'Ivan', 'Pavel', 'Sergei', 'Dmitri',
  'Alexei', 'Mikhail', 'Andrei', 'Jan', 'Piotr', 'Katarzyna', 'Agnieszka', 'Tomasz', 'Lukas', 'Jonas', 'Emma', 'Mia',
  'Noah', 'Liam', 'Olivia', 'Amelia', 'Oliver', 'George', 'Isla', 'Ada', 'Grace', 'Hugo', 'Leon', 'Clara', 'Marta'];
const SURNAMES = ['Ivanova', 'Petrov', 'Smirnov', 'Kuznetsova', 'Popov', 'Sokolova', 'Lebedev', 'Kozlova', 'Novak',
  'Kowalski', 'Wisniewska', 'Wojcik', 'Muller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Smith', 'Jones',
  'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright', 'Thompson', 'Evans', 'Walker',
  'Lovelace', 'Hopper', 'Garcia', 'Martinez', 'Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo'];
const PATERNAL_NAMES = ['Ivanovich', 'Petrovich', 'Sergeevna', 'Alexandrovna', 'Mikhailovich', 'Andreevna', 'Pavlovich'];
const STATUSES = ['active', 'active', 'active', 'active', 'pending_review', 'documents_requested', 'suspended'];
const HOUR_MS = 3_600_000;
const SPAN_MS = 3 * 365 * 24 * HOUR_MS; // created_at spread over three years

/**
 * A guid derived from a name: the same counterparties and branches on every run.
 * @param {string} name
 */
export function stableGuid(name) {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** @typedef {{ guid: string, size: number, bank: number }} SeededCounterparty */

/**
 * Counterparty k (1-based) of a run: its guid and its number of customers (Zipf, s = 1).
 * @param {number} customers
 * @returns {SeededCounterparty[]}
 */
export function counterpartiesFor(customers, count = DEFAULT_COUNTERPARTIES) {
  const harmonic = Array.from({ length: count }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
  const sizes = Array.from({ length: count }, (_, k) => Math.max(1, Math.floor(customers / (k + 1) / harmonic)));
  sizes[0] += customers - sizes.reduce((a, b) => a + b, 0);
  return sizes.map((size, k) => ({ guid: stableGuid(`bench-counterparty-${k + 1}`), size, bank: 10_000_000 + k * 7919 }));
}

/**
 * Deterministic pseudo-random numbers (mulberry32): the same data for the same N.
 * @param {number} seed
 */
function randomSource(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Yields [customerLine, accountLine] pairs in COPY text format, counterparty by counterparty.
 * @param {SeededCounterparty[]} counterparties
 * @param {number} now  epoch ms
 * @returns {Generator<[string, string]>}
 */
function* rows(counterparties, now) {
  const random = randomSource(20261125);
  const pick = (/** @type {readonly string[]} */ list) => list[Math.floor(random() * list.length)];
  let serial = 0;
  for (const counterparty of counterparties) {
    const branches = Array.from({ length: BRANCHES_PER_COUNTERPARTY }, (_, b) => stableGuid(`${counterparty.guid}-branch-${b}`));
    for (let i = 0; i < counterparty.size; i += 1) {
      serial += 1;
      const guid = randomUUID();
      const [first, surname] = [pick(FIRST_NAMES), pick(SURNAMES)];
      // Oldest first within each counterparty, a few minutes apart on average.
      const createdAt = new Date(now - SPAN_MS + Math.floor(((i + random()) / counterparty.size) * SPAN_MS)).toISOString();
      const kyc = random() < 0.2 ? 0 : random() < 0.5 ? 1 : random() < 0.75 ? 2 : 3;
      const segment = random() < 0.1 ? '\\N' : random() < 0.65 ? 'PL' : 'PI';
      const balance = `${Math.floor(random() * 5_000_000)}.${String(Math.floor(random() * 1e7)).padStart(7, '0')}`;
      const customer = [
        guid, counterparty.guid, `${first}.${surname}.${serial}@bank${counterparty.bank}.example`.toLowerCase(), first, surname,
        random() < 0.4 ? pick(PATERNAL_NAMES) : '\\N', `+4477${String(serial).padStart(8, '0')}`, kyc,
        random() < 0.03 ? 't' : 'f', balance, 'EURC', ISSUER, random() < 0.3 ? '\\N' : pick(branches), segment,
        pick(STATUSES), 1, createdAt, createdAt,
      ];
      const iban = composeIBAN({ countryCode: 'DE', bban: `${counterparty.bank}${String(serial).padStart(10, '0')}` });
      const account = [randomUUID(), guid, counterparty.guid, iban, 'EURC', ISSUER, 't', 't', 'f', 'customer', createdAt, createdAt];
      yield [`${customer.join('\t')}\n`, `${account.join('\t')}\n`];
    }
  }
}

const CUSTOMER_COPY = `COPY customers (guid, counterparty_guid, login, name, surname, paternal_name, phone_number, kyc_level,
  is_disabled, balance_allowed, balance_asset_code, balance_asset_issuer, branch_guid, segment, status, version, created_at,
  updated_at) FROM STDIN`;
const ACCOUNT_COPY = `COPY wallet_accounts (guid, customer_guid, counterparty_guid, iban, asset_code, asset_issuer, activated,
  registered, blocked, type, created_at, updated_at) FROM STDIN`;

/**
 * Empties the benchmark's tables and loads `customers` customers; returns the counterparties.
 * @param {{ databaseUrl: string, customers?: number, counterparties?: number, log?: (line: string) => void }} options
 */
export async function seed({ databaseUrl, customers = DEFAULT_CUSTOMERS, counterparties = DEFAULT_COUNTERPARTIES, log = console.error }) {
  const started = Date.now();
  const plan = counterpartiesFor(customers, counterparties);
  // Typed as their TypeScript source (dist/ is its build).
  /** @type {typeof import('typeorm')} */
  const { DataSource } = require('typeorm');
  /** @type {typeof import('../apps/customer-service/src/database/typeorm-options')} */
  const { typeOrmOptions } = compiled('database/typeorm-options.js');
  /** @type {typeof import('../apps/customer-service/src/config/app-config')} */
  const { loadDatabaseConfig } = compiled('config/app-config.js');
  /** @type {typeof import('../apps/customer-service/src/database/run-migrations')} */
  const { runMigrationsLocked } = compiled('database/run-migrations.js');
  /** @type {typeof import('../apps/customer-service/src/projector/rebuild/read-model.rebuild')} */
  const { rebuildReadModel } = compiled('projector/rebuild/read-model.rebuild.js');
  const dataSource = await new DataSource(typeOrmOptions(loadDatabaseConfig({ ...process.env, DATABASE_URL: databaseUrl, DATABASE_URL_FILE: undefined }), 'bench-seed')).initialize();
  const client = new pg.Client(pgOptions(databaseUrl));
  await client.connect();
  try {
    await runMigrationsLocked(dataSource);
    await client.query('SET maintenance_work_mem = \'1GB\'');
    await client.query('SET synchronous_commit = off');
    await client.query('TRUNCATE customers, wallet_accounts, outbox, idempotency_keys, customer_list_view, account_view, customer_counts, processed_events, projection_errors');
    const indexes = await dropSecondaryIndexes(client);

    const bar = progressBar({ label: 'seed: write tables', total: customers * 2, unit: 'rows' });
    /** @type {string[]} */
    const accountLines = [];
    await client.query('BEGIN');
    await copyInto(client, CUSTOMER_COPY, rows(plan, Date.now()), ([customer, account]) => {
      accountLines.push(account);
      bar.tick();
      return customer;
    });
    await copyInto(client, ACCOUNT_COPY, accountLines.splice(0), (account) => {
      bar.tick();
      return account;
    });
    await client.query('COMMIT');
    bar.done();

    await recreate(client, indexes.filter((index) => ['customers', 'wallet_accounts'].includes(index.table)), log);
    log('seed: building the read model with the service\'s rebuild');
    const rebuildBar = progressBar({ label: 'seed: read model', total: customers, unit: 'customers' });
    await rebuildReadModel(dataSource, {
      batchSize: 20_000,
      log: (line) => {
        const copied = /copied (\d+)\//.exec(line);
        if (copied) rebuildBar.set(Number(copied[1]));
      },
    });
    rebuildBar.done();
    await recreate(client, indexes.filter((index) => !['customers', 'wallet_accounts'].includes(index.table)), log);
    log('seed: VACUUM ANALYZE');
    await client.query(`VACUUM (ANALYZE) ${[...SEEDED_TABLES, 'customer_counts'].join(', ')}`);
    log(`seed: ${customers.toLocaleString('en')} customers over ${plan.length} counterparties in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return plan;
  } finally {
    await client.end();
    await dataSource.destroy();
  }
}

/** @typedef {{ name: string, table: string, definition: string }} IndexDefinition */

/**
 * COPYs `toLine(item)` of every item, in chunks of 2,000 lines.
 * @template T
 * @param {pg.Client} client
 * @param {string} copySql
 * @param {Iterable<T>} items
 * @param {(item: T) => string} toLine
 */
async function copyInto(client, copySql, items, toLine) {
  function* chunks() {
    let chunk = '';
    let lines = 0;
    for (const item of items) {
      chunk += toLine(item);
      lines += 1;
      if (lines === 2_000) {
        yield chunk;
        [chunk, lines] = ['', 0];
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(chunks()), client.query(copyStreams.from(copySql)));
}

/**
 * Drops every index of the seeded tables but the primary keys; returns their definitions.
 * @param {pg.Client} client
 */
async function dropSecondaryIndexes(client) {
  /** @type {pg.QueryResult<IndexDefinition>} */
  const { rows: indexes } = await client.query(
    `SELECT i.indexrelid::regclass::text AS name, t.relname AS table, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
      WHERE t.relname = ANY($1) AND NOT i.indisprimary`,
    [SEEDED_TABLES],
  );
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  return indexes;
}

/**
 * @param {pg.Client} client
 * @param {IndexDefinition[]} indexes
 * @param {(line: string) => void} log
 */
async function recreate(client, indexes, log) {
  const started = Date.now();
  for (const index of indexes) await client.query(index.definition);
  log(`seed: ${indexes.length} indexes recreated in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { customers: { type: 'string' }, counterparties: { type: 'string' } } });
  const count = (/** @type {string | undefined} */ value, /** @type {number} */ fallback) => (value === undefined ? fallback : Number(value));
  const customers = count(values.customers, DEFAULT_CUSTOMERS);
  const counterparties = count(values.counterparties, DEFAULT_COUNTERPARTIES);
  if (!process.env.DATABASE_URL || !Number.isInteger(customers) || customers < counterparties || !Number.isInteger(counterparties) || counterparties < 1) {
    process.stderr.write('usage: DATABASE_URL=… node bench/seed.mjs [--customers N ≥ counterparties] [--counterparties N ≥ 1]\n');
    process.exit(2);
  }
  await seed({ databaseUrl: process.env.DATABASE_URL, customers, counterparties });
  process.exit(0);
}

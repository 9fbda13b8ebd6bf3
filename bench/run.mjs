// `npm run bench`: the service under load on loopback, each scenario followed at once by its
// limits (pgbench running the same SQL; a framework-free node:http + pg server), on a seeded
// database of 1,000,000 customers; then at fixed arrival rates (fixed-rate.mjs). Every scenario
// but the cursor comparison and the walks reports each process's CPU ms per request (API, relay
// + projector, PostgreSQL, Kafka), net of its idle CPU (measure.mjs's measuredLoad). Results:
// bench/results/<stamp>.{json,md} (see docs/performance.md).
//
//   npm run bench -- [--customers N] [--seconds S] [--connections C] [--lag-rate R] [--search-rate R] [--history-rate R] [--only a,b] [--reuse] [--profile] [--heap-mb M] [--service-env NAME=VALUE …]
//
// --service-env sets one more environment variable of both service processes (repeatable), for
// an A/B of a setting, e.g. --service-env LOG_LEVEL=warn; the report's setup records it.
// --lag-rate sets the create rate of projection-lag (open loop); by default half the creates/s
// the create scenario sustained in this run (50/s when it did not run).
// --search-rate sets the arrival rate of list-search-rate (open loop, default 50 requests/s);
// --history-rate that of history (a customer with 500 versions; open loop, default 50 requests/s).
// --profile starts both servers with --cpu-prof: .local/bench/profiles/*.cpuprofile, written
// when they stop (open in Chrome DevTools, or summarise with bench/profile-summary.mjs).
//
// Everything runs locally and is bounded: every load lasts --seconds (default 20), the lag
// scenario as long, a walk as long as one pass over the largest counterparty takes (the offset
// walk at most 60 s), and the whole run stops its servers on exit, Ctrl-C included.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { composeIBAN } from 'ibantools';
import pg from 'pg';
import { mintToken } from '../scripts/dev-auth.mjs';
import { startLocalStack, freePorts } from '../scripts/local-stack/index.mjs';
import { readPidFile } from '../scripts/local-stack/processes.mjs';
import { spawnWithWatchdog, stopChild } from '../scripts/local-stack/watchdog.mjs';
import { compiled, ISSUER, pgOptions, root } from './compiled.mjs';
import { HISTORY_SCENARIO, HISTORY_VERSIONS, historyScenario } from './history.mjs';
import { httpLoad } from './http-load.mjs';
import { measuredLoad, startMeasuring } from './measure.mjs';
import { CURSOR_DEPTH, PAGING_SCENARIOS, pagingScenario, RATE_TERMS } from './paging.mjs';
import { findPgbench, runPgbench } from './pgbench.mjs';
import { writeReport } from './report.mjs';
import { counterpartiesFor, DEFAULT_CUSTOMERS, seed } from './seed.mjs';
import { createScript, getOneScript, listScript, updateScript } from './sql-limits.mjs';
import { FIXED_RATE_SCENARIOS, fixedRateScenario } from './fixed-rate.mjs';
import { openLoad } from './open-loop.mjs';

/** @typedef {import('./paging.mjs').Server} Server */
/** @typedef {import('./paging.mjs').HttpRequest} HttpRequest */
/** @typedef {import('./report.mjs').Row} Row */

/** @type {typeof import('../apps/customer-service/src/fields/money')} typed as its source (dist/ is its build) */
const { Money } = compiled('fields/money.js');
const workDir = path.join(root, '.local', 'bench');
const log = (/** @type {string} */ line) => process.stderr.write(`[bench] ${line}\n`);
const SAMPLE_SIZE = 20_000;
const WARM_UP_SECONDS = 3;
const SEARCH_TERM = 'kowal';
/** Five digits that differ between runs, so the IBANs a run creates are new even with --reuse. */
const RUN_TAG = String(Math.floor(Date.now() / 1000) % 100_000).padStart(5, '0');
const SCENARIOS = [
  'create', 'update', 'list', 'list-filtered', 'list-search', 'list-offset', 'get-one', 'projection-lag', ...FIXED_RATE_SCENARIOS, ...PAGING_SCENARIOS, HISTORY_SCENARIO,
];
/** projection-lag's create rate without --lag-rate and without a create scenario in the run. */
const DEFAULT_LAG_RATE = 50;
/** The saturation scenarios whose requests write (their events are followed through the pipeline). */
const WRITES = new Set(['create', 'update']);
/**
 * pgbench's outbox rows carry one sample payload (its event_id is not the row's id): the relay
 * would publish them and the projector record each as malformed, a backlog that would spill
 * into the next scenarios. Around a pgbench scenario that writes (its quiesce and idle samples
 * included, when nothing else inserts), a trigger (one extra row-level call on its side only)
 * marks its rows published as they are inserted, so they never leave the table.
 */
const HIDE_PGBENCH_EVENTS = `
  CREATE OR REPLACE FUNCTION bench_pgbench_published() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.published_at := now(); RETURN NEW; END $$;
  DROP TRIGGER IF EXISTS bench_pgbench_published ON outbox;
  CREATE TRIGGER bench_pgbench_published BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION bench_pgbench_published()`;
/** Connections per pool of every server: as many as pgbench's clients. */
const POOLS = { DATABASE_POOL_COMMANDS: '10', DATABASE_POOL_QUERIES: '10' };
const SHOW_EVENTS = 'DROP TRIGGER IF EXISTS bench_pgbench_published ON outbox';

const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: String(DEFAULT_CUSTOMERS) },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '32' },
    'lag-rate': { type: 'string' },
    'search-rate': { type: 'string', default: '50' },
    'history-rate': { type: 'string', default: '50' },
    only: { type: 'string' },
    reuse: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'heap-mb': { type: 'string', default: '192' },
    'service-env': { type: 'string', multiple: true, default: [] },
  },
});
const options = {
  customers: positive('customers', 100),
  seconds: positive('seconds', 1),
  connections: positive('connections', 1),
  lagRate: flags['lag-rate'] === undefined ? null : positive('lag-rate', 1),
  searchRate: positive('search-rate', 1),
  historyRate: positive('history-rate', 1),
  heapMb: positive('heap-mb', 64),
  scenarios: flags.only ? flags.only.split(',') : SCENARIOS,
  serviceEnv: Object.fromEntries(flags['service-env'].map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) usage(`--service-env takes NAME=VALUE, not ${JSON.stringify(pair)}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  })),
};
const unknown = options.scenarios.filter((name) => !SCENARIOS.includes(name));
if (unknown.length) usage(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);

/** @type {(() => Promise<unknown>)[]} */
const stopping = [];
/** The local stack's database, once main() has started it (quiesce() reads it). */
let stackDatabaseUrl = '';
/** PostgreSQL's postmaster and Kafka's JVM, measured in every scenario (set by main()). */
const machine = { postmasterPid: 0, /** @type {number | undefined} */ kafkaPid: undefined };
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    void shutdown().finally(() => process.exit(130));
  });
}
try {
  await main();
  await shutdown();
  process.exit(0);
} catch (error) {
  const failure = /** @type {Error} */ (error);
  log(`failed: ${failure.stack ?? failure.message}`);
  await shutdown();
  process.exit(1);
}

async function main() {
  mkdirSync(workDir, { recursive: true });
  // Commit timestamps: the projection lag is measured from commit to commit (see projectionLag).
  const stack = await startLocalStack({ root, dataRoot: workDir, postgresSettings: ['track_commit_timestamp=on'], log });
  stopping.push(stack.stop);
  const databaseUrl = /** @type {string} startLocalStack started PostgreSQL */ (stack.databaseUrl);
  stackDatabaseUrl = databaseUrl;
  const postmasterPid = readPidFile(path.join(workDir, 'postgres', 'postmaster.pid'));
  Object.assign(machine, { postmasterPid, kafkaPid: stack.kafkaPid });
  const counterparties = await seeded(databaseUrl);
  const sample = await sampleCustomers(databaseUrl);
  const secret = randomBytes(32).toString('base64url');
  /** @type {Map<string, string>} */
  const tokens = new Map();
  for (const { guid } of counterparties) tokens.set(guid, `Bearer ${await mintToken({ secret, counterparty: guid, sub: 'bench-employee' })}`);
  const tokenOf = (/** @type {string} */ guid) => /** @type {string} every counterparty has one */ (tokens.get(guid));

  const [servicePort, serviceManagementPort, workersManagementPort, barePort] = await freePorts(4);
  // The service as ADR 4 deploys it: the API in one process, the relay and the projector in
  // another, so the event flow does not queue behind HTTP requests on one event loop.
  const main = path.join(root, 'dist/apps/customer-service/src/main.js');
  // The bench measures capacity, not the abuse limits: no per-client or per-tenant cap stops its
  // load (each at its maximum).
  const serviceEnv = {
    DATABASE_URL: databaseUrl, KAFKA_BROKERS: stack.kafkaBrokers, AUTH_JWT_SECRET: secret, API_PREFIX: '/api/v1',
    RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '10000000', LISTS_PER_COUNTERPARTY: '1000',
    ...POOLS, ...options.serviceEnv,
  };
  // Readiness is on each process's management listener; the workers open no public listener.
  const service = await startServer('service', [main], servicePort, '/api/v1', `http://127.0.0.1:${serviceManagementPort}/health/ready`, {
    ...serviceEnv, ROLES: 'api', MANAGEMENT_PORT: String(serviceManagementPort),
  });
  const workers = await startServer('service workers', [main], workersManagementPort, '', `http://127.0.0.1:${workersManagementPort}/health/ready`, {
    ...serviceEnv, ROLES: 'relay,projector', MANAGEMENT_PORT: String(workersManagementPort),
  });
  service.workersPid = workers.pid;
  const pgbench = findPgbench();
  if (!pgbench) log('pgbench not found (PostgreSQL client tools; PGBENCH=/path/to/pgbench): the SQL limits are skipped');

  const largest = counterparties[0];
  let serial = 0;
  const createBody = (/** @type {import('./seed.mjs').SeededCounterparty} */ counterparty) => {
    serial += 1;
    return {
      login: `bench.${RUN_TAG}.${serial}@bench.example`,
      name: 'Ada', surname: 'Kowalska', phone_number: `+4477${String(90_000_000 + (serial % 9_999_999)).padStart(8, '0')}`,
      kyc_level: 1, segment: /** @type {const} */ ('PL'), status: 'active', balance_allowed: 1500.5,
      iban: composeIBAN({ countryCode: 'DE', bban: `${counterparty.bank}${RUN_TAG}${String(serial % 100_000).padStart(5, '0')}` }),
      asset_code: 'EURC', asset_issuer: ISSUER,
    };
  };
  // The SQL limit's statements get the body as the service parses it: the amount as Money (the
  // same text in the SQL and the same JSON number in the event as 1500.5 gives).
  const parsedBody = (/** @type {ReturnType<typeof createBody>} */ body) => ({ ...body, balance_allowed: Money.fromDecimal(String(body.balance_allowed)) });
  const randomSampled = () => sample[Math.floor(Math.random() * sample.length)];
  const createRequest = () => {
    const counterparty = counterparties[serial % counterparties.length];
    return {
      method: 'POST', path: `/counterparty/${counterparty.guid}/customers`,
      headers: { authorization: tokenOf(counterparty.guid) }, body: JSON.stringify(createBody(counterparty)),
    };
  };
  const getOneRequest = () => {
    const customer = randomSampled();
    return {
      method: 'GET', path: `/counterparty/${customer.counterparty_guid}/customers/${customer.guid}`,
      headers: { authorization: tokenOf(customer.counterparty_guid) },
    };
  };
  const listRequest = (/** @type {string} */ query) => () => ({
    method: 'GET', path: `/counterparty/${largest.guid}/customers${query ? `?${query}` : ''}`, headers: { authorization: tokenOf(largest.guid) },
  });
  const lists = {
    list: '',
    'list-filtered': 'kyc_levels=1&kyc_levels=2&segments=PL',
    'list-search': `search_string=${SEARCH_TERM}`,
    'list-offset': 'offset=50000',
  };
  /** @type {Record<string, { ours: () => HttpRequest, bare?: () => HttpRequest, sql: () => { script: string, defines: Record<string, string> } }>} */
  const definitions = {
    create: { ours: createRequest, bare: createRequest, sql: () => createScript(largest.guid, parsedBody(createBody(largest))) },
    update: {
      ours: () => {
        const customer = randomSampled();
        return {
          method: 'PUT', path: `/counterparty/${customer.counterparty_guid}/customers/${customer.guid}`,
          headers: { authorization: tokenOf(customer.counterparty_guid) },
          body: JSON.stringify({ status: `reviewed-${serial++ % 1000}`, kyc_level: 2 }),
        };
      },
      sql: () => updateScript(sample.length, largest.guid, parsedBody(createBody(largest))),
    },
    ...Object.fromEntries(Object.entries(lists).map(([name, query]) => [
      name,
      { ours: listRequest(query), bare: listRequest(query), sql: () => listScript(largest.guid, Object.fromEntries(new URLSearchParams(query))) },
    ])),
    'get-one': { ours: getOneRequest, bare: getOneRequest, sql: () => getOneScript(sample.length) },
  };

  // Started only when a chosen scenario compares with it.
  const bare = options.scenarios.some((name) => definitions[name]?.bare)
    ? await startServer('framework-free server', [path.join(root, 'bench/limits/bare-server.mjs')], barePort, '', `http://127.0.0.1:${barePort}/health`, {
      DATABASE_URL: databaseUrl, AUTH_JWT_SECRET: secret, ...POOLS,
    })
    : null;
  // The framework-free server's creates are published and projected by the service's workers.
  if (bare) bare.workersPid = workers.pid;
  const paging = {
    service, token: tokenOf(largest.guid), largest, pgbench, databaseUrl, postmasterPid, options, warmUpSeconds: WARM_UP_SECONDS,
    listRequest, withPrefix, sqlScenario, quiesce, withClient, log,
    pids: pidsOf(service),
    measure: () => startMeasuring(pidsOf(service)),
  };
  /** @type {Row[]} */
  const results = [];
  for (const name of options.scenarios) {
    if (PAGING_SCENARIOS.includes(name)) {
      results.push(...(await pagingScenario(name, paging)));
      continue;
    }
    if (name === HISTORY_SCENARIO) {
      results.push(...(await historyScenario(paging)));
      continue;
    }
    if (name === 'projection-lag') {
      const create = results.find((row) => row.scenario === 'create');
      const rate = options.lagRate ?? (create && 'ours' in create ? Math.max(1, Math.round(create.ours.rps / 2)) : DEFAULT_LAG_RATE);
      results.push(await projectionLag({ databaseUrl, service, rate, createRequest }));
      continue;
    }
    if (FIXED_RATE_SCENARIOS.includes(/** @type {import('./fixed-rate.mjs').FixedRateScenario} */ (name))) {
      const requests = {
        create: createRequest, update: definitions.update.ours, list: definitions.list.ours, 'get-one': getOneRequest,
      };
      const prefixed = /** @type {typeof requests} */ (Object.fromEntries(Object.entries(requests).map(([kind, next]) => [kind, () => withPrefix(service, next())])));
      results.push(await fixedRateScenario(/** @type {import('./fixed-rate.mjs').FixedRateScenario} */ (name), paging, { baseUrl: service.url, requests: prefixed }));
      continue;
    }
    const definition = definitions[name];
    /** @type {import('./report.mjs').HttpRow} */
    const row = {
      scenario: /** @type {import('./report.mjs').HttpRow['scenario']} one of definitions' */ (name),
      ours: await httpScenario(`${name} · service`, service, definition.ours, WRITES.has(name)),
    };
    if (definition.bare && bare) row.bare = await httpScenario(`${name} · framework-free`, bare, definition.bare, WRITES.has(name));
    if (pgbench) row.sql = await sqlScenario(`${name} · pgbench`, { pgbench, databaseUrl, postmasterPid, ...definition.sql() });
    results.push(row);
  }
  const files = writeReport({
    root,
    results,
    setup: {
      customers: options.customers, counterparties: counterparties.length, largestCounterparty: largest.size,
      connections: options.connections, seconds: options.seconds, warmUpSeconds: WARM_UP_SECONDS, poolMax: 10,
      pgbenchClients: 10, searchTerm: SEARCH_TERM, node: process.version, cores: os.cpus().length, heapMb: options.heapMb,
      cursorDepth: CURSOR_DEPTH, searchRate: options.searchRate, searchRateTerms: RATE_TERMS,
      historyRate: options.historyRate, historyVersions: HISTORY_VERSIONS, serviceEnv: options.serviceEnv,
    },
  });
  log(`results: ${files.map((file) => path.relative(root, file)).join(', ')}`);
}

/**
 * What every measurement of `server` watches: it, its workers process, PostgreSQL and Kafka.
 * @param {Server} server
 */
function pidsOf(server) {
  return { serverPid: server.pid, workersPid: server.workersPid, ...machine };
}

/**
 * A closed-loop load at saturation (`--connections` for `--seconds`). A load that writes is
 * measured until its events are published and projected, so its CPU per request is the whole
 * pipeline's; each process's idle CPU is measured first and subtracted (measure.mjs).
 * @param {string} label
 * @param {Server} server
 * @param {() => HttpRequest} next
 * @param {boolean} writes
 */
async function httpScenario(label, server, next, writes) {
  const load = { baseUrl: server.url, next: () => withPrefix(server, next()), connections: options.connections };
  const { result, usage } = await measuredLoad({
    pids: pidsOf(server), quiesce, log, label,
    warmUp: () => {
      log(`${label}: warm-up ${WARM_UP_SECONDS} s`);
      return httpLoad({ ...load, seconds: WARM_UP_SECONDS });
    },
    load: () => {
      log(`${label}: ${options.connections} connections, ${options.seconds} s`);
      return httpLoad({ ...load, seconds: options.seconds });
    },
    drain: writes ? quiesce : undefined,
    served: (done) => done.requests,
  });
  const { cpuPerRequest } = usage;
  log(`${label}: ${result.rps} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, non-2xx ${result.non2xx}, errors ${result.errors}; ` +
    `CPU ms per request: ${cpuPerRequest ? Object.entries(cpuPerRequest).map(([who, ms]) => `${who} ${ms ?? '—'}`).join(', ') : '—'}`);
  return { ...result, ...usage };
}

/**
 * @param {string} label
 * @param {import('./paging.mjs').SqlScenarioOptions} options
 * @returns {Promise<import('./paging.mjs').SqlResult>}
 */
async function sqlScenario(label, { pgbench, databaseUrl, postmasterPid, script, defines, rate }) {
  const writes = /INSERT INTO outbox/.test([script].flat().join('\n'));
  if (writes) await withClient(databaseUrl, (client) => client.query(HIDE_PGBENCH_EVENTS));
  try {
    const { result, usage } = await measuredLoad({
      pids: { postmasterPid }, quiesce, log, label,
      load: () => {
        log(`${label}: 10 clients, ${options.seconds} s${rate ? ` at ${rate} tx/s (open loop)` : ''}`);
        return runPgbench({
          binary: pgbench, databaseUrl, script, defines, clients: 10, seconds: options.seconds, rate, workDir: path.join(workDir, 'pgbench'),
        });
      },
      served: (done) => done.transactions,
    });
    log(`${label}: ${result.tps} tx/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, failed ${result.failed}; PostgreSQL CPU ms per transaction ${usage.cpuPerRequest?.postgres ?? '—'}`);
    return { ...result, rps: result.tps, ...usage };
  } finally {
    if (writes) await withClient(databaseUrl, (client) => client.query(SHOW_EVENTS));
  }
}

/**
 * @template T
 * @param {string} databaseUrl
 * @param {(client: pg.Client) => Promise<T>} work
 * @returns {Promise<T>}
 */
async function withClient(databaseUrl, work) {
  const client = new pg.Client(pgOptions(databaseUrl));
  client.on('error', () => {}); // PostgreSQL stopping under us (Ctrl-C) is not worth a crash
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** @typedef {{ events: number, applied: number, p50: number, p99: number, max: number, relay_p50: number, relay_p99: number }} LagFigures  the lag query's row */

/**
 * Creates at a fixed arrival rate (open loop, Poisson, `rate` per second); the lag of each event
 * runs from the commit of the create (the customer row, never updated in this scenario) to the
 * commit of the projector's transaction that applied it (its processed_events row): PostgreSQL's
 * commit timestamps, one clock. Measured until every event is applied (≤ 30 s after the load),
 * so the CPU per create is the whole pipeline's.
 * @param {{ databaseUrl: string, service: Server, rate: number, createRequest: () => HttpRequest }} options
 * @returns {Promise<import('./report.mjs').LagRow>}
 */
async function projectionLag({ databaseUrl, service, rate, createRequest }) {
  return withClient(databaseUrl, async (client) => {
    /** @type {Date | undefined} */
    let from;
    /** @type {LagFigures | undefined} */
    let lag;
    const ms = (/** @type {string} */ interval) => `extract(epoch FROM ${interval}) * 1000`;
    const lagMs = ms('pg_xact_commit_timestamp(p.xmin) - pg_xact_commit_timestamp(c.xmin)');
    const relayMs = ms('o.published_at - pg_xact_commit_timestamp(c.xmin)');
    const lagSql = `SELECT count(o.id)::int AS events, count(p.event_id)::int AS applied,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ${lagMs}) AS p50,
        percentile_cont(0.99) WITHIN GROUP (ORDER BY ${lagMs}) AS p99,
        max(${lagMs}) AS max,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY ${relayMs}) AS relay_p50,
        percentile_cont(0.99) WITHIN GROUP (ORDER BY ${relayMs}) AS relay_p99
      FROM outbox o JOIN customers c ON c.guid = o.aggregateid::uuid
      LEFT JOIN processed_events p ON p.event_id = o.id WHERE o.created_at >= $1`;
    const { result: load, usage } = await measuredLoad({
      pids: pidsOf(service), quiesce, log, label: 'projection-lag',
      load: async () => {
        ({ rows: [{ from }] } = await client.query('SELECT now() AS from'));
        log(`projection-lag: ${rate} creates/s for ${options.seconds} s (open loop)`);
        return openLoad({ baseUrl: service.url, next: () => withPrefix(service, createRequest()), rate, seconds: options.seconds });
      },
      // Until every event is applied (≤ 30 s after the load).
      drain: async () => {
        for (let waited = 0; waited <= 30; waited += 1) {
          const { rows: [row] } = await client.query(lagSql, [from]);
          lag = /** @type {LagFigures} lagSql's one row */ (row);
          if (lag.applied === lag.events) return;
          await sleep(1000);
        }
      },
      served: (done) => done.completed,
    });
    if (!lag) throw new Error('projection-lag: the lag query never ran'); // drain runs it at least once
    const round = (/** @type {number} */ ms) => Math.round(ms * 10) / 10;
    /** @type {import('./report.mjs').LagRow} */
    const result = {
      scenario: 'projection-lag',
      rate,
      ours: {
        ...usage,
        requests: load.sent, rps: load.rate, p50Ms: load.p50Ms, p99Ms: load.p99Ms, p999Ms: load.p999Ms, non2xx: load.non2xx, errors: load.errors,
        events: lag.events, applied: lag.applied, lagP50Ms: round(lag.p50), lagP99Ms: round(lag.p99), lagMaxMs: round(lag.max),
        relayP50Ms: round(lag.relay_p50), relayP99Ms: round(lag.relay_p99),
      },
    };
    log(`projection-lag: ${lag.applied}/${lag.events} events applied, lag p50 ${result.ours.lagP50Ms} ms, p99 ${result.ours.lagP99Ms} ms (of which commit → Kafka p50 ${result.ours.relayP50Ms} ms, p99 ${result.ours.relayP99Ms} ms)`);
    return result;
  });
}

/**
 * Seeds unless --reuse finds this size already seeded; returns the counterparties, largest first.
 * @param {string} databaseUrl
 */
async function seeded(databaseUrl) {
  const marker = path.join(workDir, 'seeded.json');
  const counterparties = counterpartiesFor(options.customers);
  const previous = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : null;
  if (flags.reuse && previous?.customers === options.customers) {
    log(`--reuse: keeping the ${options.customers.toLocaleString('en')} customers seeded before (plus what earlier runs created)`);
    return counterparties;
  }
  writeFileSync(marker, '{}');
  await seed({ databaseUrl, customers: options.customers, log });
  writeFileSync(marker, JSON.stringify({ customers: options.customers }));
  return counterparties;
}

/**
 * 20,000 random customers of the read model (so GET one finds them), in memory for HTTP and in bench_sample (n = 1 …) for pgbench.
 * @param {string} databaseUrl
 * @returns {Promise<{ guid: string, counterparty_guid: string }[]>}
 */
async function sampleCustomers(databaseUrl) {
  return withClient(databaseUrl, async (client) => {
    await client.query('DROP TABLE IF EXISTS bench_sample');
    await client.query(
      `CREATE TABLE bench_sample AS SELECT row_number() OVER () AS n, guid, counterparty_guid
         FROM (SELECT customer_guid AS guid, counterparty_guid FROM customer_list_view ORDER BY random() LIMIT ${SAMPLE_SIZE}) s`,
    );
    await client.query('ALTER TABLE bench_sample ADD PRIMARY KEY (n)');
    const { rows } = await client.query('SELECT guid, counterparty_guid FROM bench_sample ORDER BY n');
    return rows;
  });
}

/**
 * @param {Server} server
 * @param {HttpRequest} request
 * @returns {HttpRequest}
 */
function withPrefix(server, request) {
  return { ...request, path: `${server.prefix}${request.path}` };
}

/**
 * Waits (≤ 30 s) until the events of the previous scenario are published and projected, so
 * no scenario is measured while the relay and the projector still work off another's backlog.
 */
async function quiesce() {
  await withClient(stackDatabaseUrl, async (client) => {
    const handled = async () => {
      const { rows: [row] } = await client.query(
        `SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL)::int AS unpublished,
                (SELECT count(*) FROM processed_events)::int + (SELECT count(*) FROM projection_errors)::int AS handled`,
      );
      return row;
    };
    let previous = await handled();
    for (let waited = 0; waited < 30; waited += 1) {
      await sleep(1000);
      const now = await handled();
      if (now.unpublished === 0 && now.handled === previous.handled) return;
      previous = now;
    }
    log('quiesce: the relay or projector still had a backlog after 30 s; measuring anyway');
  });
}

/**
 * @param {string} name
 * @param {string[]} args
 * @param {number} port
 * @param {string} prefix
 * @param {string} readyUrl
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<Server>}
 */
async function startServer(name, args, port, prefix, readyUrl, env) {
  const logFile = path.join(workDir, `${name.replace(/\W+/g, '-')}.log`);
  const profiling = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(workDir, 'profiles')}`] : [];
  // Every Node server gets the same heap ceiling, as a container's memory limit would give it:
  // on this 24 GiB machine V8 would otherwise grow its heap to gigabytes before collecting.
  const heap = [`--max-old-space-size=${options.heapMb}`];
  const child = spawnWithWatchdog({
    command: process.execPath, args: [...heap, ...profiling, ...args], logFile, stopSignal: 'SIGTERM',
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
  });
  stopping.unshift(() => stopChild(child, { signal: 'SIGTERM', graceMs: 15_000 }));
  const url = `http://127.0.0.1:${port}`;
  // Generous: the service applies pending migrations first (on 1,000,000 customers, rebuilding indexes).
  for (const startedAt = Date.now(); Date.now() - startedAt < 300_000; await sleep(250)) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}); see ${path.relative(root, logFile)}`);
    const ready = await fetch(readyUrl).then((response) => response.ok, () => false);
    if (ready) {
      log(`${name} ready on ${url} (pid ${child.pid})`);
      return { url, pid: child.pid, prefix };
    }
  }
  throw new Error(`${name} not ready after 300 s; see ${path.relative(root, logFile)}`);
}

async function shutdown() {
  for (let stop = stopping.shift(); stop; stop = stopping.shift()) await stop().catch((/** @type {Error} */ error) => log(`stop: ${error.message}`));
}

/**
 * @param {'customers' | 'seconds' | 'connections' | 'lag-rate' | 'search-rate' | 'history-rate' | 'heap-mb'} name
 * @param {number} minimum
 */
function positive(name, minimum) {
  const value = Number(flags[name]);
  if (!Number.isInteger(value) || value < minimum) usage(`--${name} must be an integer ≥ ${minimum}`);
  return value;
}

/**
 * @param {string} problem
 * @returns {never}
 */
function usage(problem) {
  process.stderr.write(`${problem}\nusage: npm run bench -- [--customers N] [--seconds S] [--connections C] [--lag-rate R] [--search-rate R] [--history-rate R] [--only ${SCENARIOS.join(',')}] [--reuse] [--profile] [--heap-mb M] [--service-env NAME=VALUE …]\n`);
  process.exit(2);
}

// Writes a run's results: bench/results/<stamp>.json (everything measured) and <stamp>.md (one
// table, CPU ms per request per process, a section per fixed-rate and paging scenario, and each
// target of issues #7, #14 and #20 and whether this run met it).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXED_RATE_SCENARIOS } from './fixed-rate.mjs';

/** @typedef {import('./paging.mjs').Usage} Usage */
/** @typedef {import('./measure.mjs').CpuPerRequest} CpuPerRequest */
/** @typedef {Awaited<ReturnType<typeof import('./http-load.mjs').httpLoad>> & Usage & { cpuPerRequest: CpuPerRequest | null }} HttpResult */
/**
 * A scenario measured over HTTP against the service (ours), the framework-free server (bare), pgbench (sql).
 * @typedef {{ scenario: 'create' | 'update' | 'list' | 'list-filtered' | 'list-search' | 'list-offset' | 'get-one',
 *   ours: HttpResult, bare?: HttpResult, sql?: import('./paging.mjs').SqlResult }} HttpRow
 */
/**
 * @typedef {{ scenario: 'projection-lag', rate: number, ours: Usage & { cpuPerRequest: CpuPerRequest | null, requests: number, rps: number,
 *   p50Ms: number, p99Ms: number, p999Ms: number | null, non2xx: number, errors: number, events: number, applied: number, lagP50Ms: number,
 *   lagP99Ms: number, lagMaxMs: number, relayP50Ms: number, relayP99Ms: number } }} LagRow
 */
/** @typedef {import('./fixed-rate.mjs').FixedRateRow} FixedRateRow */
/** @typedef {HttpRow | LagRow | FixedRateRow | import('./history.mjs').HistoryRow | import('./paging.mjs').PagingRow} Row  one result row of a run */
/** @typedef {Row['scenario']} Scenario */
/**
 * The rows of scenario S.
 * @template {Scenario} S
 * @typedef {Row extends infer R ? R extends { scenario: infer T } ? S extends T ? R : never : never : never} RowOf
 */
/**
 * What the report's table reads of one measurement (each kind has some of these).
 * @typedef {{ rps?: number, p50Ms?: number, p99Ms?: number, serverCpuPct?: number | null, workersCpuPct?: number | null,
 *   postgresCpuPct?: number | null, serverRssMb?: number | null, workersRssMb?: number | null, non2xx?: number, failed?: number,
 *   cpuPerRequest?: CpuPerRequest | null }} Measured
 */
/** @typedef {{ scenario: string, target: string, actual: unknown, met: boolean | null }} Check */

/**
 * One target: `actualOf` reads a row's value (undefined: not measured), `passes` judges it (gets the row too).
 * @template {Row} R
 * @template A
 * @param {string} target
 * @param {(row: R) => A | undefined} actualOf
 * @param {(actual: A, row: R) => boolean} passes
 * @returns {(row: R) => Omit<Check, 'scenario'>}
 */
function target(target, actualOf, passes) {
  return (row) => {
    const actual = actualOf(row);
    return { target, actual: actual ?? null, met: actual === undefined ? null : passes(actual, row) };
  };
}

/** Targets: each a check over a scenario's row → { target, met, actual }. */
/** @type {{ [S in Scenario]?: ((row: RowOf<S>) => Omit<Check, 'scenario'>)[] }} */
const TARGETS = {
  create: [
    target('req/s ≥ 1.0× framework-free', (row) => ratio(row.ours?.rps, row.bare?.rps), (r) => r >= 1.0),
    target('p99 ≤ 1.2× framework-free', (row) => ratio(row.ours?.p99Ms, row.bare?.p99Ms), (r) => r <= 1.2),
    target('CPU per create: API ≤ 2.5 ms', (row) => row.ours?.cpuPerRequest?.server ?? undefined, (ms) => ms <= 2.5),
    target('CPU per create: workers (relay + projector) ≤ 1.5 ms', (row) => row.ours?.cpuPerRequest?.workers ?? undefined, (ms) => ms <= 1.5),
    target('CPU per create: PostgreSQL ≤ 4 ms', (row) => row.ours?.cpuPerRequest?.postgres, (ms) => ms <= 4),
    target('CPU per create: whole pipeline (API + workers + PostgreSQL + Kafka) ≤ 8 ms', (row) => row.ours?.cpuPerRequest?.total, (ms) => ms <= 8),
  ],
  list: [
    target('req/s ≥ 0.8× framework-free (same SQL)', (row) => ratio(row.ours?.rps, row.bare?.rps), (r) => r >= 0.8),
    target('CPU per request: API ≤ 0.8 ms', (row) => row.ours?.cpuPerRequest?.server ?? undefined, (ms) => ms <= 0.8),
    target('p99 ≤ 30 ms', (row) => row.ours?.p99Ms, (ms) => ms <= 30),
  ],
  'get-one': [target('CPU per request: API ≤ 0.35 ms', (row) => row.ours?.cpuPerRequest?.server ?? undefined, (ms) => ms <= 0.35)],
  'create-rate': [target('p99 ≤ 40 ms at 50 creates/s (open loop)', (row) => row.ours?.p99Ms, (ms) => ms <= 40)],
  'list-rate': [target('p99 ≤ 20 ms at 200 lists/s (open loop)', (row) => row.ours?.p99Ms, (ms) => ms <= 20)],
  'get-one-rate': [target('p99 ≤ 10 ms at 300 GETs/s (open loop)', (row) => row.ours?.p99Ms, (ms) => ms <= 10)],
  'list-filtered': [target('p99 ≤ 50 ms', (row) => row.ours?.p99Ms, (ms) => ms <= 50)],
  'list-search': [target('p99 ≤ 150 ms', (row) => row.ours?.p99Ms, (ms) => ms <= 150)],
  'list-offset': [target('p99 ≤ 100 ms', (row) => row.ours?.p99Ms, (ms) => ms <= 100)],
  'list-cursor': [
    target('service: a cursor page costs ≤ 1.3× page 1 (page-1 req/s ÷ cursor req/s)', (row) => ratio(row.ours?.rps, row.oursDeep?.rps), (r) => r <= 1.3),
    target('pgbench: a cursor page costs ≤ 1.3× page 1 (cursor ÷ page-1 mean latency, interleaved)', (row) => ratio(row.sqlDeep?.meanMs, row.sql?.meanMs), (r) => r <= 1.3),
  ],
  'list-walk': [
    target(
      'the cursor walk returns every customer once',
      (row) => row.cursor && `${row.cursor.rows} rows, ${row.cursor.distinct} distinct, total ${row.cursor.total}`,
      (_, row) => row.cursor.complete,
    ),
  ],
  'list-search-rate': [target('p99 ≤ 100 ms at a fixed arrival rate (open loop)', (row) => row.ours?.p99Ms, (ms) => ms <= 100)],
  history: [target('p99 ≤ 100 ms at a fixed arrival rate (open loop), a customer with 500 versions', (row) => row.ours?.p99Ms, (ms) => ms <= 100)],
  'projection-lag': [
    target(
      'lag p99 ≤ 150 ms at half the create rate sustained (open loop)',
      // An event never applied has no lag to rank, but it certainly misses the target.
      (row) => (row.ours && row.ours.applied < row.ours.events ? `${row.ours.events - row.ours.applied} events never applied` : row.ours?.lagP99Ms),
      (ms) => typeof ms === 'number' && ms <= 150,
    ),
  ],
};
const RSS_LIMIT_MB = 160;

/**
 * @param {number | undefined} a
 * @param {number | undefined} b
 */
function ratio(a, b) {
  return a === undefined || b === undefined || !b ? undefined : Math.round((a / b) * 100) / 100;
}

const FIXED_RATE = new Set(/** @type {string[]} */ (FIXED_RATE_SCENARIOS));
/**
 * @param {Row} row
 * @returns {row is FixedRateRow}
 */
const isFixedRate = (row) => FIXED_RATE.has(row.scenario);

const nameOf = (/** @type {Row} */ row) => (!('variant' in row) || row.variant === undefined ? row.scenario : `${row.scenario} ${row.variant}`);

/** The runs measured (some kinds of row have a run only when pgbench or the framework-free server ran). */
const measured = (/** @type {[string, Measured | undefined, Measured?][]} */ runs) =>
  /** @type {[string, Measured, Measured?][]} */ (runs.filter(([, result]) => result));

/**
 * A row's measurements: [who, result, the service's result of the same kind (for "ours ÷ this")].
 * @param {Row} row
 * @returns {[string, Measured, Measured?][]}
 */
function runsOf(row) {
  if (row.scenario === 'list-cursor') {
    return measured([
      ['service, page 1', row.ours], [`service, cursor at ${row.depth.toLocaleString('en')}`, row.oursDeep],
      // Interleaved in one run, each script has half of its transactions: no "ours ÷ this".
      ['pgbench, page 1 (interleaved)', row.sql], [`pgbench, cursor at ${row.depth.toLocaleString('en')} (interleaved)`, row.sqlDeep],
    ]);
  }
  if (row.scenario === 'list-search-rate' || row.scenario === 'history') {
    return measured([[`service at ${row.rate} req/s (open loop)`, row.ours], [`pgbench at ${row.rate} tx/s (open loop)`, 'sql' in row ? row.sql : undefined]]);
  }
  if (row.scenario === 'list-walk') return [['walk by cursor, cold', row.cold], ['walk by cursor', row.cursor], ['walk by offset', row.offset]];
  if (isFixedRate(row) || row.scenario === 'projection-lag') return [[`service at ${row.rate} req/s (open loop)`, row.ours]];
  return measured([['service', row.ours], ['framework-free', 'bare' in row ? row.bare : undefined, row.ours], ['pgbench (same SQL)', 'sql' in row ? row.sql : undefined, row.ours]]);
}

/**
 * @param {Row[]} results
 * @returns {Check[]}
 */
export function evaluate(results) {
  const checks = results.flatMap((row) =>
    // TARGETS[s] takes the rows of scenario s (TypeScript cannot relate the two through row.scenario).
    (/** @type {((row: Row) => Omit<Check, 'scenario'>)[] | undefined} */ (TARGETS[row.scenario]) ?? []).map((check) => ({ scenario: nameOf(row), ...check(row) })),
  );
  // Per process: the API process and the workers process (relay + projector) each; the
  // framework-free server's own RSS is not the service's.
  const peakRss = Math.max(0, ...results.flatMap(runsOf).flatMap(([who, run]) => [who === 'framework-free' ? 0 : run.serverRssMb ?? 0, run.workersRssMb ?? 0]));
  checks.push({ scenario: 'all', target: `service RSS ≤ ${RSS_LIMIT_MB} MB (each process)`, actual: peakRss, met: peakRss <= RSS_LIMIT_MB });
  return checks;
}

/**
 * @typedef {{ customers: number, counterparties: number, largestCounterparty: number, connections: number, seconds: number,
 *   warmUpSeconds: number, poolMax: number, pgbenchClients: number, searchTerm: string, node: string, cores: number, heapMb: number,
 *   cursorDepth: number, searchRate: number, searchRateTerms: string[], historyRate: number, historyVersions: number,
 *   serviceEnv?: Record<string, string> }} Setup
 */

/**
 * @param {{ root: string, results: Row[], setup: Setup }} run
 */
export function writeReport({ root, results, setup }) {
  const dir = path.join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const checks = evaluate(results);
  const json = path.join(dir, `${stamp}.json`);
  const markdown = path.join(dir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify({ at: new Date().toISOString(), setup, results, checks }, null, 2)}\n`);
  writeFileSync(markdown, toMarkdown({ setup, results, checks }));
  return [json, markdown];
}

const cell = (/** @type {unknown} */ value, unit = '') => (value === undefined || value === null ? '—' : `${value}${unit}`);

/** @param {{ setup: Setup, results: Row[], checks: Check[] }} run */
function toMarkdown({ setup, results, checks }) {
  const lines = [
    `# Benchmark ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${setup.customers.toLocaleString('en')} customers over ${setup.counterparties} counterparties (largest: ${setup.largestCounterparty.toLocaleString('en')}); ` +
      `${setup.connections} HTTP connections for ${setup.seconds} s after a ${setup.warmUpSeconds} s warm-up; pgbench ${setup.pgbenchClients} clients ` +
      `(= the service's pool); Node ${setup.node}. CPU in % of one core (this machine has ${setup.cores}) over the load alone (a write scenario's CPU ms below also count the time its events take to be worked off). ` +
      'The service runs as two processes (ADR 4): the API ("server"), and the relay + projector ("workers"). ' +
      `Every Node server runs with --max-old-space-size=${setup.heapMb ?? 'default'}.` +
      (setup.serviceEnv && Object.keys(setup.serviceEnv).length ? ` Service settings for this run: ${Object.entries(setup.serviceEnv).map(([name, value]) => `${name}=${value}`).join(' ')}.` : ''),
    '',
    '| scenario | who | req/s | p50 ms | p99 ms | server CPU | workers CPU | PostgreSQL CPU | server RSS MB | workers RSS MB | non-2xx / failed | ours ÷ this (req/s) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of results.filter((result) => result.scenario !== 'list-walk')) {
    for (const [name, r, ours] of runsOf(row)) {
      lines.push(
        `| ${nameOf(row)} | ${name} | ${cell(r.rps)} | ${cell(r.p50Ms)} | ${cell(r.p99Ms)} | ${cell(r.serverCpuPct, '%')} | ${cell(r.workersCpuPct, '%')} | ` +
          `${cell(r.postgresCpuPct, '%')} | ${cell(r.serverRssMb)} | ${cell(r.workersRssMb)} | ${cell(r.non2xx ?? r.failed)} | ${ours ? cell(ratio(ours.rps, r.rps)) : ''} |`,
      );
    }
    if (row.scenario === 'projection-lag') {
      lines.push(`| projection-lag | lag commit → read model | ${row.ours.applied}/${row.ours.events} events | ${row.ours.lagP50Ms} | ${row.ours.lagP99Ms} | | | | | | max ${row.ours.lagMaxMs} ms | |`);
      lines.push(`| projection-lag | of which commit → Kafka (relay) | | ${row.ours.relayP50Ms} | ${row.ours.relayP99Ms} | | | | | | | |`);
    }
  }
  lines.push(...cpuSection(results), ...fixedRateSection(results), ...cursorSection(results), ...walkSection(results), ...searchRateSection(results));
  lines.push('', '## Targets', '', '| scenario | target | this run | met |', '|---|---|---:|---|');
  for (const check of checks) lines.push(`| ${check.scenario} | ${check.target} | ${cell(check.actual)} | ${check.met === null ? 'not measured' : check.met ? 'yes' : '**no**'} |`);
  return `${lines.join('\n')}\n`;
}

/** @param {Row[]} results */
function cpuSection(results) {
  const lines = [
    '', '## CPU ms per request, per process', '',
    'CPU time each process spent over the measurement ÷ the requests served, net of what it burns idle (measured for 3 s ' +
      'before and 3 s after each measurement; the lower of the two is subtracted, and the two are in the JSON as ' +
      'idleMsPerSecond). Scenarios that write are measured until the relay and the projector have worked off their ' +
      'events, so "total" of a create is the whole pipeline\'s cost of one create: API, relay + projector, Kafka and ' +
      'PostgreSQL. The framework-free server\'s creates are published and projected by the service\'s workers too. ' +
      'Scenarios that walk pages or compare cursors (list-cursor, list-walk) report CPU in their own sections.', '',
    '| scenario | who | req/s | API (or server) | workers | PostgreSQL | Kafka | total |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const count = lines.length;
  for (const row of results) {
    for (const [who, run] of runsOf(row)) {
      const cpu = run.cpuPerRequest;
      if (cpu) lines.push(`| ${nameOf(row)} | ${who} | ${cell(run.rps)} | ${cell(cpu.server)} | ${cell(cpu.workers)} | ${cell(cpu.postgres)} | ${cell(cpu.kafka)} | ${cell(cpu.total)} |`);
    }
  }
  return lines.length > count ? lines : [];
}

/** @param {Row[]} results */
function fixedRateSection(results) {
  const rows = results.filter(isFixedRate);
  if (!rows.length) return [];
  const lines = [
    '', '## At fixed arrival rates (open loop)', '',
    'Poisson arrivals; each latency runs from the request\'s scheduled send to the end of its reply. mixed-rate: 35% list ' +
      'page 1, 35% GET one, 25% updates, 5% creates. p99.9 is "—" under 1,000 answers (it would be the maximum).', '',
    '| scenario | rate /s | sent / answered | p50 ms | p99 ms | p99.9 ms | max ms | non-2xx / errors | late sends (max ms) | in flight (max) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const r = row.ours;
    lines.push(`| ${row.scenario} | ${row.rate} | ${r.sent} / ${r.completed} | ${r.p50Ms} | ${r.p99Ms} | ${cell(r.p999Ms)} | ${r.maxMs} | ${r.non2xx} / ${r.errors} | ${r.sendLagMaxMs} | ${r.maxInFlight} |`);
    for (const [kind, k] of Object.entries(r.kinds ?? {})) {
      lines.push(`| ${row.scenario}: ${kind} | | ${k.completed} answered | ${k.p50Ms} | ${k.p99Ms} | ${cell(k.p999Ms)} | | | | |`);
    }
  }
  return lines;
}

/** @param {Row[]} results */
function cursorSection(results) {
  const rows = results.filter((row) => row.scenario === 'list-cursor');
  if (!rows.length) return [];
  const lines = [
    '', `## Cursor depth ${rows[0].depth.toLocaleString('en')} vs page 1`, '',
    'Same ordering, no filters, limit 50, with the total; measured side by side. Service: page 1 and the cursor page take ' +
      `turns, ${rows[0].rounds} rounds each; cost = page-1 req/s ÷ cursor req/s (time per request at saturation); CPU per request = ` +
      '(server + PostgreSQL CPU) ÷ req/s. pgbench: one run, each transaction page 1 or the cursor page at random; cost = cursor ÷ page-1 mean latency.', '',
    '| ordering | who | page 1: req/s, p50 / p99 ms | cursor: req/s, p50 / p99 ms | cost ratio | CPU ms per request, page 1 → cursor |',
    '|---|---|---:|---:|---:|---:|',
  ];
  // `?? 0`: as `+ null` did.
  const cpuMs = (/** @type {Measured & { rps: number }} */ r) => (r.serverCpuPct === undefined ? null : Math.round((((r.serverCpuPct ?? 0) + (r.postgresCpuPct ?? 0)) * 10) / r.rps * 100) / 100);
  for (const row of rows) {
    lines.push(`| ${row.variant} | service | ${row.ours.rps}, ${row.ours.p50Ms} / ${row.ours.p99Ms} | ${row.oursDeep.rps}, ${row.oursDeep.p50Ms} / ${row.oursDeep.p99Ms} | ` +
      `${cell(ratio(row.ours.rps, row.oursDeep.rps))} | ${cell(cpuMs(row.ours))} → ${cell(cpuMs(row.oursDeep))} |`);
    if (row.sql && row.sqlDeep) { // set together (paging.mjs)
      lines.push(`| ${row.variant} | pgbench (interleaved) | ${row.sql.rps}, ${row.sql.p50Ms} / ${row.sql.p99Ms} (mean ${row.sql.meanMs}) | ` +
        `${row.sqlDeep.rps}, ${row.sqlDeep.p50Ms} / ${row.sqlDeep.p99Ms} (mean ${row.sqlDeep.meanMs}) | ${cell(ratio(row.sqlDeep.meanMs, row.sql.meanMs))} | |`);
    }
  }
  return lines;
}

/** @param {Row[]} results */
function walkSection(results) {
  const row = results.find((result) => result.scenario === 'list-walk');
  if (!row) return [];
  const seconds = (/** @type {number} */ ms) => (ms / 1000).toFixed(1);
  /**
   * @param {string} name
   * @param {import('./paging.mjs').WalkRow['cold' | 'offset']} w
   * @param {string} note
   */
  const walk = (name, w, note) =>
    `| ${name} | ${w.pages} | ${w.rows.toLocaleString('en')} | ${seconds(w.wallMs)} | ${w.pageP50Ms} / ${w.pageP99Ms} | ${cell(w.serverCpuPct, '%')} | ${cell(w.postgresCpuPct, '%')} | ${note} |`;
  const { offset } = row;
  const offsetNote = offset.complete
    ? 'ended within the budget'
    : `stopped after ${seconds(offset.budgetMs)} s at page ${offset.pages} of ${offset.pagesNeeded}; whole walk extrapolated: **${seconds(offset.extrapolatedWallMs)} s** ` +
      `(fit over the pages done: ${offset.fit.msPerPage} ms + ${offset.fit.msPer10kOffset} ms per 10,000 of offset, per page)`;
  return [
    '', `## Full walk of the largest counterparty, limit ${row.limit}`, '',
    'One client, one page after another. CPU over the walk\'s wall time.', '',
    '| walk | pages | customers | wall s | page p50 / p99 ms | server CPU | PostgreSQL CPU | note |', '|---|---:|---:|---:|---:|---:|---:|---|',
    walk('by cursor, cold (first)', row.cold, `${row.cold.distinct.toLocaleString('en')} distinct of total ${row.cold.total.toLocaleString('en')}`),
    walk('by cursor', row.cursor, `${row.cursor.distinct.toLocaleString('en')} distinct of total ${row.cursor.total.toLocaleString('en')}`),
    walk('by offset', offset, offsetNote),
    '', `By offset ÷ by cursor (wall time, whole walk): ${cell(ratio(offset.extrapolatedWallMs, row.cursor.wallMs))}×.`,
  ];
}

/** @param {Row[]} results */
function searchRateSection(results) {
  const rows = results.filter((row) => row.scenario === 'list-search-rate');
  if (!rows.length) return [];
  const lines = [
    '', `## search_string at ${rows[0].rate} requests/s (open loop)`, '',
    'Poisson arrivals; latency from each request\'s scheduled time. pgbench runs the same page + total SQL with `--rate`.', '',
    '| search_string | total | who | sent / answered | p50 ms | p99 ms | max ms | non-2xx / failed | late sends (max ms) | in flight (max) |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const total = row.ours.total === null ? '—' : `${row.ours.totalRelation === 'gte' ? '≥ ' : ''}${row.ours.total.toLocaleString('en')}`;
    lines.push(`| ${row.variant} | ${total} | service | ${row.ours.sent} / ${row.ours.completed} | ${row.ours.p50Ms} | ${row.ours.p99Ms} | ${row.ours.maxMs} | ` +
      `${row.ours.non2xx + row.ours.errors} | ${row.ours.sendLagMaxMs} | ${row.ours.maxInFlight} |`);
    if (row.sql) lines.push(`| ${row.variant} | | pgbench | ${row.sql.transactions} | ${row.sql.p50Ms} | ${row.sql.p99Ms} | — | ${row.sql.failed} | | |`);
  }
  return lines;
}

// Issue 14's scenarios, on the largest counterparty: a page at cursor depth 50,000 against page
// 1 (service and pgbench on the same SQL), full walks by cursor and by offset, and search lists
// with their bounded total at a fixed arrival rate (open loop). Each returns its result rows.
import { httpLoad } from './http-load.mjs';
import { jsonClient, measuredOpenLoad } from './open-loop.mjs';
import { firstAfter, listPosition, listScript } from './sql-limits.mjs';
import { cursorWalk, offsetWalk } from './walks.mjs';

export const PAGING_SCENARIOS = ['list-cursor', 'list-walk', 'list-search-rate'];
export const CURSOR_DEPTH = 50_000;
/** The default ordering, and a text one (a nullable column: its keyset reads values, then NULLs). */
const CURSOR_ORDERINGS = ['-created_at', 'login'];
/** Page 1 and the cursor page take turns, --seconds ÷ ROUNDS each time, so a change in the machine's load hits both alike. */
const ROUNDS = 4;
const WALK_LIMIT = 500;
const OFFSET_WALK_BUDGET_MS = 60_000;
/**
 * Searched at a fixed rate: `an` matches every seeded customer (their logins end in
 * `@bank…example`), so its total stops at the cap; `kowal` (Kowalski, ~1 in 42) stays under the
 * cap, so its total is exact; `12345` (in a dozen logins' serial numbers) is rare: fewer
 * matches than a page.
 */
export const RATE_TERMS = ['an', 'kowal', '12345'];

/** @typedef {{ url: string, prefix: string, pid?: number, workersPid?: number }} Server  a started server */
/** @typedef {{ method: string, path: string, headers?: Record<string, string>, body?: string }} HttpRequest */
/** @typedef {ReturnType<ReturnType<typeof import('./measure.mjs').startMeasuring>['stop']>} Usage */
/** @typedef {Awaited<ReturnType<typeof import('./pgbench.mjs').runPgbench>> & Usage & { rps: number, cpuPerRequest?: import('./measure.mjs').CpuPerRequest | null }} SqlResult */
/**
 * @typedef {{ pgbench: string, databaseUrl: string, postmasterPid: number, script: string | string[],
 *   defines?: Record<string, string>, rate?: number }} SqlScenarioOptions
 */
/**
 * What run.mjs gives the paging scenarios.
 * @typedef {import('./open-loop.mjs').OpenLoadRun & {
 *   service: Server, token: string, largest: import('./seed.mjs').SeededCounterparty, pgbench: string | null,
 *   databaseUrl: string, postmasterPid: number, options: { seconds: number, connections: number, searchRate: number },
 *   listRequest: (query: string) => () => HttpRequest,
 *   withPrefix: (server: Server, request: HttpRequest) => HttpRequest,
 *   sqlScenario: (label: string, options: SqlScenarioOptions) => Promise<SqlResult>,
 *   withClient: <T>(databaseUrl: string, work: (client: import('pg').Client) => Promise<T>) => Promise<T>,
 * }} PagingRun
 */
/** @typedef {Awaited<ReturnType<typeof httpLoad>> & Usage & { seconds: number }} Round  one round of one load */
/** @typedef {ReturnType<typeof combine>} Combined */
/** @typedef {NonNullable<SqlResult['scripts']>[number] & { rps: number, failed: number }} ScriptResult */
/**
 * @typedef {{ scenario: 'list-cursor', variant: string, depth: number, rounds: number, ours: Combined, oursDeep: Combined,
 *   sql?: ScriptResult, sqlDeep?: ScriptResult, sqlBoth?: Omit<SqlResult, 'scripts'> }} CursorRow
 */
/** @typedef {Awaited<ReturnType<typeof walks>>[number]} WalkRow */
/**
 * @typedef {{ scenario: 'list-search-rate', variant: string, rate: number,
 *   ours: Awaited<ReturnType<typeof measuredOpenLoad>>['result'] & Usage & { rps: number, total: number | null, totalRelation: string | null },
 *   sql?: SqlResult }} SearchRateRow
 */
/** @typedef {CursorRow | WalkRow | SearchRateRow} PagingRow */

/**
 * @param {string} name  one of PAGING_SCENARIOS
 * @param {PagingRun} run  what run.mjs provides
 * @returns {Promise<PagingRow[]>}
 */
export function pagingScenario(name, run) {
  /** @type {Record<string, (run: PagingRun) => Promise<PagingRow[]>>} */
  const scenarios = { 'list-cursor': cursorDepth, 'list-walk': walks, 'list-search-rate': searchAtRate };
  return scenarios[name](run);
}

/**
 * Page 1 and the page a cursor at depth 50,000 names, same ordering and filters. The cursor is
 * the service's own: the next_cursor of `offset=depth-1&limit=1`. pgbench runs the keyset SQL
 * for the same position, read from the database as the service reads it; before measuring, one
 * request checks that both name the same next customer.
 *
 * Measured side by side, because this machine's load (other work shares its 2 cores) drifts
 * by more than the 1.3× to be checked between two 20 s runs: over HTTP the two take turns in
 * rounds (cost = page-1 req/s ÷ cursor req/s, 32 connections as the other lists); in pgbench
 * both scripts run in one run, each transaction one of them at random (cost = mean latency
 * ratio: they share the same clients, moments and load).
 */
async function cursorDepth(/** @type {PagingRun} */ run) {
  const depth = Math.min(CURSOR_DEPTH, Math.floor(run.largest.size / 2));
  /** @type {CursorRow[]} */
  const rows = [];
  for (const ordering of CURSOR_ORDERINGS) {
    const query = { ordering };
    const cursor = await serviceCursor(run, ordering, depth);
    const position = await run.withClient(run.databaseUrl, (client) => listPosition(client, run.largest.guid, query, depth));
    await sameNextCustomer(run, ordering, cursor, position);
    const label = `list-cursor ${ordering}`;
    const [ours, oursDeep] = await takingTurns(run, label, [
      ['page 1', run.listRequest(`ordering=${ordering}`)],
      [`cursor at ${depth}`, run.listRequest(`ordering=${ordering}&cursor=${encodeURIComponent(cursor)}`)],
    ]);
    /** @type {CursorRow} */
    const row = { scenario: 'list-cursor', variant: ordering, depth, rounds: ROUNDS, ours, oursDeep };
    if (run.pgbench) {
      const pages = [listScript(run.largest.guid, query, undefined, 'a'), listScript(run.largest.guid, query, position, 'b')];
      const { scripts, ...both } = await run.sqlScenario(`${label} page 1 and cursor at ${depth}, interleaved · pgbench`, {
        pgbench: run.pgbench, databaseUrl: run.databaseUrl, postmasterPid: run.postmasterPid,
        script: pages.map((page) => page.script), defines: Object.assign({}, ...pages.map((page) => page.defines)),
      });
      if (!scripts) throw new Error(`${label}: pgbench reported no per-script results`); // it does for a list of scripts
      [row.sql, row.sqlDeep] = scripts.map((script) => ({ ...script, rps: script.tps, failed: both.failed }));
      row.sqlBoth = both;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Each load in turn for ROUNDS rounds after a warm-up each; returns each one's combined result.
 * @param {PagingRun} run
 * @param {string} label
 * @param {[string, () => HttpRequest][]} loads  name, next request
 */
async function takingTurns(run, label, loads) {
  await run.quiesce();
  const load = (/** @type {() => HttpRequest} */ next, /** @type {number} */ seconds) => httpLoad({ baseUrl: run.service.url, next: () => run.withPrefix(run.service, next()), connections: run.options.connections, seconds });
  for (const [name, next] of loads) {
    run.log(`${label} ${name} · service: warm-up ${run.warmUpSeconds} s`);
    await load(next, run.warmUpSeconds);
  }
  const seconds = Math.max(1, Math.round(run.options.seconds / ROUNDS));
  const parts = loads.map(() => /** @type {Round[]} */ ([]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [n, [name, next]] of loads.entries()) {
      run.log(`${label} ${name} · service: round ${round} of ${ROUNDS}, ${run.options.connections} connections, ${seconds} s`);
      const measuring = run.measure();
      const result = await load(next, seconds);
      parts[n].push({ ...result, ...measuring.stop(), seconds });
    }
  }
  return parts.map((rounds, n) => {
    const combined = combine(rounds);
    run.log(`${label} ${loads[n][0]} · service: ${combined.rps} req/s, p50 ${combined.p50Ms} ms, p99 ${combined.p99Ms} ms, non-2xx ${combined.non2xx}, errors ${combined.errors}`);
    return combined;
  });
}

/**
 * Rounds of one load as one result: req/s over all, p50 weighted by requests, p99 the worst round's, CPU the mean.
 * @param {Round[]} rounds
 */
function combine(rounds) {
  /** @typedef {'serverCpuPct' | 'workersCpuPct' | 'postgresCpuPct' | 'loadAvg1m'} MeanKey */
  // `?? 0`: as `+ null` did (mean sums only when no round has null).
  const sum = (/** @type {'requests' | 'seconds' | 'non2xx' | 'errors' | MeanKey} */ key) => rounds.reduce((total, round) => total + (round[key] ?? 0), 0);
  const mean = (/** @type {MeanKey} */ key) => (rounds.some((round) => round[key] === null) ? null : Math.round((sum(key) / rounds.length) * 10) / 10);
  const requests = sum('requests');
  return {
    requests,
    rps: Math.round(requests / sum('seconds')),
    p50Ms: Math.round((rounds.reduce((total, round) => total + round.p50Ms * round.requests, 0) / requests) * 100) / 100,
    p99Ms: Math.max(...rounds.map((round) => round.p99Ms)),
    maxMs: Math.max(...rounds.map((round) => round.maxMs)),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    serverCpuPct: mean('serverCpuPct'),
    workersCpuPct: mean('workersCpuPct'),
    postgresCpuPct: mean('postgresCpuPct'),
    // `?? 0`: Math.max reads a null as 0.
    serverRssMb: Math.max(...rounds.map((round) => round.serverRssMb ?? 0)),
    workersRssMb: Math.max(...rounds.map((round) => round.workersRssMb ?? 0)),
    loadAvg1m: mean('loadAvg1m'),
    rounds: rounds.map(({ rps, p50Ms, p99Ms }) => ({ rps, p50Ms, p99Ms })),
  };
}

/** @typedef {{ customers?: { customer_guid: string }[], next_cursor?: string | null }} ListReply  the list's documented shape */

/**
 * @param {PagingRun} run
 * @param {string} ordering
 * @param {number} depth
 * @returns {Promise<string>}
 */
async function serviceCursor(run, ordering, depth) {
  return withService(run, async (client, path) => {
    const page = await client.get(`${path}?ordering=${ordering}&offset=${depth - 1}&limit=1`);
    const json = /** @type {ListReply} */ (page.json);
    if (page.status !== 200 || !json.next_cursor) throw new Error(`list-cursor: no cursor at ${depth} (${page.status})`);
    return json.next_cursor;
  });
}

/**
 * @param {PagingRun} run
 * @param {string} ordering
 * @param {string} cursor
 * @param {Awaited<ReturnType<typeof listPosition>>} position
 */
async function sameNextCustomer(run, ordering, cursor, position) {
  const overHttp = await withService(run, async (client, path) => /** @type {ListReply} */ ((await client.get(`${path}?ordering=${ordering}&limit=1&cursor=${encodeURIComponent(cursor)}`)).json));
  const bySql = await run.withClient(run.databaseUrl, (client) => firstAfter(client, run.largest.guid, { ordering }, position));
  if (overHttp.customers?.[0]?.customer_guid !== bySql) {
    throw new Error(`list-cursor ${ordering}: the service's cursor and the database's position name different pages (${JSON.stringify(overHttp).slice(0, 200)})`);
  }
}

/**
 * The largest counterparty's whole list, limit 500: by cursor once unmeasured (it brings the
 * counterparty's pages into memory), then measured; then by offset, stopped after 60 s and
 * extrapolated (walks.mjs) if it has not ended by then.
 */
async function walks(/** @type {PagingRun} */ run) {
  return withService(run, async (client, path) => {
    /**
     * @template T
     * @param {string} label
     * @param {() => Promise<T>} work
     */
    const walk = async (label, work) => {
      await run.quiesce();
      run.log(`list-walk: ${label}`);
      const measuring = run.measure();
      const result = await work();
      return { ...result, ...measuring.stop() };
    };
    const cold = await walk('by cursor, limit 500 (warming the cache)', () => cursorWalk({ client, path, limit: WALK_LIMIT }));
    const cursor = await walk('by cursor, limit 500', () => cursorWalk({ client, path, limit: WALK_LIMIT }));
    run.log(`list-walk: by cursor ${cursor.pages} pages, ${cursor.rows} of ${cursor.total} customers (${cursor.distinct} distinct) in ${cursor.wallMs} ms (cold: ${cold.wallMs} ms)`);
    const offset = await walk(`by offset, limit 500, for at most ${OFFSET_WALK_BUDGET_MS / 1000} s`, () =>
      offsetWalk({ client, path, limit: WALK_LIMIT, total: cursor.total, budgetMs: OFFSET_WALK_BUDGET_MS }),
    );
    run.log(`list-walk: by offset ${offset.pages} of ${offset.pagesNeeded} pages in ${offset.wallMs} ms; whole walk ${offset.complete ? '' : 'extrapolated '}${offset.extrapolatedWallMs} ms`);
    return [{ scenario: /** @type {const} */ ('list-walk'), limit: WALK_LIMIT, cold, cursor, offset }];
  });
}

/**
 * A search list with its total at `--search-rate` requests per second (open loop, open-loop.mjs),
 * each term in turn; then pgbench at the same rate (`--rate`) on the same SQL.
 */
async function searchAtRate(/** @type {PagingRun} */ run) {
  /** @type {SearchRateRow[]} */
  const rows = [];
  const rate = run.options.searchRate;
  for (const term of RATE_TERMS) {
    const label = `list-search-rate "${term}"`;
    const request = run.listRequest(`search_string=${encodeURIComponent(term)}`);
    const load = { baseUrl: run.service.url, next: () => run.withPrefix(run.service, request()), rate };
    const { result, usage, firstBody } = await measuredOpenLoad(run, label, load);
    /** @type {{ total?: number | null, total_relation?: string | null }} the list's documented shape */
    const { total = null, total_relation: totalRelation = null } = firstBody ? JSON.parse(firstBody) : {};
    run.log(`${label}: ${result.completed}/${result.sent} answered, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms; total ${totalRelation} ${total}`);
    /** @type {SearchRateRow} */
    const row = { scenario: 'list-search-rate', variant: term, rate, ours: { ...result, rps: result.rate, ...usage, total, totalRelation } };
    if (run.pgbench) {
      row.sql = await run.sqlScenario(`${label} · pgbench at ${rate} tx/s`, {
        pgbench: run.pgbench, databaseUrl: run.databaseUrl, postmasterPid: run.postmasterPid, rate, ...listScript(run.largest.guid, { search_string: term }),
      });
    }
    rows.push(row);
  }
  return rows;
}

/**
 * One keep-alive client of the service as the largest counterparty's employee, and its list path.
 * @template T
 * @param {PagingRun} run
 * @param {(client: import('./walks.mjs').JsonClient, path: string) => Promise<T>} work
 * @returns {Promise<T>}
 */
async function withService(run, work) {
  const client = jsonClient({ baseUrl: run.service.url, headers: { authorization: run.token } });
  try {
    return await work(client, `${run.service.prefix}/counterparty/${run.largest.guid}/customers`);
  } finally {
    client.close();
  }
}

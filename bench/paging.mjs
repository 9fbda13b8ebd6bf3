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

/**
 * @param {string} name  one of PAGING_SCENARIOS
 * @param {object} run  what run.mjs provides: service, token, largest, pgbench, databaseUrl, postmasterPid, options,
 *   warmUpSeconds, listRequest, withPrefix, sqlScenario, quiesce, withClient, measure, log
 */
export function pagingScenario(name, run) {
  return { 'list-cursor': cursorDepth, 'list-walk': walks, 'list-search-rate': searchAtRate }[name](run);
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
async function cursorDepth(run) {
  const depth = Math.min(CURSOR_DEPTH, Math.floor(run.largest.size / 2));
  const rows = [];
  for (const ordering of CURSOR_ORDERINGS) {
    const query = { ordering };
    const cursor = await serviceCursor(run, ordering, depth);
    const position = await run.withClient(run.databaseUrl, (client) => listPosition(client, run.largest.guid, query, depth));
    await sameNextCustomer(run, ordering, cursor, position);
    const row = { scenario: 'list-cursor', variant: ordering, depth, rounds: ROUNDS };
    const label = `list-cursor ${ordering}`;
    [row.ours, row.oursDeep] = await takingTurns(run, label, [
      ['page 1', run.listRequest(`ordering=${ordering}`)],
      [`cursor at ${depth}`, run.listRequest(`ordering=${ordering}&cursor=${encodeURIComponent(cursor)}`)],
    ]);
    if (run.pgbench) {
      const pages = [listScript(run.largest.guid, query, undefined, 'a'), listScript(run.largest.guid, query, position, 'b')];
      const { scripts, ...both } = await run.sqlScenario(`${label} page 1 and cursor at ${depth}, interleaved · pgbench`, {
        pgbench: run.pgbench, databaseUrl: run.databaseUrl, postmasterPid: run.postmasterPid,
        script: pages.map((page) => page.script), defines: Object.assign({}, ...pages.map((page) => page.defines)),
      });
      [row.sql, row.sqlDeep] = scripts.map((script) => ({ ...script, rps: script.tps, failed: both.failed }));
      row.sqlBoth = both;
    }
    rows.push(row);
  }
  return rows;
}

/** Each load in turn for ROUNDS rounds after a warm-up each; returns each one's combined result. */
async function takingTurns(run, label, loads) {
  await run.quiesce();
  const load = (next, seconds) => httpLoad({ baseUrl: run.service.url, next: () => run.withPrefix(run.service, next()), connections: run.options.connections, seconds });
  for (const [name, next] of loads) {
    run.log(`${label} ${name} · service: warm-up ${run.warmUpSeconds} s`);
    await load(next, run.warmUpSeconds);
  }
  const seconds = Math.max(1, Math.round(run.options.seconds / ROUNDS));
  const parts = loads.map(() => []);
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

/** Rounds of one load as one result: req/s over all, p50 weighted by requests, p99 the worst round's, CPU the mean. */
function combine(rounds) {
  const sum = (key) => rounds.reduce((total, round) => total + round[key], 0);
  const mean = (key) => (rounds.some((round) => round[key] === null) ? null : Math.round((sum(key) / rounds.length) * 10) / 10);
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
    serverRssMb: Math.max(...rounds.map((round) => round.serverRssMb)),
    workersRssMb: Math.max(...rounds.map((round) => round.workersRssMb)),
    loadAvg1m: mean('loadAvg1m'),
    rounds: rounds.map(({ rps, p50Ms, p99Ms }) => ({ rps, p50Ms, p99Ms })),
  };
}

async function serviceCursor(run, ordering, depth) {
  return withService(run, async (client, path) => {
    const page = await client.get(`${path}?ordering=${ordering}&offset=${depth - 1}&limit=1`);
    if (page.status !== 200 || !page.json.next_cursor) throw new Error(`list-cursor: no cursor at ${depth} (${page.status})`);
    return page.json.next_cursor;
  });
}

async function sameNextCustomer(run, ordering, cursor, position) {
  const overHttp = await withService(run, async (client, path) => (await client.get(`${path}?ordering=${ordering}&limit=1&cursor=${encodeURIComponent(cursor)}`)).json);
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
async function walks(run) {
  return withService(run, async (client, path) => {
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
    return [{ scenario: 'list-walk', limit: WALK_LIMIT, cold, cursor, offset }];
  });
}

/**
 * A search list with its total at `--search-rate` requests per second (open loop, open-loop.mjs),
 * each term in turn; then pgbench at the same rate (`--rate`) on the same SQL.
 */
async function searchAtRate(run) {
  const rows = [];
  const rate = run.options.searchRate;
  for (const term of RATE_TERMS) {
    const label = `list-search-rate "${term}"`;
    const request = run.listRequest(`search_string=${encodeURIComponent(term)}`);
    const load = { baseUrl: run.service.url, next: () => run.withPrefix(run.service, request()), rate };
    const { result, usage, firstBody } = await measuredOpenLoad(run, label, load);
    const { total = null, total_relation: totalRelation = null } = firstBody ? JSON.parse(firstBody) : {};
    run.log(`${label}: ${result.completed}/${result.sent} answered, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms; total ${totalRelation} ${total}`);
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

/** One keep-alive client of the service as the largest counterparty's employee, and its list path. */
async function withService(run, work) {
  const client = jsonClient({ baseUrl: run.service.url, headers: { authorization: run.token } });
  try {
    return await work(client, `${run.service.prefix}/counterparty/${run.largest.guid}/customers`);
  } finally {
    client.close();
  }
}

// Issue 18's scenario: the history of one customer with 500 versions (created, then 499 updates
// by the API), read at a fixed arrival rate (open loop, open-loop.mjs): the first page newest
// first (what a support screen shows), the whole history in one page, and a filtered page; and,
// at the same rate, GET of the same customer: a baseline measured in the same conditions (this
// machine's load from other work moves absolute latencies by more than the differences).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ISSUER } from './compiled.mjs';
import { measuredOpenLoad } from './open-loop.mjs';

export const HISTORY_SCENARIO = 'history';
export const HISTORY_VERSIONS = 500;
/** Variant → the path after the customer's. */
const VARIANTS = {
  'page 1': '/history?limit=50',
  'all 500': '/history?limit=500',
  'fields + actor': '/history?fields=kyc_level&actor=bench-employee&limit=50',
  'GET one (baseline)': '',
};
const PROJECTION_WAIT_MS = 60_000;

/**
 * What run.mjs gives this scenario.
 * @typedef {import('./open-loop.mjs').OpenLoadRun & {
 *   service: { prefix: string, url: string }, token: string, largest: { guid: string },
 *   options: { seconds: number, historyRate: number },
 * }} HistoryRun
 */
/**
 * One variant's result row.
 * @typedef {{ scenario: 'history', variant: string, rate: number,
 *   ours: Awaited<ReturnType<typeof measuredOpenLoad>>['result'] & import('./paging.mjs').Usage
 *     & { rps: number, events: number | null, total: number | null } }} HistoryRow
 */

/**
 * @param {HistoryRun} run
 */
export async function historyScenario(run) {
  const base = `${run.service.prefix}/counterparty/${run.largest.guid}/customers`;
  const customer = await customerWithVersions(run, base);
  const rate = run.options.historyRate;
  /** @type {HistoryRow[]} */
  const rows = [];
  for (const [variant, suffix] of Object.entries(VARIANTS)) {
    const label = `history ${variant}`;
    const load = {
      baseUrl: run.service.url, rate,
      next: () => ({ path: `${base}/${customer}${suffix}`, headers: { authorization: run.token } }),
    };
    const { result, usage, firstBody } = await measuredOpenLoad(run, label, load);
    const body = firstBody ? JSON.parse(firstBody) : null;
    const events = body?.history?.length ?? null;
    run.log(`${label}: ${result.completed}/${result.sent} answered, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms; ${events} events of ${body?.total}`);
    rows.push({ scenario: HISTORY_SCENARIO, variant, rate, ours: { ...result, rps: result.rate, ...usage, events, total: body?.total ?? null } });
  }
  return rows;
}

/** Creates a customer of the largest counterparty and updates it until it has HISTORY_VERSIONS versions; waits until its history holds them all. */
/**
 * @param {HistoryRun} run
 * @param {string} base
 * @returns {Promise<string>} its guid
 */
async function customerWithVersions(run, base) {
  const url = (/** @type {string} */ path) => new URL(`${base}${path}`, run.service.url);
  const headers = { authorization: run.token, 'content-type': 'application/json' };
  const created = await fetch(url(''), {
    method: 'POST', headers,
    body: JSON.stringify({ asset_code: 'EURC', asset_issuer: ISSUER, login: `history.${randomUUID()}@bench.example`, name: 'Ada', surname: 'Kowalska' }),
  });
  if (created.status !== 200) throw new Error(`history: create answered ${created.status}`);
  const { customer_guid: customer } = /** @type {{ customer_guid: string }} */ (await created.json());
  run.log(`history: writing ${HISTORY_VERSIONS} versions of customer ${customer}`);
  for (let version = 2; version <= HISTORY_VERSIONS; version++) {
    // Each update changes something: the status always, the KYC level every fifth time.
    const body = { status: `review-${version}`, ...(version % 5 === 0 ? { kyc_level: (version / 5) % 4 } : {}) };
    const reply = await fetch(url(`/${customer}`), { method: 'PUT', headers, body: JSON.stringify(body) });
    if (reply.status !== 200) throw new Error(`history: update to version ${version} answered ${reply.status}`);
    await reply.arrayBuffer();
  }
  const deadline = Date.now() + PROJECTION_WAIT_MS;
  for (;;) {
    const reply = await fetch(url(`/${customer}/history?min_version=${HISTORY_VERSIONS}&limit=1`), { headers });
    await reply.arrayBuffer();
    if (reply.status === 200) return customer;
    if (reply.status !== 503 || Date.now() > deadline) throw new Error(`history: version ${HISTORY_VERSIONS} not projected (${reply.status})`);
    await sleep(100);
  }
}

// HTTP requests for the scenarios autocannon cannot drive: an open-loop load at a fixed arrival
// rate, and single requests whose reply the scenario reads (walks, cursors).
//
// Why not autocannon's `overallRate`: autocannon 9 splits the rate over its connections, and
// each connection sends its share of a second back to back, each request after the previous
// reply, then pauses until the next one-second tick. That is a closed loop with a budget: the
// whole second's requests arrive in a burst at its start, and a slow server lowers the rate
// instead of queueing requests, so the latencies miss the wait a real client would see.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { measuredLoad } from './measure.mjs';

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One request of a load; `kind` (optional) names its kind in a mixed load, whose latencies are
 * then also reported per kind. A body is sent as JSON.
 * @typedef {{ method?: string, path: string, headers?: Record<string, string>, body?: string, kind?: string }} GetRequest
 */
/** @typedef {{ completed: number, p50Ms: number, p99Ms: number, p999Ms: number | null }} KindLatency */
/**
 * What run.mjs gives a scenario that measures an open-loop load.
 * @typedef {object} OpenLoadRun
 * @property {() => Promise<void>} quiesce  waits until the previous scenario's events are worked off
 * @property {Parameters<typeof import('./measure.mjs').startMeasuring>[0]} pids  the processes measured
 * @property {() => ReturnType<typeof import('./measure.mjs').startMeasuring>} measure
 * @property {(line: string) => void} log
 * @property {number} warmUpSeconds
 * @property {{ seconds: number }} options
 */

/**
 * Sends `rate` requests per second for `seconds`, each at its scheduled time whether or not
 * earlier ones have been answered (one connection each when needed). Arrivals are a Poisson
 * process, as pgbench's `--rate` schedules them, so the service and its SQL limit see the same
 * arrival pattern. A request's latency runs from its scheduled time to the end of its reply, so
 * any delay in sending it (the generator itself falling behind) counts against it too. p99.9 is
 * null under 1,000 answers (it would only be the maximum again).
 * @param {{ baseUrl: string, next: () => GetRequest, rate: number, seconds: number }} options
 * @returns {Promise<{ sent: number, completed: number, rate: number, p50Ms: number, p99Ms: number, p999Ms: number | null, maxMs: number,
 *   non2xx: number, errors: number, statuses: Record<string, number>, sendLagMaxMs: number, maxInFlight: number, firstBody: string | null,
 *   kinds?: Record<string, KindLatency> }>}
 */
export async function openLoad({ baseUrl, next, rate, seconds }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  /** @type {number[]} */
  const latencies = [];
  /** @type {Map<string, number[]>} */
  const byKind = new Map();
  /** @type {Record<string, number>} */
  const statuses = {};
  /** @type {[number, number, number, number, string | null]} */
  let [errors, inFlight, maxInFlight, sendLagMaxMs, firstBody] = [0, 0, 0, 0, null];
  const replies = [];
  const started = performance.now();
  for (let at = nextArrival(0, rate); at < seconds * 1000; at = nextArrival(at, rate)) {
    const scheduled = started + at;
    const wait = scheduled - performance.now();
    if (wait > 0) await sleep(wait);
    sendLagMaxMs = Math.max(sendLagMaxMs, performance.now() - scheduled);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const request = next();
    replies.push(
      getText(agent, baseUrl, request).then(
        ({ status, body }) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 200 && status < 300) {
            const latency = performance.now() - scheduled;
            latencies.push(latency);
            if (request.kind !== undefined) {
              const ofKind = byKind.get(request.kind) ?? [];
              ofKind.push(latency);
              byKind.set(request.kind, ofKind);
            }
            firstBody ??= body;
          }
        },
        () => (errors += 1),
      ).finally(() => (inFlight -= 1)),
    );
  }
  await Promise.all(replies);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  /** @type {Record<string, KindLatency>} */
  const kinds = {};
  for (const [kind, values] of byKind) {
    values.sort((a, b) => a - b);
    kinds[kind] = { completed: values.length, p50Ms: percentile(values, 0.5), p99Ms: percentile(values, 0.99), p999Ms: tailOf(values) };
  }
  const non2xx = Object.entries(statuses).filter(([status]) => !status.startsWith('2')).reduce((sum, [, count]) => sum + count, 0);
  return {
    sent: replies.length,
    completed: latencies.length,
    rate: Math.round((replies.length / seconds) * 10) / 10,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    p999Ms: tailOf(latencies),
    maxMs: percentile(latencies, 1),
    non2xx,
    errors,
    statuses,
    sendLagMaxMs: round(sendLagMaxMs),
    maxInFlight,
    firstBody,
    ...(byKind.size ? { kinds } : {}),
  };
}

/**
 * A scenario's open-loop measurement (measure.mjs's measuredLoad): a warm-up, then `--seconds` at
 * `load.rate` with the processes' CPU and memory measured. With `writes`, the measurement goes
 * on until the relay and the projector have worked off the events the load caused, so its CPU
 * per request is the whole pipeline's.
 * @param {OpenLoadRun} run  run.mjs's helpers
 * @param {string} label
 * @param {{ baseUrl: string, next: () => GetRequest, rate: number, writes?: boolean }} load
 */
export async function measuredOpenLoad(run, label, { writes = false, ...load }) {
  const { result: { firstBody, ...result }, usage } = await measuredLoad({
    pids: run.pids, quiesce: run.quiesce, log: run.log, label,
    warmUp: () => {
      run.log(`${label}: warm-up ${run.warmUpSeconds} s at ${load.rate} req/s`);
      return openLoad({ ...load, seconds: run.warmUpSeconds });
    },
    load: () => {
      run.log(`${label}: ${load.rate} req/s for ${run.options.seconds} s (open loop)`);
      return openLoad({ ...load, seconds: run.options.seconds });
    },
    drain: writes ? run.quiesce : undefined,
    served: (done) => done.completed,
  });
  run.log(`${label}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, p99.9 ${result.p999Ms === null ? '— (under 1,000 answers)' : `${result.p999Ms} ms`}, non-2xx ${result.non2xx}, errors ${result.errors}`);
  return { result, usage, firstBody };
}

/**
 * Exponential gaps: a Poisson process of `rate` per second.
 * @param {number} at
 * @param {number} rate
 */
function nextArrival(at, rate) {
  return at - (Math.log(1 - Math.random()) * 1000) / rate;
}

/**
 * A client for one request at a time (walks, cursors): `get(path)` → { status, json, ms }, the
 * time running from sending the request to the end of its parsed reply (`json`: what the
 * service answered, read by the caller as the endpoint's documented shape).
 * @param {{ baseUrl: string, headers?: Record<string, string> }} options
 */
export function jsonClient({ baseUrl, headers }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    /**
     * @param {string} path
     * @returns {Promise<{ status: number, json: unknown, ms: number }>}
     */
    async get(path) {
      const startedAt = performance.now();
      const { status, body } = await getText(agent, baseUrl, { path, headers });
      const json = JSON.parse(body);
      return { status, json, ms: performance.now() - startedAt };
    },
    close: () => agent.destroy(),
  };
}

/**
 * @param {http.Agent} agent
 * @param {string} baseUrl
 * @param {GetRequest} request
 * @returns {Promise<{ status: number, body: string }>}
 */
function getText(agent, baseUrl, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const sent = body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    const request = http.request(new URL(path, baseUrl), { method, agent, headers: sent, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      /** @type {Buffer[]} */
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: /** @type {number} an http.get response has one */ (response.statusCode), body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no reply in ${REQUEST_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * The value at `share` of sorted `values` (nearest rank), in ms with two decimals; NaN when empty.
 * @param {readonly number[]} sorted
 * @param {number} share
 */
export function percentile(sorted, share) {
  if (!sorted.length) return NaN;
  return round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]);
}

/** Answers below which p99.9 is not reported: with fewer, the rank p99.9 picks is the maximum. */
const P999_MIN_SAMPLES = 1000;

/**
 * p99.9 of sorted `values`, or null when there are too few for it to be more than the maximum.
 * @param {readonly number[]} sorted
 */
function tailOf(sorted) {
  return sorted.length < P999_MIN_SAMPLES ? null : percentile(sorted, 0.999);
}

const round = (/** @type {number} */ ms) => Math.round(ms * 100) / 100;

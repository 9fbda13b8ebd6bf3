// Fixed-rate scenarios (issue 20): the service at an arrival rate well under what it sustains,
// as real clients load it, with the latency a client sees at p50, p99 and p99.9. Open loop
// (open-loop.mjs): Poisson arrivals, each request timed from its scheduled send, so a slow reply
// delays no later request and queueing shows in the tail.
//
//   create-rate   creates at 50/s
//   list-rate     list page 1 (limit 50, with the total) of the largest counterparty at 200/s
//   get-one-rate  GET one of a random sampled customer at 300/s
//   mixed-rate    200/s: 70% reads (35% list page 1, 35% GET one), 25% updates, 5% creates
//
// Loads that write are measured until the relay and the projector have worked off their events,
// so the CPU per request of a create is the whole pipeline's (API, relay + projector, Kafka,
// PostgreSQL).
import { measuredOpenLoad } from './open-loop.mjs';

/** @typedef {'create' | 'update' | 'list' | 'get-one'} RequestKind */
/** @typedef {'create-rate' | 'list-rate' | 'get-one-rate' | 'mixed-rate'} FixedRateScenario */

/** Each scenario's arrival rate (requests/s) and its mix of requests (weights in %). */
export const FIXED_RATES = /** @type {const} */ ({
  'create-rate': { rate: 50, mix: { create: 100 } },
  'list-rate': { rate: 200, mix: { list: 100 } },
  'get-one-rate': { rate: 300, mix: { 'get-one': 100 } },
  'mixed-rate': { rate: 200, mix: { list: 35, 'get-one': 35, update: 25, create: 5 } },
});
export const FIXED_RATE_SCENARIOS = /** @type {FixedRateScenario[]} */ (Object.keys(FIXED_RATES));

/**
 * @typedef {{ scenario: FixedRateScenario, rate: number, mix: Partial<Record<RequestKind, number>>,
 *   ours: Awaited<ReturnType<typeof measuredOpenLoad>>['result'] & Awaited<ReturnType<typeof measuredOpenLoad>>['usage'] & { rps: number } }} FixedRateRow
 */

/**
 * @param {FixedRateScenario} name
 * @param {import('./open-loop.mjs').OpenLoadRun} run  run.mjs's helpers
 * @param {{ baseUrl: string, requests: Record<RequestKind, () => import('./open-loop.mjs').GetRequest> }} service  each kind's next request (with the API prefix)
 * @returns {Promise<FixedRateRow>}
 */
export async function fixedRateScenario(name, run, { baseUrl, requests }) {
  const { rate, mix } = FIXED_RATES[name];
  const kinds = /** @type {[RequestKind, number][]} */ (Object.entries(mix));
  const mixed = kinds.length > 1;
  const next = () => {
    let pick = Math.random() * 100;
    const [kind] = kinds.find(([, weight]) => (pick -= weight) < 0) ?? kinds[kinds.length - 1];
    const request = requests[kind]();
    return mixed ? { ...request, kind } : request;
  };
  const writes = kinds.some(([kind]) => kind === 'create' || kind === 'update');
  const { result, usage } = await measuredOpenLoad(run, `${name} · service`, { baseUrl, next, rate, writes });
  return { scenario: name, rate, mix, ours: { ...result, ...usage, rps: result.rate } };
}

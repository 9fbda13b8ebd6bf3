// HTTP load with autocannon: a fixed number of connections for a fixed time (or a fixed rate),
// each request built by the scenario (fresh login, random customer, …).
import autocannon from 'autocannon';

/**
 * @param {object} options
 * @param {string} options.baseUrl
 * @param {() => { method: string, path: string, headers?: Record<string, string>, body?: string }} options.next  builds one request
 * @param {number} options.connections
 * @param {number} options.seconds
 * @param {number} [options.rate]  requests per second over all connections (open-loop pacing)
 * @returns {Promise<{ requests: number, rps: number, p50Ms: number, p99Ms: number, maxMs: number, errors: number, non2xx: number, statuses: Record<string, number> }>}
 */
export async function httpLoad({ baseUrl, next, connections, seconds, rate }) {
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    // Each request is built anew on its connection just before it is sent.
    requests: [{ setupRequest: (request) => ({ ...request, ...withJsonHeaders(next()) }) }],
  });
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  return {
    requests: result.requests.total,
    rps: Math.round(result.requests.total / seconds),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses,
  };
}

/**
 * @param {import('autocannon').Request} request
 * @returns {import('autocannon').Request}
 */
function withJsonHeaders(request) {
  return request.body === undefined ? request : { ...request, headers: { ...request.headers, 'content-type': 'application/json' } };
}

// Full walks of one counterparty's customer list, one page after another as an integrator's
// export job would run them: by cursor to the end, and by offset for comparison, bounded in time.
import { percentile } from './open-loop.mjs';

/** @typedef {ReturnType<import('./open-loop.mjs').jsonClient>} JsonClient */
/** A page of the customer list as the walks read it. */
/** @typedef {{ total: number, customers: { customer_guid: string }[], next_cursor: string | null }} ListPage */

/**
 * Follows `next_cursor` from the first page to null. Checks the walk's promise on the way: every
 * customer once (nothing writes meanwhile, so the walk must return exactly `total`).
 * @param {{ client: JsonClient, path: string, limit: number }} options
 */
export async function cursorWalk({ client, path, limit }) {
  /** @type {Set<string>} */
  const seen = new Set();
  /** @type {number[]} */
  const pageMs = [];
  /** @type {[number, number | null, string | null]} */
  let [rows, total, cursor] = [0, null, null];
  const startedAt = Date.now();
  do {
    const page = await getPage(client, `${path}?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    pageMs.push(page.ms);
    total ??= page.json.total;
    for (const customer of page.json.customers) seen.add(customer.customer_guid);
    rows += page.json.customers.length;
    cursor = page.json.next_cursor;
  } while (cursor);
  return { ...timing(pageMs, Date.now() - startedAt), rows, distinct: seen.size, total, complete: rows === total && seen.size === total };
}

/**
 * Pages by offset until the list ends or `budgetMs` has passed. Stopped early, it extrapolates:
 * a page's time is fitted as a + b × offset (least squares over the pages done: an offset page
 * walks `offset` index entries before its own), and the pages not done are added at their fitted
 * cost to the time actually spent.
 * @param {{ client: JsonClient, path: string, limit: number, total: number, budgetMs: number }} options
 */
export async function offsetWalk({ client, path, limit, total, budgetMs }) {
  /** @type {[number, number][]} offset, ms */
  const samples = [];
  let rows = 0;
  const startedAt = Date.now();
  for (let offset = 0; offset < total && Date.now() - startedAt < budgetMs; offset += limit) {
    const page = await getPage(client, `${path}?limit=${limit}&offset=${offset}`);
    samples.push([offset, page.ms]);
    rows += page.json.customers.length;
  }
  const elapsedMs = Date.now() - startedAt;
  const pages = Math.ceil(total / limit);
  const { a, b } = fitLine(samples);
  let remainingMs = 0;
  for (let page = samples.length; page < pages; page += 1) remainingMs += a + b * page * limit;
  return {
    ...timing(samples.map(([, ms]) => ms), elapsedMs),
    rows,
    complete: samples.length === pages,
    budgetMs,
    pagesNeeded: pages,
    fit: { msPerPage: round(a), msPer10kOffset: round(b * 10_000) },
    extrapolatedWallMs: Math.round(elapsedMs + remainingMs),
  };
}

/**
 * @param {JsonClient} client
 * @param {string} path
 */
async function getPage(client, path) {
  const page = await client.get(path);
  if (page.status !== 200) throw new Error(`walk: ${path} answered ${page.status} ${JSON.stringify(page.json).slice(0, 200)}`);
  return { ...page, json: /** @type {ListPage} the list's documented shape */ (page.json) };
}

/**
 * @param {readonly number[]} pageMs
 * @param {number} wallMs
 */
function timing(pageMs, wallMs) {
  const sorted = [...pageMs].sort((x, y) => x - y);
  return { pages: pageMs.length, wallMs, pageP50Ms: percentile(sorted, 0.5), pageP99Ms: percentile(sorted, 0.99), pageMaxMs: percentile(sorted, 1) };
}

/**
 * Least squares y = a + b·x over [x, y] pairs.
 * @param {readonly [number, number][]} points
 */
function fitLine(points) {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  const b = sxx ? points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / sxx : 0;
  return { a: meanY - b * meanX, b };
}

const round = (/** @type {number} */ value) => Math.round(value * 1000) / 1000;

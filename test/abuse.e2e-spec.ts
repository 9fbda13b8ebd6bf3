import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER } from './support/app';
import { withDb } from './support/db';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { mintToken } from './support/tokens';

/**
 * One caller hurts only itself (issue 21). Tenant A's employees send, each at their rate
 * limit, every abusive request the security review found — money values shaped to make a
 * regex quadratic, expensive lists (a 1-character search over 30,000 customers, more at once
 * than allowed), a flood of bad tokens with bodies from another address, readiness probes —
 * while tenant B's creates, lists and GETs go on. The service, the abuse and B's client run in
 * three processes. B's p99 under abuse is compared with its p99 in a quiet run just before it
 * (a ratio: these machines are noisy), and /health/live must keep answering.
 *
 * The starvation this test guards against is systematic: a pool wait to
 * DATABASE_CONNECT_TIMEOUT_MS, a list to its 3 s statement timeout, or 503s (which the status
 * checks catch on their own) hit every attempt. A neighbour's stall is not: with 50 samples the
 * p99 is the slowest one or two requests, and on a shared 2-core machine one stall of the other
 * Jest worker (a 25-connection load on the same PostgreSQL) took a GET to 980 ms. So the pair of
 * runs is measured up to ATTEMPTS times, and the bound must hold in one of them; every attempt's
 * figures are printed.
 */
const SAMPLES = 50; // per kind of request of tenant B, per run
const RATIO = 10; // B's p99 under abuse may be at most this many times its quiet p99 ...
const FLOOR_MS = 50; // ... taken as at least this (a quiet p99 of a few ms is mostly timer noise)
const ATTEMPTS = 3;

let service: ServiceProcess;
let management: string;
let api: string;
const [tenantA, tenantB] = [randomUUID(), randomUUID()];
let bCustomer: string;

beforeAll(async () => {
  service = startServiceProcess({
    LOG_LEVEL: 'warn', TRUST_PROXY: 'loopback', RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '400',
    LISTS_PER_COUNTERPARTY: '2', DATABASE_QUERY_TIMEOUT_MS: '3000',
  });
  await service.waitForLog(/API: +http:\/\/\S+/, 60_000);
  api = /API: +(http:\/\/\S+)/.exec(service.output())![1];
  management = new URL(/health: +(http:\/\/\S+)/.exec(service.output())![1]).origin;
  // Tenant A is large: 30,000 customers straight into the read model, so its lists are expensive.
  await withDb(async (db) => {
    await db.query(
      `INSERT INTO customer_list_view (customer_guid, counterparty_guid, login, name, surname, kyc_level, is_disabled, balance_allowed,
         accounts_total, version, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'login-' || i, 'Name ' || md5(i::text), 'Surname ' || i, i % 5, false, 0, 1, 1, now(), now()
         FROM generate_series(1, 30000) AS i`,
      [tenantA],
    );
    await db.query('ANALYZE customer_list_view');
  });
  // Every tenant calls from an address of its own (its integration gateway).
  const bHeaders = await employeeOfB(0);
  const created = await call<CreatedCustomerResponse>('POST', customersUrl(tenantB), { ...create, name: 'Steady' }, bHeaders);
  bCustomer = created.json.customer_guid;
  expect((await call('GET', `${customersUrl(tenantB)}/${bCustomer}?min_version=1`, undefined, bHeaders)).status).toBe(200);
}, 120_000);
afterAll(async () => {
  service?.kill('SIGTERM');
  await service?.exited;
});

/**
 * Tenant B's employee for an attempt: each attempt sends 2 × 150 requests, so each has an
 * employee and a gateway address of its own, to stay under B's own rate limits.
 */
const employeeOfB = async (attempt: number) => ({
  authorization: `Bearer ${await mintToken({ counterparty: tenantB, sub: `steady-employee-${attempt}` })}`,
  'x-forwarded-for': `192.0.2.${20 + attempt}`,
});
const customersUrl = (tenant: string) => `${api}/counterparty/${tenant}/customers`;
const create = { asset_code: 'EURC', asset_issuer: ISSUER };

/** Tenant B's requests, interleaved; latency in ms per kind. */
async function tenantBRun(bHeaders: Record<string, string>): Promise<Record<'create' | 'list' | 'get', number[]>> {
  const samples = { create: [] as number[], list: [] as number[], get: [] as number[] };
  const timed = async (kind: keyof typeof samples, request: () => Promise<{ status: number }>) => {
    const started = performance.now();
    const reply = await request();
    samples[kind].push(performance.now() - started);
    expect(reply.status).toBe(200);
  };
  for (let i = 0; i < SAMPLES; i++) {
    await timed('create', () => call('POST', customersUrl(tenantB), { ...create, name: `b-${i}` }, bHeaders));
    await timed('list', () => call('GET', `${customersUrl(tenantB)}?ordering=name&limit=20`, undefined, bHeaders));
    await timed('get', () => call('GET', `${customersUrl(tenantB)}/${bCustomer}`, undefined, bHeaders));
  }
  return samples;
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1];

interface Abuse {
  /** Resolves once an entry of the plan got this status (the abuse then went that far). */
  reached(name: string, status: number): Promise<void>;
  /** Stops it and gives the statuses by plan entry. */
  stop(): Promise<Record<string, Record<string, number>>>;
}

/**
 * Starts the abuse in its own process. Each attempt's abusers are new employees at new
 * addresses, so an attempt does not start with the rate limits the previous one reached.
 */
async function startAbuse(attempt: number): Promise<Abuse> {
  const employeeOfA = async (sub: string, address: string) => ({
    authorization: `Bearer ${await mintToken({ counterparty: tenantA, sub: `${sub}-${attempt}` })}`, 'x-forwarded-for': address, 'content-type': 'application/json',
  });
  const plan = [
    { name: 'money', parallel: 2, method: 'POST', url: customersUrl(tenantA), headers: await employeeOfA('money-abuser', `198.51.100.${10 + 10 * attempt}`),
      body: `{"asset_code":"EURC","asset_issuer":"${ISSUER}","balance_allowed":1${'0'.repeat(60_000)}1}` },
    // More lists at once than LISTS_PER_COUNTERPARTY, each as expensive as a search can be.
    { name: 'lists', parallel: 6, method: 'GET', url: `${customersUrl(tenantA)}?search_string=e&is_disabled=true&ordering=-surname`,
      headers: await employeeOfA('list-abuser', `198.51.100.${11 + 10 * attempt}`) },
    { name: 'forged', parallel: 4, method: 'POST', url: customersUrl(tenantA), body: JSON.stringify({ ...create, name: 'x'.repeat(200) }),
      headers: { authorization: 'Bearer forged.token.value', 'x-forwarded-for': `203.0.113.${66 + attempt}`, 'content-type': 'application/json' } },
    { name: 'probes', parallel: 2, method: 'GET', url: `${management}/health/ready`, headers: {} },
  ];
  const child = spawn(process.execPath, [path.join(__dirname, 'support', 'abuser.mjs'), JSON.stringify(plan)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk) => {
    output += chunk;
    listeners.forEach((listener) => listener());
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    reached: (name, status) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (output.includes(`first ${name} ${status}\n`)) resolve();
          else if (output.includes('result ')) reject(new Error(`the abuse ended before ${name} got ${status}: ${output}`));
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      child.stdin.end();
      await exited;
      return JSON.parse(/result (.*)/.exec(output)![1]) as Record<string, Record<string, number>>;
    },
  };
}

interface Attempt {
  report: { kind: 'create' | 'list' | 'get'; quietP99: number; abusiveP99: number }[];
  statuses: Record<string, Record<string, number>>;
  liveness: number[];
}

/** A quiet run of tenant B, then a run while tenant A abuses the service. */
async function attempt(number: number): Promise<Attempt> {
  const bHeaders = await employeeOfB(number + 1);
  const quiet = await tenantBRun(bHeaders);
  const abuse = await startAbuse(number);
  let abusive: Awaited<ReturnType<typeof tenantBRun>>;
  const liveness: number[] = [];
  let statuses: Record<string, Record<string, number>>;
  try {
    abusive = await tenantBRun(bHeaders);
    for (let i = 0; i < 5; i++) liveness.push((await fetch(`${management}/health/live`)).status);
    // The flood of forged tokens goes on until its address is limited (on a fast machine that
    // happens during B's run, on a slow one after it).
    await abuse.reached('forged', 429);
  } finally {
    statuses = await abuse.stop();
  }
  const report = (['create', 'list', 'get'] as const).map((kind) => ({ kind, quietP99: p99(quiet[kind]), abusiveP99: p99(abusive[kind]) }));
  process.stdout.write(
    `abuse, attempt ${number + 1}: ${report.map((r) => `${r.kind} p99 ${r.quietP99.toFixed(1)} → ${r.abusiveP99.toFixed(1)} ms`).join('; ')}; ` +
      `A's answers: ${JSON.stringify(statuses)}\n`,
  );
  return { report, statuses, liveness };
}

const withinBound = ({ report }: Attempt) =>
  report.every(({ quietP99, abusiveP99 }) => abusiveP99 <= Math.max(quietP99, FLOOR_MS) * RATIO);

it("keeps tenant B's p99 within a bound of its quiet p99 while tenant A abuses the service", async () => {
  const attempts: Attempt[] = [];
  do attempts.push(await attempt(attempts.length));
  while (!withinBound(attempts[attempts.length - 1]) && attempts.length < ATTEMPTS);

  // In every attempt the abuse happened, and was refused where it should be; nothing failed
  // with a 5xx but readiness; liveness kept answering.
  for (const { statuses, liveness } of attempts) {
    expect(statuses.money['400'] ?? 0).toBeGreaterThan(0);
    expect(statuses.lists['429'] ?? 0).toBeGreaterThan(0);
    expect(statuses.lists['200'] ?? 0).toBeGreaterThan(0);
    expect(statuses.forged['429'] ?? 0).toBeGreaterThan(0);
    for (const name of ['money', 'lists', 'forged']) expect(Object.keys(statuses[name]).filter((status) => !/^[24]\d\d$/.test(status))).toEqual([]);
    expect(liveness).toEqual([200, 200, 200, 200, 200]);
  }
  // And B's p99 kept its bound (in the last attempt: the loop stops at the first that does).
  for (const { quietP99, abusiveP99 } of attempts[attempts.length - 1].report) {
    expect(abusiveP99).toBeLessThanOrEqual(Math.max(quietP99, FLOOR_MS) * RATIO);
  }
}, 600_000);

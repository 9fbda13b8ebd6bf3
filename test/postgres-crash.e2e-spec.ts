import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ACCOUNT_COLUMNS, CUSTOMER_COLUMNS } from '../apps/customer-service/src/read-model/read-model.tables';
import { DERIVED_ACCOUNTS, DERIVED_CUSTOMERS } from '../apps/customer-service/src/projector/rebuild/read-model.rebuild';
import { ISSUER } from './support/app';
import { withBrokerExclusive } from './support/broker-outage';
import { DedicatedPostgres, startDedicatedPostgres } from './support/dedicated-postgres';
import { checkDelivery, outboxEntries } from './support/delivery-check';
import { deleteTopic, readWholeTopic } from './support/kafka';
import { waitFor } from './support/outbox-rows';
import { killAll, ServiceProcess, startServiceProcess } from './support/service-process';
import { mintToken } from './support/tokens';

// R11 (docs/failure-modes.md): PostgreSQL stopped with an immediate shutdown (what a crash
// leaves: no checkpoint, crash recovery at the next start) and started again, 10 times, under
// steady load of creates, updates and lists. The api runs in one process, the relay and the
// projector in another, on a PostgreSQL of this file's own (the test run's is shared).
const CRASHES = 10;
/** How long PostgreSQL stays down each time (plus its own restart, ~1-3 s of crash recovery). */
const DOWN_MS = 2000;
/** Load before the next crash, so each outage starts from a recovered service. */
const STEADY_MS = 1500;
const WORKERS = 4;
const ANSWER_WITHIN_MS = 2000;
const RECOVER_WITHIN_MS = 5000;
/** A request not answered by then counts as hung. */
const CLIENT_TIMEOUT_MS = 15_000;
const NAMES = ['Ярослава', 'Σωκράτης', 'Zoë', 'Łukasz', 'Ñandú', 'Chloé'];

interface Outcome {
  kind: 'create' | 'update' | 'list';
  startedAt: number;
  ms: number;
  status: number; // 0: no answer (timeout, connection error)
  code?: string;
  retryAfter: string | null;
}

/** A write the API acknowledged (2xx): the customer and the version it answered with. */
interface Ack {
  customer: string;
  version: number;
  at: number;
  kycLevel?: number;
}

let postgres: DedicatedPostgres;
let db: Client | undefined;
const processes: Record<'api' | 'relay,projector', ServiceProcess> = {} as never;
const exits: string[] = [];
const topic = `pg-crash.${randomUUID()}`;

beforeAll(async () => {
  postgres = await startDedicatedPostgres();
  const env = {
    DATABASE_URL: postgres.url, EVENTS_TOPIC: topic, PROJECTOR_GROUP_ID: `pg-crash-${randomUUID()}`,
    RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000', LISTS_PER_COUNTERPARTY: String(WORKERS), LOG_LEVEL: 'warn',
  };
  for (const role of ['api', 'relay,projector'] as const) {
    processes[role] = startServiceProcess({ ...env, ROLES: role });
    void processes[role].exited.then((code) => exits.push(`${role} exited (${code})`));
  }
  await Promise.all(Object.values(processes).map((child) => child.waitForLog(/customer-service is up/, 240_000)));
  await Promise.all(Object.values(processes).map((child) => waitFor('readiness', async () => (await probe(`${managementOf(child)}/health/ready`)) === 200, 30_000)));
}, 360_000);

afterAll(async () => {
  await killAll(Object.values(processes));
  await db?.end().catch(() => undefined);
  await postgres?.stop();
  await deleteTopic(topic).catch(() => undefined);
}, 60_000);

const managementOf = (child: ServiceProcess) => /health: +(http:\/\/\S+?)\/health\/live/.exec(child.output())![1];
const apiOf = (child: ServiceProcess) => /API: +(http:\/\/\S+)/.exec(child.output())![1];

async function probe(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** The load: each worker creates a customer, changes one of its own, lists, and again. */
class Load {
  readonly outcomes: Outcome[] = [];
  readonly acks: Ack[] = [];
  private running = true;
  private workers: Promise<void>[] = [];

  constructor(private readonly customersUrl: string, private readonly token: string) {}

  start(): void {
    this.workers = Array.from({ length: WORKERS }, (_, worker) => this.work(worker));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async work(worker: number): Promise<void> {
    const mine: string[] = [];
    for (let n = 0; this.running; n++) {
      const name = NAMES[n % NAMES.length];
      const created = await this.send('create', 'POST', this.customersUrl, {
        asset_code: 'EURC', asset_issuer: ISSUER, login: `crash-${worker}-${n}@example.com`, name, surname: NAMES[(n + 1) % NAMES.length], balance_allowed: 1234.5678901,
      });
      if (created.status === 200 && created.json) {
        mine.push(created.json.customer_guid);
        this.acks.push({ customer: created.json.customer_guid, version: 1, at: Date.now() });
      }
      if (mine.length > 0) {
        const customer = mine[n % mine.length];
        const updated = await this.send('update', 'PUT', `${this.customersUrl}/${customer}`, { kyc_level: n + 1, paternal_name: `${name} ${n}` });
        if (updated.status === 200 && updated.json) this.acks.push({ customer, version: updated.json.version, at: Date.now(), kycLevel: n + 1 });
      }
      await this.send('list', 'GET', `${this.customersUrl}?limit=20&search_string=${encodeURIComponent(name.slice(0, 3))}`);
    }
  }

  private async send(kind: Outcome['kind'], method: string, url: string, body?: unknown): Promise<{ status: number; json?: ReplyBody }> {
    const startedAt = Date.now();
    const outcome: Outcome = { kind, startedAt, ms: 0, status: 0, retryAfter: null };
    let json: ReplyBody | undefined;
    try {
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      json = (await response.json().catch(() => undefined)) as ReplyBody | undefined;
      Object.assign(outcome, { status: response.status, retryAfter: response.headers.get('retry-after'), code: json?.code });
    } catch (error) {
      outcome.code = (error as Error).name;
    }
    outcome.ms = Date.now() - startedAt;
    this.outcomes.push(outcome);
    return { status: outcome.status, json };
  }
}

/** Time from `since` until `check` first holds (polled every 50 ms), or Infinity after 30 s. */
async function recoveredAfter(since: number, check: () => Promise<boolean>): Promise<number> {
  for (const deadline = since + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (await check().catch(() => false)) return Date.now() - since;
  }
  return Infinity;
}

async function connect(): Promise<Client> {
  const client = new Client({ connectionString: postgres.url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** What the load reads from a reply: a create's guid, an update's version, an error's code. */
interface ReplyBody {
  customer_guid: string;
  version: number;
  code?: string;
}

/** md5 over every projected field of every row, in a fixed order: the read model, and what the write tables say it must be. */
async function checksums(client: Client): Promise<{ view: string[]; derived: string[] }> {
  const sum = async (columns: readonly string[], from: string, key: string) =>
    (await client.query<{ sum: string; n: number }>(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.${key}), '')) AS sum, count(*)::int AS n FROM (SELECT ${columns.join(', ')} FROM ${from}) t`)).rows[0];
  const customers = [await sum(CUSTOMER_COLUMNS, 'customer_list_view', 'customer_guid'), await sum(CUSTOMER_COLUMNS, `(${DERIVED_CUSTOMERS}) d`, 'customer_guid')];
  const accounts = [await sum(ACCOUNT_COLUMNS, 'account_view', 'wallet_account_guid'), await sum(ACCOUNT_COLUMNS, `(${DERIVED_ACCOUNTS}) d`, 'wallet_account_guid')];
  return {
    view: [`${customers[0].n}:${customers[0].sum}`, `${accounts[0].n}:${accounts[0].sum}`],
    derived: [`${customers[1].n}:${customers[1].sum}`, `${accounts[1].n}:${accounts[1].sum}`],
  };
}

it(
  `survives ${CRASHES} immediate stops of PostgreSQL under load: 503 + Retry-After while down, recovery < 5 s, no acknowledged write lost`,
  () =>
    withBrokerExclusive(async () => {
      const counterparty = randomUUID();
      const load = new Load(`${apiOf(processes.api)}/counterparty/${counterparty}/customers`, await mintToken({ counterparty }));
      load.start();
      const recoveries: Record<string, number>[] = [];
      /** Per crash: when it was asked for, when PostgreSQL was gone, when the restart was asked for, when it accepted connections. */
      const outages: { crashAt: number; downAt: number; startAt: number; upAt: number }[] = [];
      try {
        await new Promise((resolve) => setTimeout(resolve, STEADY_MS));
        for (let crash = 0; crash < CRASHES; crash++) {
          await db?.end().catch(() => undefined);
          db = undefined;
          const crashAt = Date.now();
          await postgres.crash();
          const downAt = Date.now();
          await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
          const startAt = Date.now();
          await postgres.start();
          const upAt = Date.now();
          outages.push({ crashAt, downAt, startAt, upAt });
          db = await connect();
          const client = db;
          const created = (since: number) => load.acks.find((ack) => ack.at > since && ack.version === 1);
          const [api, relay, projector, ...ready] = await Promise.all([
            recoveredAfter(upAt, () => Promise.resolve(created(upAt) !== undefined)),
            // The relay published a row committed after the restart; the projector applied one.
            recoveredAfter(upAt, async () => (await client.query('SELECT 1 FROM outbox WHERE created_at > $1 AND published_at IS NOT NULL LIMIT 1', [new Date(upAt)])).rowCount === 1),
            recoveredAfter(upAt, async () => {
              const { rows } = await client.query<{ last: Date | null }>('SELECT max(processed_at) AS last FROM processed_events');
              const last = rows[0].last;
              return last !== null && last.getTime() > upAt;
            }),
            ...Object.values(processes).map((child) => recoveredAfter(upAt, async () => (await probe(`${managementOf(child)}/health/ready`)) === 200)),
          ]);
          recoveries.push({ api, relay, projector, ready: Math.max(...ready) });
          await new Promise((resolve) => setTimeout(resolve, STEADY_MS));
        }
      } finally {
        await load.stop();
      }
      db ??= await connect();
      const client = db;

      // Everything written is published and projected.
      await waitFor('the outbox to drain', async () => (await client.query('SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT 1')).rowCount === 0, 30_000);
      await waitFor('the read model to catch up', async () => {
        const { rows } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM customers c LEFT JOIN customer_list_view v ON v.customer_guid = c.guid WHERE v.version IS DISTINCT FROM c.version`);
        return rows[0].n === 0;
      }, 30_000);

      const { outcomes, acks } = load;
      // Requests sent between the crash and the restart found no PostgreSQL at all.
      const during = outcomes.filter((outcome) => outages.some(({ downAt, startAt }) => outcome.startedAt >= downAt && outcome.startedAt < startAt));
      const unexpected = outcomes.filter((outcome) => outcome.status !== 200 && !(outcome.status === 503 && outcome.code === 'UNAVAILABLE'));
      const unavailable = outcomes.filter((outcome) => outcome.status === 503);
      // Requests sent while PostgreSQL was gone: each answered 503 within 2 s (with when it started, after the crash, for a failure message).
      const slowWhileDown = during.filter((outcome) => outcome.status !== 503 || outcome.ms > ANSWER_WITHIN_MS)
        .map((outcome) => ({ ...outcome, sinceCrash: outcome.startedAt - Math.max(...outages.map(({ crashAt }) => crashAt).filter((at) => at <= outcome.startedAt)) }));

      // Every acknowledged write: its event in the outbox (the write tables' record of it), in the topic, and applied to the read model.
      const events = await client.query<{ id: string; customer: string; version: number; kyc_level: number | null }>(
        `SELECT id, aggregateid AS customer, (payload->>'version')::int AS version, (payload->'customer'->>'kyc_level')::int AS kyc_level FROM outbox`);
      const eventOf = new Map(events.rows.map((row) => [`${row.customer}/${row.version}`, row]));
      const processed = new Set((await client.query<{ event_id: string }>('SELECT event_id FROM processed_events')).rows.map((row) => row.event_id));
      const messages = await readWholeTopic(topic, { timeoutMs: 60_000 });
      const inTopic = new Set(messages.map((message) => message.headers.ce_id));
      const missing = acks.filter((ack) => {
        const event = eventOf.get(`${ack.customer}/${ack.version}`);
        return !event || (ack.kycLevel !== undefined && event.kyc_level !== ack.kycLevel) || !inTopic.has(event.id) || !processed.has(event.id);
      });
      const acknowledgedCustomers = [...new Set(acks.filter((ack) => ack.version === 1).map((ack) => ack.customer))];
      const { rows: written } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM customers WHERE guid = ANY($1::uuid[])', [acknowledgedCustomers]);
      const delivery = checkDelivery(await outboxEntries(client), messages);
      const sums = await checksums(client);

      const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;
      process.stdout.write(
        `PostgreSQL crash ×${CRASHES}: ${outcomes.length} requests (${during.length} while down), ${acks.length} writes acknowledged, ` +
          `${unavailable.length} answered 503 (sent while down: max ${Math.max(0, ...during.map((o) => o.ms))} ms; any: max ${Math.max(0, ...unavailable.map((o) => o.ms))} ms), crash ${Math.max(...outages.map((o) => o.downAt - o.crashAt))} ms, ` +
          `restart ${Math.max(...outages.map((o) => o.upAt - o.startAt))} ms (worst), p99 ${percentile(outcomes.map((o) => o.ms), 0.99)} ms; ` +
          `recovery after PostgreSQL accepted connections, worst of ${CRASHES}: api ${Math.max(...recoveries.map((r) => r.api))} ms, ` +
          `relay ${Math.max(...recoveries.map((r) => r.relay))} ms, projector ${Math.max(...recoveries.map((r) => r.projector))} ms, ` +
          `readiness ${Math.max(...recoveries.map((r) => r.ready))} ms; ${messages.length} messages, ${delivery.duplicates.size} duplicated ids\n`,
      );
      expect(exits).toEqual([]);
      expect(unexpected).toEqual([]);
      expect(during.length).toBeGreaterThan(0);
      expect(slowWhileDown).toEqual([]);
      expect(unavailable.filter((outcome) => outcome.retryAfter === null)).toEqual([]);
      expect(acknowledgedCustomers.length).toBeGreaterThan(CRASHES);
      expect(written[0].n).toBe(acknowledgedCustomers.length);
      expect(missing).toEqual([]);
      expect(delivery).toMatchObject({ lost: [], unexpected: [], outOfOrder: [], misrouted: [] });
      expect(sums.view).toEqual(sums.derived);
      for (const recovery of recoveries) {
        expect(recovery).toEqual({
          api: expect.any(Number), relay: expect.any(Number), projector: expect.any(Number), ready: expect.any(Number),
        });
        expect(Math.max(...Object.values(recovery))).toBeLessThan(RECOVER_WITHIN_MS);
      }
    }, 300_000),
  360_000,
);

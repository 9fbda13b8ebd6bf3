import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ISSUER } from './app';
import { DedicatedKafka, startDedicatedKafka } from './dedicated-kafka';
import { DedicatedPostgres, startDedicatedPostgres } from './dedicated-postgres';
import { checkDelivery, outboxEntries } from './delivery-check';
import { readWholeTopic } from './kafka';
import { unpublishedCount, waitFor } from './outbox-rows';
import { readModelDifferences } from './read-model-diff';
import { seededRandom } from './seeded-random';
import { ServiceProcess, startServiceProcess } from './service-process';
import { mintToken } from './tokens';

// The nemesis run (issue 15, item 5; docs/failure-modes.md "Nemesis run"): mixed load from a
// few tenants through two API processes, while a seeded scheduler injects faults at random —
// a broker kill -9 and restart, a PostgreSQL immediate shutdown and restart, kill -9 of the
// relay, of the projector, of one API process, and a second projector joining and leaving.
// Then everything recovers and the run is checked Jepsen style. Used by `npm run chaos`
// (nemesis-main.ts) and, for 60 s, by test/chaos.e2e-spec.ts. Loopback only: its own
// PostgreSQL and broker on free 127.0.0.1 ports; every wait is bounded.

export interface NemesisOptions {
  /** How long load and faults run (the recovery and the checks come after). */
  durationMs: number;
  seed: number;
  log: (line: string) => void;
  /** Aborting (Ctrl-C) stops load and faults at once and skips the checks: runNemesis cleans up and rejects with NemesisInterrupted. */
  signal?: AbortSignal;
  /** Concurrent load workers (each a client of one tenant). */
  workers?: number;
}

/** The five figures that must be 0, and what else the run counted. */
export interface NemesisReport {
  seed: number;
  acknowledgedWritesLost: number;
  eventsMissingFromTopic: number;
  orderViolations: number;
  readModelRowsDiffering: number;
  unexpected5xx: number;
  faults: Record<string, number>;
  requests: number;
  acknowledgedWrites: number;
  documented503: number;
  connectionErrors: number;
  /** Service processes that exited without being killed (e.g. refused to start while a dependency was down). */
  selfExits: number;
  messages: number;
  duplicatedIds: number;
  /** Every answer by status (0: no answer). */
  statuses: Record<string, number>;
  recoveryMs: number;
  /** Examples of what went wrong (ids, statuses), for the log: never personal data. */
  examples: string[];
}

export class NemesisInterrupted extends Error {}

export const ZERO_FIGURES = ['acknowledgedWritesLost', 'eventsMissingFromTopic', 'orderViolations', 'readModelRowsDiffering', 'unexpected5xx'] as const;

/** The 503s the API documents (docs/api.md, docs/failure-modes.md): each with Retry-After. */
const DOCUMENTED_503 = new Set(['UNAVAILABLE', 'QUERY_TIMEOUT', 'READ_MODEL_BEHIND']);
const TENANTS = 3;
const PROCESS_START_MS = 240_000;
const REQUEST_TIMEOUT_MS = 20_000;
/** A logical request (with its retries) gives up after this: counted, never acknowledged. */
const GIVE_UP_MS = 60_000;
const RECOVERY_MS = 180_000;
const NAMES = ['Ярослава', 'Σωκράτης', 'Zoë', 'Łukasz', 'Ñandú', 'Chloé', 'Ørsted'];

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/** One kind of service process, kept running like a supervisor would (restarted after every exit). */
class Slot {
  current?: ServiceProcess;
  private killedByUs = new WeakSet<ServiceProcess>();
  private stopped = false;
  selfExits = 0;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly log: (line: string) => void,
    private readonly signal?: AbortSignal,
  ) {}

  start(): ServiceProcess {
    const child = startServiceProcess(this.env);
    this.current = child;
    this.starts++;
    void child.exited.then(async (code) => {
      // Stopped, replaced, or Ctrl-C (which reaches every process of the terminal's group).
      if (this.stopped || this.current !== child || this.signal?.aborted) return;
      if (!this.killedByUs.has(child)) {
        this.selfExits++;
        const reason = /customer-service failed to start: ([^\n]{0,160})/.exec(child.output())?.[1] ?? `exit code ${code}`;
        this.log(`  ${this.name} exited by itself (${reason}); restarting it in 1 s`);
      }
      await sleep(this.killedByUs.has(child) ? 200 : 1000);
      if (!this.stopped && this.current === child) this.start();
    });
    return child;
  }

  /** Resolves once the current process logged that it is up (restarting it while it exits). */
  async up(timeoutMs = PROCESS_START_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const child = this.current!;
      try {
        await child.waitForLog(/customer-service is up/, Math.max(1, deadline - Date.now()));
        return;
      } catch (error) {
        if (this.signal?.aborted) throw new NemesisInterrupted(`interrupted while waiting for ${this.name}`);
        if (Date.now() >= deadline) throw new Error(`${this.name} not up within ${timeoutMs} ms:\n${this.current?.output().slice(-1500) ?? ""}`, { cause: error });
        await sleep(200); // it exited: the restart is on its way
      }
    }
  }

  /** The API's base URL of the current process once it is up (a new port after each restart). */
  apiUrl(): string | undefined {
    return /API: +(http:\/\/\S+)/.exec(this.current?.output() ?? '')?.[1];
  }

  kill(signal: NodeJS.Signals): void {
    const child = this.current;
    if (!child) return;
    this.killedByUs.add(child);
    child.kill(signal);
  }

  /** Stops the current process with `signal`, without a restart, and resolves once it is gone. */
  async leave(signal: NodeJS.Signals): Promise<void> {
    const child = this.current;
    if (!child) return;
    this.current = undefined;
    this.killedByUs.add(child);
    child.kill(signal);
    await child.exited;
  }

  /** Stops it for good (no restart) and resolves once it is gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.current;
    if (!child) return;
    this.killedByUs.add(child);
    child.kill('SIGKILL');
    await child.exited;
  }
}

interface Outcome {
  status: number; // 0: no answer (connection refused or reset, timeout)
  code?: string;
  retryAfter: boolean;
}

/** A write the API answered 2xx: what must now be in the write tables, the topic and the read model. */
interface Ack {
  kind: 'create' | 'update' | 'open-account';
  customer: string;
  version: number;
  account?: string;
}

interface Known {
  customer: string;
  version: number;
}

/** The load: each worker is a well-behaved client of one tenant, going through either API process. */
class Load {
  readonly outcomes: Outcome[] = [];
  readonly acks: Ack[] = [];
  gaveUp = 0;
  private running = true;
  private workers: Promise<void>[] = [];
  private nextApi = 0;

  constructor(
    /** Where the API answers now: the load balancer's view of the API processes. */
    private readonly apis: () => string[],
    private readonly tenants: string[],
    private readonly random: () => number,
  ) {}

  start(workers: number): void {
    this.workers = Array.from({ length: workers }, (_, worker) => this.work(worker));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async work(worker: number): Promise<void> {
    const tenant = this.tenants[worker % this.tenants.length];
    const customers = `/counterparty/${tenant}/customers`;
    const mine: Known[] = [];
    for (let n = 0; this.running; n++) {
      const pick = this.random();
      const known = mine.length > 0 ? mine[Math.floor(this.random() * mine.length)] : undefined;
      const name = NAMES[n % NAMES.length];
      if (!known || pick < 0.3) {
        const body = { asset_code: 'EURC', asset_issuer: ISSUER, login: `nemesis-${worker}-${n}-${randomUUID().slice(0, 8)}`, name, surname: NAMES[(n + 3) % NAMES.length], balance_allowed: 1234.5678901 };
        const reply = await this.send(tenant, 'POST', customers, body, { 'idempotency-key': randomUUID() });
        const guid = (reply.json as { customer_guid?: string } | undefined)?.customer_guid;
        if (reply.ok && guid) {
          mine.push({ customer: guid, version: 1 });
          this.acks.push({ kind: 'create', customer: guid, version: 1 });
        }
      } else if (pick < 0.55) {
        const reply = await this.send(tenant, 'PUT', `${customers}/${known.customer}`, { kyc_level: n % 4, paternal_name: `${name} ${n}` }, { 'if-match': `"${known.version}"` });
        const version = (reply.json as { version?: number } | undefined)?.version;
        if (reply.ok && version !== undefined) {
          known.version = version;
          this.acks.push({ kind: 'update', customer: known.customer, version });
        } else if (reply.status === 412 || reply.status === 0) await this.refresh(tenant, customers, known);
      } else if (pick < 0.65) {
        const reply = await this.send(tenant, 'POST', `${customers}/${known.customer}/accounts`, {}, { 'idempotency-key': randomUUID() });
        const opened = reply.json as { wallet_account_guid?: string; version?: number } | undefined;
        if (reply.ok && opened?.wallet_account_guid && opened.version !== undefined) {
          known.version = opened.version;
          this.acks.push({ kind: 'open-account', customer: known.customer, version: opened.version, account: opened.wallet_account_guid });
        }
      } else if (pick < 0.85) {
        await this.send(tenant, 'GET', `${customers}?limit=20&search_string=${encodeURIComponent(name.slice(0, 3))}`);
      } else {
        // Read-your-writes: the read model answers once it has this client's last write (or 503 READ_MODEL_BEHIND after MIN_VERSION_WAIT_MS).
        await this.send(tenant, 'GET', `${customers}/${known.customer}?min_version=${known.version}`);
      }
    }
  }

  /** After a 412 or a lost answer: the customer's version as the read model has it (it may lag; the next PUT's If-Match checks). */
  private async refresh(tenant: string, customers: string, known: Known): Promise<void> {
    const reply = await this.send(tenant, 'GET', `${customers}/${known.customer}`);
    const version = (reply.json as { version?: number } | undefined)?.version;
    if (reply.ok && version !== undefined && version > known.version) known.version = version;
  }

  /**
   * One logical request as a real client sends it: on a connection error, a 503 or 429 with
   * Retry-After, or 409 IDEMPOTENCY_IN_FLIGHT it tries again (the other API process first),
   * with the same Idempotency-Key; gives up after GIVE_UP_MS. Every answer is recorded.
   */
  private async send(tenant: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const deadline = Date.now() + GIVE_UP_MS;
    for (;;) {
      const apis = this.apis();
      const api = apis[this.nextApi++ % Math.max(1, apis.length)];
      const outcome: Outcome = { status: 0, retryAfter: false };
      let json: unknown;
      let retryAfterSeconds = 0.2;
      try {
        if (!api) throw new Error('no API process is up');
        const response = await fetch(`${api}${path}`, {
          method,
          headers: { authorization: `Bearer ${await mintToken({ counterparty: tenant })}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        json = await response.json().catch(() => undefined);
        const retryAfter = response.headers.get('retry-after');
        Object.assign(outcome, { status: response.status, code: (json as { code?: string } | undefined)?.code, retryAfter: retryAfter !== null });
        if (retryAfter !== null) retryAfterSeconds = Math.min(Number(retryAfter) || 1, 5);
      } catch {
        // no answer: the process was killed, or is not listening yet
      }
      this.outcomes.push(outcome);
      // READ_MODEL_BEHIND is an answer (the read model has not reached min_version in time): not retried, or a stalled projector would stall the load.
      const retry = outcome.status === 0 || outcome.status === 429 || (outcome.status === 503 && outcome.code !== 'READ_MODEL_BEHIND') ||
        (outcome.status === 409 && outcome.code === 'IDEMPOTENCY_IN_FLIGHT');
      if (!retry) return { ok: outcome.status >= 200 && outcome.status < 300, status: outcome.status, json };
      if (!this.running || Date.now() + retryAfterSeconds * 1000 > deadline) {
        this.gaveUp++;
        return { ok: false, status: outcome.status, json: undefined };
      }
      await sleep(retryAfterSeconds * 1000);
    }
  }
}

type FaultKind = 'broker' | 'postgres' | 'kill-relay' | 'kill-projector' | 'kill-api' | 'projector-joins-and-leaves';
const FAULTS: FaultKind[] = ['broker', 'postgres', 'kill-relay', 'kill-projector', 'kill-api', 'projector-joins-and-leaves'];

/** Runs the whole thing: servers, processes, load and faults, recovery, checks; always cleans up. */
export async function runNemesis({ durationMs, seed, log, signal, workers = 4 }: NemesisOptions): Promise<NemesisReport> {
  // Faults draw from their own sequence, so a seed replays the same faults, gaps and outage
  // lengths; the load's draws depend on how its workers interleave, so it replays only roughly.
  const random = seededRandom(seed);
  const startedAt = Date.now();
  const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s`;
  const say = (line: string) => log(`[nemesis ${elapsed()}] ${line}`);
  say(`seed ${seed} (replay with --seed ${seed}); ${Math.round(durationMs / 1000)} s of load and faults`);

  let postgres: DedicatedPostgres | undefined;
  let kafka: DedicatedKafka | undefined;
  /** Every process slot, for the clean-up. */
  const slots: Slot[] = [];
  let db: Client | undefined;
  try {
    [postgres, kafka] = await Promise.all([startDedicatedPostgres(), startDedicatedKafka()]);
    say(`PostgreSQL ${new URL(postgres.url).host}, Kafka ${kafka.brokers}`);
    const topic = `nemesis.${randomUUID()}`;
    const env = {
      DATABASE_URL: postgres.url, KAFKA_BROKERS: kafka.brokers, EVENTS_TOPIC: topic, PROJECTOR_GROUP_ID: `nemesis-${randomUUID()}`,
      // A killed projector's partitions move to its restarted self after the session timeout: 10 s instead of 30 s keeps the run moving.
      PROJECTOR_SESSION_TIMEOUT_MS: '10000',
      RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000', LISTS_PER_COUNTERPARTY: String(workers), LOG_LEVEL: 'warn',
      AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1',
    };
    const apis = [1, 2].map((i) => new Slot(`api-${i}`, { ...env, ROLES: 'api' }, say, signal));
    const relay = new Slot('relay', { ...env, ROLES: 'relay' }, say, signal);
    const projector = new Slot('projector', { ...env, ROLES: 'projector' }, say, signal);
    const secondProjector = new Slot('projector-2', { ...env, ROLES: 'projector' }, say, signal);
    const always = [...apis, relay, projector];
    slots.push(...always, secondProjector);
    // All at once: migrations run under a lock, so one process applies them and the others wait.
    always.forEach((slot) => slot.start());
    await Promise.all(always.map((slot) => slot.up()));
    if (signal?.aborted) throw new NemesisInterrupted('interrupted before the load started');
    say('2 API processes, a relay and a projector are up; load starts');

    const tenants = Array.from({ length: TENANTS }, () => randomUUID());
    const load = new Load(() => apis.map((slot) => slot.apiUrl()).filter((url) => url !== undefined), tenants, seededRandom(seed + 1));
    const faults: Record<string, number> = Object.fromEntries(FAULTS.map((kind) => [kind, 0]));
    const loadStartedAt = Date.now();
    const stopFaults = new AbortController();
    signal?.addEventListener('abort', () => stopFaults.abort(), { once: true });
    const timer = setTimeout(() => stopFaults.abort(), durationMs);
    load.start(workers);
    const counters = setInterval(() => {
      const { outcomes, acks } = load;
      say(`load: ${outcomes.length} answers (${outcomes.filter((o) => o.status >= 200 && o.status < 300).length} 2xx, ` +
        `${outcomes.filter((o) => o.status === 503).length} 503, ${outcomes.filter((o) => o.status === 0).length} no answer), ${acks.length} writes acknowledged`);
    }, 5000);

    const background: Promise<void>[] = [];
    /** A server down for 1-5 s: crashed, then started again on the same data and port. */
    const outage = async (what: string, server: { crash(): Promise<void>; start(): Promise<void> }, back: string) => {
      const downMs = 1000 + Math.floor(random() * 4000);
      say(`fault: ${what}, restart in ${downMs} ms`);
      await server.crash();
      await sleep(downMs);
      await server.start();
      say(`  ${what.split(' ')[0]} ${back} again`);
    };
    /** Injects one fault and waits until it is over (the service then recovers on its own). */
    const inject = async (kind: FaultKind) => {
      if (kind === 'projector-joins-and-leaves' && secondProjector.current) return; // still there from the last time
      faults[kind]++;
      switch (kind) {
        case 'broker':
          await outage('broker kill -9', kafka!, 'answers');
          break;
        case 'postgres':
          await outage('PostgreSQL immediate shutdown', postgres!, 'accepts connections');
          break;
        case 'kill-relay':
          say('fault: kill -9 of the relay (restarted at once)');
          relay.kill('SIGKILL');
          break;
        case 'kill-projector':
          say('fault: kill -9 of the projector (restarted at once)');
          projector.kill('SIGKILL');
          break;
        case 'kill-api': {
          const victim = apis[Math.floor(random() * apis.length)];
          say(`fault: kill -9 of ${victim.name} (restarted at once; clients go to the other)`);
          victim.kill('SIGKILL');
          break;
        }
        case 'projector-joins-and-leaves': {
          const downMs = 1000 + Math.floor(random() * 4000);
          say(`fault: a second projector joins the group, and leaves (SIGTERM) ${downMs} ms after it is up`);
          secondProjector.start();
          // In the background: its start-up takes seconds, and other faults go on meanwhile (the
          // projector it joins may be killed, PostgreSQL or the broker may go away).
          background.push((async () => {
            await secondProjector.up().then(() => sleep(downMs, signal), (error: Error) => say(`  ${error.message.slice(0, 300)}`));
            await secondProjector.leave('SIGTERM');
            say('  the second projector left');
          })());
          break;
        }
      }
    };

    // Every kind once, in a seeded order, then at random: a short run still sees each fault.
    const order = [...FAULTS];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    try {
      for (let n = 0; ; n++) {
        await sleep(1000 + Math.floor(random() * 3000), stopFaults.signal);
        // Past the end only to finish the first round (each kind once); never after an interrupt.
        if (signal?.aborted || (n >= order.length && stopFaults.signal.aborted)) break;
        await inject(order[n] ?? FAULTS[Math.floor(random() * FAULTS.length)]);
      }
    } finally {
      clearTimeout(timer);
      stopFaults.abort();
      await Promise.all(background);
      await load.stop();
      clearInterval(counters);
    }
    if (signal?.aborted) throw new NemesisInterrupted('interrupted: no checks');
    say(`load and faults stopped after ${((Date.now() - loadStartedAt) / 1000).toFixed(1)} s; waiting for everything to recover`);

    // Recovery: every process up, the outbox drained, the read model caught up with the write tables.
    const recoveryStartedAt = Date.now();
    await Promise.all(always.map((slot) => slot.up()));
    db = new Client({ connectionString: postgres.url });
    db.on('error', () => undefined);
    await db.connect();
    const client = db;
    await waitFor('the outbox to drain', async () => (await unpublishedCount(client)) === 0, RECOVERY_MS).catch((error: Error) => say(error.message));
    await waitFor('the read model to catch up', async () => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM customers c LEFT JOIN customer_list_view v ON v.customer_guid = c.guid WHERE v.version IS DISTINCT FROM c.version`);
      return rows[0].n === 0;
    }, RECOVERY_MS).catch((error: Error) => say(error.message));
    const recoveryMs = Date.now() - recoveryStartedAt;
    say(`recovered in ${recoveryMs} ms; checking`);

    // 1. Every acknowledged write: in the write tables (its outbox row, the customer at that version or later, the account), in the topic, applied by the projector.
    const messages = await readWholeTopic(topic, { brokers: kafka.brokers, timeoutMs: 120_000 });
    const inTopic = new Set(messages.map((message) => message.headers.ce_id));
    const { rows: events } = await client.query<{ id: string; customer: string; version: number }>(
      `SELECT id, aggregateid AS customer, (payload->>'version')::int AS version FROM outbox`);
    const eventOf = new Map(events.map((row) => [`${row.customer}/${row.version}`, row.id]));
    const processed = new Set((await client.query<{ event_id: string }>('SELECT event_id FROM processed_events')).rows.map((row) => row.event_id));
    const { rows: customerRows } = await client.query<{ guid: string; version: number }>('SELECT guid::text, version FROM customers');
    const versionOf = new Map(customerRows.map((row) => [row.guid, row.version]));
    const accounts = new Set((await client.query<{ guid: string }>('SELECT guid::text FROM wallet_accounts')).rows.map((row) => row.guid));
    const lost = load.acks.filter((ack) => {
      const id = eventOf.get(`${ack.customer}/${ack.version}`);
      return !id || !inTopic.has(id) || !processed.has(id) || (versionOf.get(ack.customer) ?? 0) < ack.version || (ack.account !== undefined && !accounts.has(ack.account));
    });

    // 2 and 3. The topic against the outbox: lost events after dedupe by ce_id, per-customer order.
    const delivery = checkDelivery(await outboxEntries(client), messages);
    // 4. The read model against the write tables, field by field.
    const differing = await readModelDifferences(client);
    // 5. 5xx other than a documented 503 with Retry-After.
    const unexpected5xx = load.outcomes.filter((o) => o.status >= 500 && !(o.status === 503 && o.retryAfter && DOCUMENTED_503.has(o.code ?? '')));

    const examples = [
      ...lost.slice(0, 5).map((ack) => `lost ${ack.kind} ${ack.customer} v${ack.version}`),
      ...delivery.lost.slice(0, 5).map((id) => `event ${id} not in the topic`),
      ...delivery.outOfOrder.slice(0, 5).map((customer) => `customer ${customer} out of order`),
      ...delivery.misrouted.slice(0, 5).map((id) => `event ${id} misrouted`),
      ...unexpected5xx.slice(0, 5).map((o) => `answer ${o.status} ${o.code ?? '(no code)'}${o.retryAfter ? ' with Retry-After' : ''}`),
    ];
    return {
      seed,
      acknowledgedWritesLost: lost.length,
      eventsMissingFromTopic: delivery.lost.length,
      orderViolations: delivery.outOfOrder.length + delivery.misrouted.length,
      readModelRowsDiffering: differing.customers + differing.accounts,
      unexpected5xx: unexpected5xx.length,
      faults,
      requests: load.outcomes.length,
      acknowledgedWrites: load.acks.length,
      documented503: load.outcomes.filter((o) => o.status === 503).length - unexpected5xx.filter((o) => o.status === 503).length,
      connectionErrors: load.outcomes.filter((o) => o.status === 0).length,
      selfExits: slots.reduce((sum, slot) => sum + slot.selfExits, 0),
      messages: messages.length,
      duplicatedIds: delivery.duplicates.size,
      statuses: load.outcomes.reduce<Record<string, number>>((counts, o) => ({ ...counts, [o.status]: (counts[o.status] ?? 0) + 1 }), {}),
      recoveryMs,
      examples,
    };
  } finally {
    await db?.end().catch(() => undefined);
    await Promise.all(slots.map((slot) => slot.stop()));
    await Promise.all([postgres?.stop().catch(() => undefined), kafka?.stop().catch(() => undefined)]);
    say('stopped every process and server; temporary data deleted');
  }
}

/** The closing lines: the five figures, then what else was counted. */
export function formatReport(report: NemesisReport): string {
  const faults = Object.entries(report.faults).map(([kind, n]) => `${kind} ×${n}`).join(', ');
  return [
    `nemesis run, seed ${report.seed}`,
    `  acknowledged writes lost:               ${report.acknowledgedWritesLost}`,
    `  events missing from the topic (dedup):  ${report.eventsMissingFromTopic}`,
    `  per-customer order violations:          ${report.orderViolations}`,
    `  read model rows ≠ write tables:         ${report.readModelRowsDiffering}`,
    `  5xx other than documented 503s:         ${report.unexpected5xx}`,
    `  faults: ${faults}`,
    `  ${report.requests} answers, ${report.acknowledgedWrites} writes acknowledged, ${report.documented503} documented 503s, ` +
      `${report.connectionErrors} connection errors (retried), ${report.selfExits} process exits not caused by a kill (restarted), ` +
      `${report.messages} messages (${report.duplicatedIds} ids more than once), recovery ${report.recoveryMs} ms`,
    `  answers by status: ${Object.entries(report.statuses).map(([status, n]) => `${status === '0' ? 'none' : status} ×${n}`).join(', ')}`,
    ...report.examples.map((example) => `  ${example}`),
  ].join('\n');
}

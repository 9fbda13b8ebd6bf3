import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { ISSUER } from './support/app';
import { checkDelivery, outboxEntries } from './support/delivery-check';
import { deleteTopic, readWholeTopic, testKafka } from './support/kafka';
import { waitFor } from './support/outbox-rows';
import { openScratchDatabase } from './support/scratch-database';
import { killAll, ServiceProcess, startServiceProcess } from './support/service-process';
import { mintToken } from './support/tokens';

// R13 (docs/failure-modes.md): SIGTERM to a process running every role while 200 creates are
// in flight, with a second process (relay and projector) standing by. The group's session
// timeout and the standby's lock poll are a minute long, so a takeover within seconds can only
// come from the stopping process saying it leaves (LeaveGroup, the relay's NOTIFY).
const IN_FLIGHT = 200;
const EXIT_WITHIN_MS = 10_000;
const SLOW_DETECTION_MS = 60_000;
const NAMES = ['Ярослава', 'Σωκράτης', 'Zoë', 'Łukasz', 'Ñandú', 'Chloé'];

let scratch: Awaited<ReturnType<typeof openScratchDatabase>>;
let db: Client;
const processes: ServiceProcess[] = [];
const topic = `shutdown.${randomUUID()}`;
const groupId = `shutdown-${randomUUID()}`;

beforeAll(async () => {
  scratch = await openScratchDatabase('shutdown_e2e');
  db = scratch.db;
});
afterAll(async () => {
  await killAll(processes);
  await scratch?.close();
  await deleteTopic(topic).catch(() => undefined);
}, 60_000);

function start(roles: string): ServiceProcess {
  const child = startServiceProcess({
    ROLES: roles, DATABASE_URL: scratch.url, EVENTS_TOPIC: topic, PROJECTOR_GROUP_ID: groupId,
    PROJECTOR_SESSION_TIMEOUT_MS: String(SLOW_DETECTION_MS), OUTBOX_STANDBY_RETRY_MS: String(SLOW_DETECTION_MS),
    RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000',
  });
  processes.push(child);
  return child;
}

async function groupMembers(): Promise<{ state: string; members: string[] }> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return { state: groups[0].state, members: groups[0].members.map((member) => member.memberId) };
  } finally {
    await admin.disconnect();
  }
}

/** The relay whose session holds the leader lock, by its process id (its application_name). */
async function relayLeader(): Promise<number | undefined> {
  const { rows } = await db.query<{ application_name: string }>(
    `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND a.application_name LIKE 'customer-service-relay:%'`,
  );
  return rows.length === 1 ? Number(String(rows[0].application_name).split(':')[1]) : undefined;
}

interface Answer {
  login: string;
  status: number; // 0: no complete answer (connection reset, timeout)
  code?: string;
  retryAfter: string | null;
  customer?: string;
}

it(
  `SIGTERM with ${IN_FLIGHT} requests sent: each answer true to what was written, exit within 10 s, relay and partitions handed over at once`,
  async () => {
    const stopping = start('api,relay,projector');
    await stopping.waitForLog(/"msg":"leading/, 240_000);
    await stopping.waitForLog(/projecting .* as consumer group/, 60_000);
    const standby = start('relay,projector');
    await standby.waitForLog(/another relay leads; standing by/, 240_000);
    await waitFor('both projectors in the group', async () => {
      const group = await groupMembers();
      return group.state === 'Stable' && group.members.length === 2;
    }, 120_000);
    expect(await relayLeader()).toBe(stopping.pid);

    const api = /API: +(http:\/\/\S+)/.exec(stopping.output())![1];
    const counterparty = randomUUID();
    const token = await mintToken({ counterparty });
    const url = `${api}/counterparty/${counterparty}/customers`;
    // A running service has warm pools: 8 creates at once open the commands pool's connections.
    const warm = await Promise.all(Array.from({ length: 8 }, (_, i) => fetch(url, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ asset_code: 'EURC', asset_issuer: ISSUER, login: `warm-${i}@example.com` }),
    }).then((response) => response.status)));
    expect(warm).toEqual(Array(8).fill(200));
    // node:http rather than fetch: it says when a request's connection is established (the
    // socket's 'connect': the server's kernel has accepted it into the listener's queue) and
    // when the request has been handed whole to that socket ('finish', which on a connection
    // still being set up fires before a byte has left). SIGTERM goes once every request is both
    // and the first one is answered, so all 200 are at the server (a request still being sent
    // when the listener closes never reached it: only a load balancer can spare it that).
    let sent = 0;
    let allSent!: () => void;
    const everyRequestSent = new Promise<void>((resolve) => (allSent = resolve));
    let firstAnswer!: () => void;
    const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
    const requests = Array.from({ length: IN_FLIGHT }, (_, i) => new Promise<Answer>((resolve) => {
      const login = `shutdown-${i}@example.com`;
      const body = JSON.stringify({ asset_code: 'EURC', asset_issuer: ISSUER, login, name: NAMES[i % NAMES.length] });
      const request = httpRequest(url, {
        method: 'POST', agent: false, timeout: 30_000,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          let json: { code?: string; customer_guid?: string } = {};
          try {
            json = JSON.parse(text) as typeof json;
          } catch {
            json = { code: 'NOT_JSON' };
          }
          resolve({ login, status: response.statusCode ?? 0, code: json.code, retryAfter: (response.headers['retry-after']) ?? null, customer: json.customer_guid });
          firstAnswer();
        });
        response.on('error', (error) => resolve({ login, status: 0, code: error.message, retryAfter: null }));
      });
      let pending = 2; // connected, and written whole
      const progress = () => --pending === 0 && ++sent === IN_FLIGHT && allSent();
      request.on('socket', (socket) => socket.once('connect', progress));
      request.on('finish', progress);
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error: NodeJS.ErrnoException) => resolve({ login, status: 0, code: error.code ?? error.message, retryAfter: null }));
      request.end(body);
    }));
    await Promise.all([everyRequestSent, answered]);
    const signalledAt = Date.now();
    stopping.kill('SIGTERM');
    const [answers, exitCode] = await Promise.all([Promise.all(requests), stopping.exited]);
    const exitMs = Date.now() - signalledAt;

    const [relayMs, groupMs] = await Promise.all([
      (async () => {
        await waitFor('the standby relay to lead', async () => (await relayLeader()) === standby.pid, SLOW_DETECTION_MS);
        return Date.now() - signalledAt;
      })(),
      (async () => {
        await waitFor('the group to hold only the standby', async () => {
          const group = await groupMembers();
          return group.state === 'Stable' && group.members.length === 1;
        }, SLOW_DETECTION_MS);
        return Date.now() - signalledAt;
      })(),
    ]);

    // What each answer promised: a 200's customer is written, a 503's login is not.
    const { rows } = await db.query<{ login: string; guid: string }>(`SELECT login, guid FROM customers WHERE counterparty_guid = $1 AND login LIKE 'shutdown-%'`, [counterparty]);
    const written = new Map(rows.map((row) => [row.login, row.guid]));
    const ok = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status === 503);
    // Every request reached the server before SIGTERM, so each gets a complete answer: none is
    // reset by the listener closing over its accept queue (AcceptQueueDrain takes it in first).
    const reset = answers.filter((answer) => answer.status === 0 && answer.code === 'ECONNRESET');
    const broken = answers.filter((answer) => answer.status !== 200 && answer.status !== 503);
    expect(ok.filter((answer) => written.get(answer.login) !== answer.customer)).toEqual([]);
    expect(refused.filter((answer) => written.has(answer.login) || answer.retryAfter === null)).toEqual([]);
    expect(written.size).toBe(ok.length);

    // The standby publishes and projects everything, the stopping process's backlog included.
    await waitFor('the outbox to drain', async () => (await db.query('SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT 1')).rowCount === 0, 60_000);
    await waitFor('the read model to catch up', async () => {
      const { rows: behind } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM customers c LEFT JOIN customer_list_view v ON v.customer_guid = c.guid
          WHERE c.counterparty_guid = $1 AND v.version IS DISTINCT FROM c.version`, [counterparty]);
      return behind[0].n === 0;
    }, 60_000);
    const report = checkDelivery(await outboxEntries(db), await readWholeTopic(topic, { timeoutMs: 60_000 }));

    process.stdout.write(
      `SIGTERM with ${IN_FLIGHT} creates sent: ${ok.length} answered 200 (written), ${refused.length} answered 503 (not written), ` +
        `${reset.length} reset; ${/listener drained[^"]*/.exec(stopping.output())?.[0] ?? 'no drain logged'}; ` +
        `exit after ${exitMs} ms (code ${exitCode}); standby relay leading after ${relayMs} ms, ` +
        `group down to the standby after ${groupMs} ms (session timeout and lock poll: ${SLOW_DETECTION_MS} ms)\n`,
    );
    expect(broken).toEqual([]);
    expect(report).toMatchObject({ lost: [], unexpected: [], outOfOrder: [], misrouted: [] });
    expect(ok.length).toBeGreaterThan(0);
    expect(exitMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(stopping.output()).not.toMatch(/unhandled/);
    expect(relayMs).toBeLessThan(EXIT_WITHIN_MS);
    expect(groupMs).toBeLessThan(EXIT_WITHIN_MS);
  },
  600_000,
);

import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { withBrokerExclusive } from '@test/support/broker-outage';
import { checkDelivery, outboxEntries } from '@test/support/delivery-check';
import { createTopic, deleteTopic, readWholeTopic } from '@test/support/kafka';
import { appendVersion, unpublishedCount, waitFor } from '@test/support/outbox-rows';
import { killAll, ServiceProcess, startServiceProcess } from '@test/support/service-process';
import { createScratchDatabase, ScratchDatabase } from '@test/support/scratch-database';

// Relays as separate processes, so they can be killed -9. They hold the broker lock while they
// run: a broker stopped by another test would falsify the takeover timing.
const BATCH = 20;
const TIMEOUT_MS = 300_000;

let scratch: ScratchDatabase;
let db: Client;
const processes: ServiceProcess[] = [];
const topics: string[] = [];

beforeAll(async () => {
  scratch = await createScratchDatabase('relay_failover');
  db = new Client({ connectionString: scratch.url });
  await db.connect();
});
afterAll(async () => {
  await killAll(processes);
  await db?.end();
  await scratch?.drop();
  await Promise.all(topics.map((topic) => deleteTopic(topic)));
});

function startRelay(topic: string): ServiceProcess {
  const child = startServiceProcess({ ROLES: 'relay', DATABASE_URL: scratch.url, EVENTS_TOPIC: topic, OUTBOX_BATCH_SIZE: String(BATCH) });
  processes.push(child);
  return child;
}

async function newTopic(prefix: string): Promise<string> {
  const topic = await createTopic(prefix, 3);
  topics.push(topic);
  return topic;
}

const customers = (count: number) => Array.from({ length: count }, () => randomUUID());
const publishedIds = async () => new Set((await db.query<{ id: string }>('SELECT id FROM outbox WHERE published_at IS NOT NULL')).rows.map((row) => row.id));

it('loses nothing when the relay is killed -9 mid-batch and restarted, and repeats only the batch in flight', async () => {
  await withBrokerExclusive(async () => {
    await db.query('TRUNCATE outbox');
    const topic = await newTopic('relay-kill');
    const ids = customers(100);
    for (let version = 1; version <= 50; version++) await appendVersion(db, ids, version);
    const total = ids.length * 50;

    const first = startRelay(topic);
    await waitFor('a fifth of the rows to be published', async () => (await unpublishedCount(db)) <= total * 0.8);
    first.kill('SIGKILL');
    await first.exited;
    const publishedAtKill = await publishedIds();
    const unpublishedAtKill = (await outboxEntries(db)).filter((entry) => !publishedAtKill.has(entry.id)).map((entry) => entry.id);
    expect(unpublishedAtKill.length).toBeGreaterThan(0);

    const second = startRelay(topic);
    await waitFor('the restarted relay to drain the outbox', async () => (await unpublishedCount(db)) === 0);
    second.kill('SIGTERM');
    await second.exited;

    const messages = await readWholeTopic(topic);
    const report = checkDelivery(await outboxEntries(db), messages);
    expect(report).toMatchObject({ lost: [], unexpected: [], outOfOrder: [], misrouted: [] });
    // Duplicates: at most the one batch in flight at the kill, which was never marked published
    // (the restarted relay claims the oldest unpublished rows first).
    const duplicates = [...report.duplicates.keys()];
    expect(duplicates.length).toBeLessThanOrEqual(BATCH);
    expect(unpublishedAtKill.slice(0, BATCH)).toEqual(expect.arrayContaining(duplicates));
    // Every row marked before the kill was acknowledged to the killed relay: its copy is in the
    // topic, written by the first relay's producer (not by the one that came after).
    const secondProducer = messages.reduce((last, message) => (message.offset >= last.offset ? message : last)).producerId;
    const fromFirst = new Set(messages.filter((message) => message.producerId !== secondProducer).map((message) => message.headers.ce_id));
    expect([...publishedAtKill].filter((id) => !fromFirst.has(id))).toEqual([]);
    process.stdout.write(
      `relay kill -9: ${total} rows, ${publishedAtKill.size} published before the kill, ${duplicates.length} duplicates after restart\n`,
    );
  });
}, TIMEOUT_MS);

it('runs exactly one publishing relay of two; the standby takes over within 5 s of a kill -9', async () => {
  await withBrokerExclusive(async () => {
    await db.query('TRUNCATE outbox');
    const topic = await newTopic('relay-pair');
    const pair = [startRelay(topic), startRelay(topic)];
    await Promise.all(pair.map((child) => child.waitForLog(/"msg":"(leading|another relay leads)/)));

    const { rows: holders } = await db.query<{ application_name: string }>(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(holders).toHaveLength(1);
    const leader = pair.find((child) => holders[0].application_name === `customer-service-relay:${child.pid}`)!;
    const standby = pair.find((child) => child !== leader)!;
    expect(leader.output()).toMatch(/"msg":"leading/);
    expect(standby.output()).toMatch(/another relay leads; standing by/);

    // Writes keep coming all along: a round of 10 customers every 50 ms.
    const ids = customers(10);
    let version = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await appendVersion(db, ids, ++version);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await waitFor('the leader to publish', async () => (await db.query('SELECT 1 FROM outbox WHERE published_at IS NOT NULL LIMIT 1')).rowCount === 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(standby.output()).not.toMatch(/"msg":"leading/);

    const killedAt = new Date();
    leader.kill('SIGKILL');
    // Rows written after the kill can only be published by the new leader.
    let takeoverMs = NaN;
    await waitFor('the standby to publish', async () => {
      const { rows } = await db.query<{ first: number | null }>(
        'SELECT (extract(epoch FROM min(published_at)) * 1000)::float8 AS first FROM outbox WHERE created_at > $1 AND published_at IS NOT NULL',
        [killedAt],
      );
      const { first } = rows[0];
      if (first === null) return false;
      takeoverMs = first - killedAt.getTime();
      return true;
    }, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    writing = false;
    await writer;
    await waitFor('the new leader to drain the outbox', async () => (await unpublishedCount(db)) === 0);
    standby.kill('SIGTERM');
    await standby.exited;

    expect(takeoverMs).toBeLessThan(5000);
    const messages = await readWholeTopic(topic);
    const report = checkDelivery(await outboxEntries(db), messages);
    expect(report).toMatchObject({ lost: [], unexpected: [], outOfOrder: [], misrouted: [] });
    expect(report.duplicates.size).toBeLessThanOrEqual(BATCH);
    // One producer per relay, and in every partition all of the first one's messages come first.
    const entries = await outboxEntries(db);
    const firstProducer = messages.find((message) => message.headers.ce_id === entries[0].id)!.producerId;
    expect(new Set(messages.map((message) => message.producerId)).size).toBe(2);
    for (const partition of new Set(messages.map((message) => message.partition))) {
      const order = messages.filter((message) => message.partition === partition).map((message) => (message.producerId === firstProducer ? 1 : 2));
      expect(order).toEqual([...order].sort());
    }
    process.stdout.write(`relay takeover after kill -9: ${Math.round(takeoverMs)} ms; ${messages.length} messages, ${report.duplicates.size} duplicates\n`);
  });
}, TIMEOUT_MS);

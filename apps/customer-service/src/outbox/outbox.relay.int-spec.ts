import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client, Pool } from 'pg';
import { checkDelivery, outboxEntries } from '@test/support/delivery-check';
import { deleteTopic, readWholeTopic } from '@test/support/kafka';
import { appendVersion, waitFor } from '@test/support/outbox-rows';
import { createScratchDatabase, ScratchDatabase } from '@test/support/scratch-database';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { RELAY_LOCK_KEY } from './relay-session';

// The relay in this process, on a database and topics of its own. The fallback poll is set
// to a minute, so anything published within seconds was woken by NOTIFY.
let scratch: ScratchDatabase;
let db: Client;
const topics: string[] = [];

beforeAll(async () => {
  scratch = await createScratchDatabase('relay');
  db = new Client({ connectionString: scratch.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await scratch?.drop();
  await Promise.all(topics.map((topic) => deleteTopic(topic)));
});

async function startRelay(): Promise<{ relay: INestApplicationContext; topic: string }> {
  // The relay's own start-up creates it (as in production).
  const topic = `relay-int.${randomUUID()}`;
  topics.push(topic);
  const config = loadConfig({
    ...process.env, ROLES: 'relay', LOG_LEVEL: 'silent', DATABASE_URL: scratch.url, EVENTS_TOPIC: topic, OUTBOX_POLL_INTERVAL_MS: '60000',
  });
  const relay = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  await relay.init();
  return { relay, topic };
}

const isPublished = async (id: string) =>
  (await db.query('SELECT 1 FROM outbox WHERE id = $1 AND published_at IS NOT NULL', [id])).rowCount === 1;

async function insertRow(client: Client, customer: string, version: number): Promise<string> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES ($1, 'customer', $2, 'customer.updated.v1', $3::jsonb)`,
    [id, customer, JSON.stringify({ event_id: id, customer_guid: customer, version })],
  );
  return id;
}

it('is woken by NOTIFY and never skips a row whose transaction commits after a later one', async () => {
  await db.query('TRUNCATE outbox');
  const { relay, topic } = await startRelay();
  const slow = new Client({ connectionString: scratch.url });
  await slow.connect();
  try {
    const early = await insertRow(db, randomUUID(), 1);
    await waitFor('the first row (NOTIFY, not the 60 s poll)', () => isPublished(early), 5000);

    // `late` takes its sequence number first but commits after `later` has been published.
    await slow.query('BEGIN');
    const late = await insertRow(slow, randomUUID(), 1);
    const later = await insertRow(db, randomUUID(), 1);
    await waitFor('the later row', () => isPublished(later), 5000);
    expect(await isPublished(late)).toBe(false);
    await slow.query('COMMIT');
    await waitFor('the late row', () => isPublished(late), 5000);

    const { rows } = await db.query<{ id: string }>('SELECT id FROM outbox ORDER BY seq');
    expect(rows.map((row) => row.id)).toEqual([early, late, later]);
    const ids = (await readWholeTopic(topic)).map((message) => message.headers.ce_id);
    expect(ids.sort()).toEqual([early, late, later].sort());
  } finally {
    await slow.end();
    await relay.close();
  }
});

// R10: 10,000 rows from transactions that take their sequence numbers, then wait 0-300 ms
// before committing, 25 at once: commits land out of sequence order all the time, while the
// relay publishes. Each customer's versions are written one transaction after another (as the
// row lock on the customer makes the API do), ten customers per transaction.
it('skips none of 10,000 rows committing out of sequence order, and keeps each customer in order', async () => {
  await db.query('TRUNCATE outbox');
  const { relay, topic } = await startRelay();
  const pool = new Pool({ connectionString: scratch.url, max: 25 });
  const [GROUPS, PER_GROUP, VERSIONS] = [50, 10, 20];
  /** Per transaction: its largest sequence number, in the order the transactions committed. */
  const commits: number[] = [];
  const writeGroup = async () => {
    const group = Array.from({ length: PER_GROUP }, () => randomUUID());
    for (let version = 1; version <= VERSIONS; version++) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const seqs: number[] = [];
        for (const customer of group) {
          const id = randomUUID();
          const { rows } = await client.query<{ seq: string }>(
            `INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES ($1, 'customer', $2, 'customer.updated.v1', $3::jsonb) RETURNING seq`,
            [id, customer, JSON.stringify({ event_id: id, customer_guid: customer, version })],
          );
          seqs.push(Number(rows[0].seq));
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
        await client.query('COMMIT');
        commits.push(Math.max(...seqs));
      } finally {
        client.release();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: GROUPS }, writeGroup));
    const total = GROUPS * PER_GROUP * VERSIONS;
    await waitFor('every row to be published', async () => (await db.query('SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT 1')).rowCount === 0, 60_000);

    // Commits that came after a commit holding a larger sequence number: the case a high-water mark would skip.
    let highest = 0;
    const late = commits.filter((seq) => {
      const behind = seq < highest;
      highest = Math.max(highest, seq);
      return behind;
    }).length;
    expect(late).toBeGreaterThan(commits.length / 4);
    const entries = await outboxEntries(db);
    expect(entries).toHaveLength(total);
    const messages = await readWholeTopic(topic, { timeoutMs: 60_000 });
    const report = checkDelivery(entries, messages);
    expect(report).toMatchObject({ lost: [], unexpected: [], outOfOrder: [], misrouted: [] });
    process.stdout.write(`late commits: ${total} rows in ${commits.length} transactions, ${late} committed after a later sequence number; 0 skipped, ${report.duplicates.size} duplicated\n`);
  } finally {
    await pool.end();
    await relay.close();
  }
}, 180_000);

it('deletes published rows past the retention, and keeps newer and unpublished ones', async () => {
  await db.query('TRUNCATE outbox');
  const customer = randomUUID();
  const [expired, kept] = [await insertRow(db, customer, 1), await insertRow(db, customer, 2)];
  await db.query(`UPDATE outbox SET published_at = now() - interval '25 hours' WHERE id = $1`, [expired]);
  await db.query(`UPDATE outbox SET published_at = now() - interval '23 hours' WHERE id = $1`, [kept]);
  const pending = await insertRow(db, customer, 3);
  const { relay } = await startRelay();
  try {
    await waitFor('the purge', async () => (await db.query('SELECT 1 FROM outbox WHERE id = $1', [expired])).rowCount === 0, 5000);
    await waitFor('the unpublished row', () => isPublished(pending), 5000);
    const { rows } = await db.query<{ id: string }>('SELECT id FROM outbox ORDER BY seq');
    expect(rows.map((row) => row.id)).toEqual([kept, pending]);
  } finally {
    await relay.close();
  }
});

it('stops promptly on shutdown and releases the leader lock', async () => {
  await db.query('TRUNCATE outbox');
  const { relay } = await startRelay();
  await appendVersion(db, [randomUUID()], 1);
  await waitFor('the relay to lead and publish', async () => (await db.query('SELECT 1 FROM outbox WHERE published_at IS NULL')).rowCount === 0);
  const started = Date.now();
  await relay.close();
  expect(Date.now() - started).toBeLessThan(5000);
  const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK_KEY]);
  expect(rows[0].locked).toBe(true);
  await db.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK_KEY]);
});

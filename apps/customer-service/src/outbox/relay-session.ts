import { Client } from 'pg';
import { DatabaseConfig } from '../config/app-config';
import { pgConnectionOptions } from '../database/pg-connection';
import { ClaimedRow, LatestSnapshotRow } from './outbox-message';

/** Any constant works; every relay of one database must use the same one. */
export const RELAY_LOCK_KEY = 7_316_204_552;

/** The channel on which a leader that stops announces that the lock is free (see handOver). */
export const HANDOVER_CHANNEL = 'outbox_relay_handover';

/**
 * A row (alias `o`) is held back while its customer has an unpublished parked row, the parked
 * row itself included: a customer's events stay in order (docs/failure-modes.md).
 */
export const NOT_HELD = `NOT EXISTS (SELECT 1 FROM outbox p WHERE p.aggregateid = o.aggregateid AND p.parked_at IS NOT NULL AND p.published_at IS NULL)`;

/** Rows deleted per statement by the retention purge (keeps each delete short). */
const PURGE_CHUNK = 5000;

/**
 * The relay's own PostgreSQL session (never a pooled connection): it holds the advisory lock
 * that makes its relay the leader, LISTENs for new outbox rows, and runs every claim and
 * every "published" update. Should the session die, PostgreSQL releases the lock (a standby
 * takes over) and this relay can no longer mark anything: it must open a new session and
 * win the lock again.
 */
export class RelaySession {
  private failure?: Error;

  private constructor(private readonly client: Client) {}

  /** `onNotify` is called with the channel of every notification: `outbox` (new rows) or {@link HANDOVER_CHANNEL}. */
  static async open(config: DatabaseConfig, onNotify: (channel: string) => void): Promise<RelaySession> {
    const client = new Client({
      ...pgConnectionOptions(config),
      connectionTimeoutMillis: config.connectTimeoutMs,
      statement_timeout: config.statementTimeoutMs,
      query_timeout: config.statementTimeoutMs + 1000,
      keepAlive: true,
      application_name: `customer-service-relay:${process.pid}`,
    });
    const session = new RelaySession(client);
    // Without a listener an idle connection's error would crash the process.
    client.on('error', (error) => (session.failure ??= error));
    client.on('end', () => (session.failure ??= new Error('the relay session ended')));
    client.on('notification', (message) => onNotify(message.channel));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return session;
  }

  /** Throws once the connection has failed: the lock it held is gone. */
  assertAlive(): void {
    if (this.failure) throw this.failure;
  }

  /** Leadership: true when this session holds (or just took) the relay lock. */
  async tryLock(): Promise<boolean> {
    const { rows } = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [RELAY_LOCK_KEY]);
    return rows[0].locked === true;
  }

  /** New outbox rows (a trigger NOTIFYs `outbox` on commit). */
  async listen(): Promise<void> {
    await this.client.query('LISTEN outbox');
  }

  /** A standby hears a leader that stops, and tries the lock at once instead of at its next poll. */
  async listenForHandover(): Promise<void> {
    await this.client.query(`LISTEN ${HANDOVER_CHANNEL}`);
  }

  /**
   * Releases the lock and tells the standbys (a leader that stops cleanly): the NOTIFY is sent
   * after the unlock, so the standby that wakes finds the lock free.
   */
  async handOver(): Promise<void> {
    await this.client.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK_KEY]);
    await this.client.query(`NOTIFY ${HANDOVER_CHANNEL}`);
  }

  /**
   * The oldest unpublished rows in sequence order. Never "seq > last seen": a sequence is
   * taken before commit, so a row can become visible after larger ones (ADR 1).
   */
  async claim(limit: number): Promise<ClaimedRow[]> {
    const { rows } = await this.client.query<ClaimedRow>(
      `SELECT id, seq, aggregateid, type, payload::text AS payload, payload->>'occurred_at' AS occurred_at, created_at, headers
         FROM outbox o WHERE published_at IS NULL AND ${NOT_HELD} ORDER BY seq LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /**
   * Parks a row the broker refused for good: it is claimed no more, and neither is any later
   * row of its customer (see claim), until an operator un-parks it (docs/failure-modes.md).
   */
  async park(id: string, reason: string): Promise<void> {
    this.assertAlive();
    await this.client.query('UPDATE outbox SET parked_at = now(), parked_reason = $2 WHERE id = $1 AND published_at IS NULL', [id, reason]);
  }

  /** Parked rows, and the rows of their customers waiting behind them (both unpublished). */
  async parkedCounts(): Promise<{ parked: number; held: number }> {
    const { rows } = await this.client.query<{ parked: number; held: number }>(
      `SELECT count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked, count(*) FILTER (WHERE parked_at IS NULL)::int AS held
         FROM outbox WHERE published_at IS NULL
          AND aggregateid IN (SELECT aggregateid FROM outbox WHERE parked_at IS NOT NULL AND published_at IS NULL)`,
    );
    return rows[0];
  }

  /**
   * The snapshot each of these rows carries (`payload->'customer'`): what the snapshot topic
   * gets when rows are sent one by one to find a poison, so a row is judged by its own records
   * (a customer's latest snapshot may be the refused record itself).
   */
  async ownSnapshots(ids: readonly string[]): Promise<LatestSnapshotRow[]> {
    const { rows } = await this.client.query<LatestSnapshotRow>(
      `SELECT id, aggregateid, (payload->'customer')::text AS snapshot, payload->>'occurred_at' AS occurred_at, created_at
         FROM outbox WHERE id = ANY($1::uuid[]) AND payload ? 'customer' ORDER BY seq`,
      [ids],
    );
    return rows;
  }

  /**
   * The newest committed outbox row of each of these customers, whatever its state: the
   * snapshot topic gets each customer's latest state, never an older one (ADR 8). A customer
   * of a claimed batch always has one: its unpublished rows are never purged.
   */
  async latestSnapshots(aggregateIds: readonly string[]): Promise<LatestSnapshotRow[]> {
    const { rows } = await this.client.query<LatestSnapshotRow>(
      `SELECT DISTINCT ON (aggregateid) id, aggregateid, (payload->'customer')::text AS snapshot,
              payload->>'occurred_at' AS occurred_at, created_at
         FROM outbox WHERE aggregateid = ANY($1::text[]) AND payload ? 'customer' ORDER BY aggregateid, seq DESC`,
      [aggregateIds],
    );
    return rows;
  }

  /** Called only after Kafka acknowledged every one of these rows. */
  async markPublished(ids: readonly string[]): Promise<void> {
    this.assertAlive();
    await this.client.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[])', [ids]);
  }

  /** Deletes rows published more than `retentionHours` ago; returns how many. */
  async purge(retentionHours: number): Promise<number> {
    let deleted = 0;
    for (let round = 0; round < 100; round++) {
      const result = await this.client.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE published_at < now() - make_interval(hours => $1) LIMIT ${PURGE_CHUNK})`,
        [retentionHours],
      );
      deleted += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < PURGE_CHUNK) break;
    }
    return deleted;
  }

  /** Ends the session; PostgreSQL releases the lock with it. */
  async close(): Promise<void> {
    this.failure ??= new Error('the relay session is closed');
    await this.client.end().catch(() => undefined);
  }
}

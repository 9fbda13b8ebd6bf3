import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ROOT_CONTEXT, SpanKind, SpanOptions } from '@opentelemetry/api';
import { Producer } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { KafkaClient } from '../kafka/kafka-client';
import { TopicProvisioner } from '../kafka/topic-provisioner';
import { inSpan, linkFromHeaders, markFailed } from '../tracing/spans';
import { ClaimedRow, LatestSnapshotRow, SNAPSHOT_ROW_TYPE, toKafkaMessage, toSnapshotMessage } from './outbox-message';
import { poisonType } from './poison';
import { RelayMetrics } from './relay.metrics';
import { HANDOVER_CHANNEL, RelaySession } from './relay-session';
import { backoffMs, Wakeup } from './relay-timing';

/** How often an idle leader deletes published rows past the retention. */
const PURGE_EVERY_MS = 10 * 60_000;
/**
 * The longest wait between attempts to reopen the database session: short, so the relay
 * publishes again within about a second of PostgreSQL accepting connections (R11), and
 * reconnecting once a second costs PostgreSQL nothing worth saving.
 */
const RECONNECT_CAP_MS = 1000;
/** How often an idle leader reads the parked gauges from the table (an operator's replay shows within this). */
const PARKED_REFRESH_MS = 5000;
/** On shutdown, how long a batch in flight may still finish before it is abandoned. */
const SHUTDOWN_GRACE_MS = 3000;

/**
 * The relay role (DESIGN §4, ADR 1): moves committed outbox rows to Kafka. One leader at a time
 * (a PostgreSQL advisory lock on its own session), woken by NOTIFY with a poll as fallback.
 * Each round claims the oldest unpublished rows in sequence order, produces them in one
 * Kafka transaction together with the latest snapshot of each of their customers (ADR 8;
 * idempotent transactional producer, acks from all in-sync replicas, one request in flight)
 * and marks them published only after that transaction commits. Kafka failures are retried
 * forever with capped backoff while the API keeps writing to the outbox. Delivery is
 * at-least-once: a crash between the ack and the update republishes that one batch. A record
 * Kafka refuses for good is parked (ADR 10) with the customer's later rows held behind it.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  /** Ends an idle wait early: NOTIFY (new rows committed) or shutdown. */
  private readonly notified = new Wakeup();
  /** Ends a backoff or standby wait early: shutdown only (new rows must not cut a backoff short). */
  private readonly shutdown = new Wakeup();
  /** Ends a standby's wait early: the leader said it stopped, or shutdown. */
  private readonly handover = new Wakeup();
  private leading = false;
  private stopped = false;
  private stop!: () => void;
  /** Settles on shutdown, so no wait (for the topic, for the lock) outlives the application. */
  private readonly stopping = new Promise<void>((resolve) => (this.stop = resolve));
  private running?: Promise<void>;
  private session?: RelaySession;
  private producer?: Producer;
  private kafkaFailures = 0;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly kafka: KafkaClient,
    private readonly topics: TopicProvisioner,
    private readonly metrics: RelayMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.run();
  }

  /**
   * Runs before the Kafka client closes: lets a batch in flight finish for a moment (a broker
   * that does not answer would hold shutdown for a whole request timeout), then ends the
   * session, which releases the lock to a standby, and disconnects the producer. Rows of an
   * abandoned batch stay unpublished and go out again (at-least-once).
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.stop();
    this.notified.close();
    this.shutdown.close();
    this.handover.close();
    const grace = new Wakeup();
    await Promise.race([this.running, grace.wait(SHUTDOWN_GRACE_MS)]);
    grace.close();
    // A standby takes over now, not at its next lock poll (R13).
    if (this.leading) await this.session?.handOver().catch(() => undefined);
    await this.closeSession();
    await this.dropProducer();
    await this.running;
  }

  /** Leads (or stands by) on one session at a time; a failed session is replaced with backoff. */
  private async run(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.lead(() => (attempt = 0));
      } catch (error) {
        if (this.stopped) break;
        const delayMs = backoffMs(attempt, 250, RECONNECT_CAP_MS);
        this.logger.warn(`relay database session failed (${describe(error)}); reconnecting in ${delayMs} ms`);
        await this.closeSession();
        await this.shutdown.wait(delayMs);
      }
    }
  }

  /** Returns when stopped; throws when the database session fails. */
  private async lead(connected: () => void): Promise<void> {
    const session = await RelaySession.open(this.config.database, (channel) => (channel === HANDOVER_CHANNEL ? this.handover : this.notified).wake());
    this.session = session;
    connected();
    if (!(await this.becomeLeader(session))) return;
    this.leading = true;
    await session.listen();
    // The topic exists before anything is produced to it (the broker never auto-creates).
    await Promise.race([this.topics.whenReady(), this.stopping]).catch(() => undefined);
    if (this.stopped) return;
    this.logger.log(`leading: publishing the outbox to ${this.config.kafka.eventsTopic} and ${this.config.kafka.snapshotsTopic}`);
    let purgeAt = 0;
    let parkedAt = 0;
    while (!this.stopped) {
      session.assertAlive();
      const published = await this.publishBatch(session);
      if (published === this.config.relay.batchSize) continue; // more may be waiting
      if (Date.now() >= parkedAt) {
        await this.refreshParked(session);
        parkedAt = Date.now() + PARKED_REFRESH_MS;
      }
      if (Date.now() >= purgeAt) {
        await this.purge(session);
        purgeAt = Date.now() + PURGE_EVERY_MS;
      }
      await this.notified.wait(this.config.relay.pollIntervalMs);
    }
  }

  /**
   * Waits as a standby until this session holds the lock; false when stopped first. Tries again
   * when the leader announces it stopped, and every OUTBOX_STANDBY_RETRY_MS in case it died
   * without a word.
   */
  private async becomeLeader(session: RelaySession): Promise<boolean> {
    await session.listenForHandover();
    for (let said = false; !this.stopped; said = true) {
      if (await session.tryLock()) return true;
      if (!said) this.logger.log('another relay leads; standing by');
      await this.handover.wait(this.config.relay.standbyRetryMs);
      session.assertAlive();
    }
    return false;
  }

  /**
   * One round: claim, produce in one request, mark only after the ack. Returns how many rows
   * it published, or the batch size after a Kafka failure (to retry at once after the backoff).
   * Database errors are thrown: the session, and with it the lock, must be renewed.
   * The round is one span of its own trace, linked to the trace of every row it publishes
   * (a batch has many parents); the messages carry each row's stored context unchanged.
   */
  private async publishBatch(session: RelaySession): Promise<number> {
    const rows = await session.claim(this.config.relay.batchSize);
    if (rows.length === 0) return 0;
    const snapshots = await session.latestSnapshots([...new Set(rows.map((row) => row.aggregateid))]);
    const failure = await inSpan(`send ${this.config.kafka.eventsTopic}`, this.sendSpan(rows), async (span) => {
      try {
        await this.send(rows, snapshots);
      } catch (error) {
        markFailed(span, error);
        return { error };
      }
      await session.markPublished(rows.map((row) => row.id));
      return undefined;
    }, ROOT_CONTEXT);
    if (failure) {
      if (this.stopped) return 0;
      this.metrics.failures.inc();
      if (poisonType(failure.error)) {
        // One or more of these records is refused for good: find it, park it, send the rest.
        await this.dropProducer();
        const isolated = await this.isolatePoison(session, rows).then(() => undefined, (error: unknown) => ({ error }));
        if (!isolated) return this.config.relay.batchSize;
        if (this.stopped) return 0;
        failure.error = isolated.error;
      }
      await this.afterKafkaFailure(failure.error);
      return this.config.relay.batchSize;
    }
    if (this.kafkaFailures > 0) this.logger.log(`publishing again after ${this.kafkaFailures} failed attempts`);
    this.kafkaFailures = 0;
    return rows.length;
  }

  /**
   * After a batch was refused for good (ADR 10): sends it again one customer at a time, in
   * sequence order within each, so every customer whose records the broker accepts is
   * published. A customer refused as a whole is sent row by row, each row with the snapshot it
   * carries; the first row refused alone is parked, and the customer's later rows stay
   * unpublished behind it (claim skips them). Throws on any other failure (retried with backoff
   * as a whole; what was published so far is marked, so it is not sent again).
   */
  private async isolatePoison(session: RelaySession, rows: readonly ClaimedRow[]): Promise<void> {
    const byCustomer = new Map<string, ClaimedRow[]>();
    for (const row of rows) {
      const customerRows = byCustomer.get(row.aggregateid);
      if (customerRows) customerRows.push(row);
      else byCustomer.set(row.aggregateid, [row]);
    }
    for (const [customer, customerRows] of byCustomer) {
      if (this.stopped) return;
      const refused = await this.sendRefusable(session, customerRows, await session.latestSnapshots([customer]));
      if (refused === undefined) continue;
      for (const row of customerRows) {
        if (this.stopped) return;
        const refusal = await this.sendRefusable(session, [row], await session.ownSnapshots([row.id]));
        if (refusal === undefined) continue;
        await session.park(row.id, refusal);
        this.metrics.parked.inc();
        // Ids and sizes only: the row's values are personal data.
        this.logger.error(
          `parked outbox row ${row.id} (seq ${row.seq}, ${row.type}, customer ${customer}, ${Buffer.byteLength(row.payload)} bytes): ${refusal}; ` +
            `the customer's later events wait behind it until it is replayed (docs/failure-modes.md)`,
        );
        break;
      }
    }
    await this.refreshParked(session);
  }

  /**
   * Sends rows in one transaction and marks them published: undefined when done, the refusal
   * (the broker's error type and text) when the broker refused them for good. Throws on any
   * other failure.
   */
  private async sendRefusable(session: RelaySession, rows: readonly ClaimedRow[], snapshots: readonly LatestSnapshotRow[]): Promise<string | undefined> {
    try {
      await this.send(rows, snapshots);
    } catch (error) {
      await this.dropProducer();
      const type = poisonType(error);
      if (!type) throw error;
      return `${type}: ${describe(error)}`.slice(0, 500);
    }
    await session.markPublished(rows.map((row) => row.id));
    return undefined;
  }

  /** The parked gauges, from the table (a relay that starts, or takes over, reports what is already parked). */
  private async refreshParked(session: RelaySession): Promise<void> {
    const { parked, held } = await session.parkedCounts();
    this.metrics.parkedNow.set(parked);
    this.metrics.heldNow.set(held);
  }

  /** Produces rows and snapshots in one Kafka transaction, and counts them once acknowledged. */
  private async send(rows: readonly ClaimedRow[], snapshots: readonly LatestSnapshotRow[]): Promise<void> {
    const producer = await this.connectedProducer();
    const startedAt = performance.now();
    await this.sendTransaction(producer, rows, snapshots);
    this.metrics.acknowledged(performance.now() - startedAt, rows.map((row) => row.created_at));
  }

  /**
   * The batch's events and its customers' snapshots commit together or not at all, so the two
   * topics survive the same faults; a failed transaction is aborted (and fenced anyway by the
   * next producer with the same transactional id). Backfill rows go to the snapshot topic only.
   */
  private async sendTransaction(producer: Producer, rows: readonly ClaimedRow[], snapshots: readonly LatestSnapshotRow[]): Promise<void> {
    const { eventsTopic, snapshotsTopic } = this.config.kafka;
    const topicMessages = [
      { topic: eventsTopic, messages: rows.filter((row) => row.type !== SNAPSHOT_ROW_TYPE).map(toKafkaMessage) },
      { topic: snapshotsTopic, messages: snapshots.map(toSnapshotMessage) },
    ].filter(({ messages }) => messages.length > 0);
    const transaction = await producer.transaction();
    try {
      await transaction.sendBatch({ acks: -1, topicMessages });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /** OpenTelemetry messaging conventions for a batch publish: a producer span linking every message's creation context. */
  private sendSpan(rows: readonly ClaimedRow[]): SpanOptions {
    return {
      kind: SpanKind.PRODUCER,
      links: rows.flatMap((row) => linkFromHeaders(row.headers)),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': this.config.kafka.eventsTopic,
        'messaging.batch.message_count': rows.length,
      },
    };
  }

  /**
   * The next attempt uses a new producer: a fresh producer id, so its sequence numbers cannot
   * disagree with whatever the broker kept of the failed request.
   */
  private async afterKafkaFailure(error: unknown): Promise<void> {
    const delayMs = backoffMs(++this.kafkaFailures);
    // The error text only, never the rows: they hold personal data.
    this.logger.warn(`publishing attempt ${this.kafkaFailures} failed (${describe(error)}); retrying in ${delayMs} ms`);
    await this.dropProducer();
    await this.shutdown.wait(delayMs);
  }

  private async connectedProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.kafka.relayProducer(this.config.kafka.relayTransactionalId);
    this.producer = producer;
    await producer.connect();
    return producer;
  }

  private async purge(session: RelaySession): Promise<void> {
    const { retentionHours } = this.config.relay;
    const deleted = await session.purge(retentionHours);
    if (deleted > 0) this.logger.log(`purged ${deleted} outbox rows published over ${retentionHours} h ago`);
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.leading = false;
    await session?.close();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

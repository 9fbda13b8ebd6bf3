import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ROOT_CONTEXT, Span } from '@opentelemetry/api';
import { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { PROJECTOR_DATA_SOURCE } from '../database/database.module';
import { AppConfig } from '../config/app-config';
import { driverErrorOf, isDatabaseUnavailable } from '../database/driver-error';
import { KafkaClient } from '../kafka/kafka-client';
import { TopicProvisioner } from '../kafka/topic-provisioner';
import { inSpan, markFailed } from '../tracing/spans';
import { parseCustomerEvent, ProjectedEvent } from './customer-event.parser';
import { ProjectionMetrics } from './projection.metrics';
import { applySpanOptions, OUTCOME_ATTRIBUTE, processSpan } from './projector-tracing';
import { ApplyOutcome } from './apply-outcome';
import { ReadModelWriter } from './read-model.writer';

/**
 * SQLSTATE classes the database raises for values it refuses (22 data exception, 23
 * integrity constraint): retrying such a message can never succeed, so it is recorded and
 * skipped. Any other failure (connection lost, timeout) is thrown, and kafkajs retries the
 * batch from the last resolved offset.
 */
const REFUSED_VALUE = /^2[23]/;

const sqlState = (error: unknown) => driverErrorOf(error).code;
const isRefusedValue = (error: unknown) => {
  const code = sqlState(error);
  return typeof code === 'string' && REFUSED_VALUE.test(code);
};

/** Messages applied per transaction: one commit (and one WAL flush) for up to this many. */
const CHUNK = 200;
/** While PostgreSQL is unreachable, a chunk is tried again this often (R11: applying again within a second of its return). */
const DATABASE_RETRY_MS = 500;

/**
 * The projector role: a consumer group on the events topic that keeps the read model. The
 * messages of a fetched batch are applied in chunks, one transaction per chunk (event ids +
 * snapshots + net count changes); offsets are resolved only after that commit, so a crash
 * repeats messages (absorbed by the event-id record and the version guard) but never loses
 * one. A chunk the database refuses is applied again one message per transaction, so only the
 * refused message is parked, with the later events of its customer behind it (ADR 10); the
 * partition moves on for every other customer.
 */
@Injectable()
export class CustomerProjector implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CustomerProjector.name);
  private consumer?: Consumer;
  /** Connections the projector keeps between chunks, one per partition applied at once (see transaction()). */
  private readonly idleRunners: QueryRunner[] = [];
  private starting?: Promise<void>;
  private stopped = false;
  private stop!: () => void;
  /** Settles on shutdown: start-up must not keep waiting for a topic that will never be ready. */
  private readonly stopping = new Promise<void>((resolve) => (this.stop = resolve));

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly client: KafkaClient,
    private readonly topics: TopicProvisioner,
    @InjectDataSource(PROJECTOR_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly writer: ReadModelWriter,
    private readonly metrics: ProjectionMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.starting = this.start().catch((error: unknown) => {
      if (!this.stopped) this.logger.error(`projector did not start: ${(error as Error).message}`);
    });
  }

  /** Leaves the consumer group (its partitions move to the other instances at once). */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.stop();
    await this.starting;
    await this.consumer?.disconnect().catch(() => undefined);
    await Promise.all(this.idleRunners.splice(0).map((runner) => release(runner)));
  }

  private async start(): Promise<void> {
    await Promise.race([this.topics.whenReady(), this.stopping]);
    if (this.stopped) return;
    const { groupId, fromBeginning, sessionTimeoutMs } = this.config.projector;
    const consumer = this.client.kafka.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.config.kafka.eventsTopic, fromBeginning });
    await consumer.run({
      eachBatchAutoResolve: false,
      // Partitions hold disjoint customers (keyed by customer); they share only count rows,
      // which every transaction locks in key order.
      partitionsConsumedConcurrently: this.config.projector.concurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.logger.log(`projecting ${this.config.kafka.eventsTopic} as consumer group ${groupId}`);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (let from = 0; from < batch.messages.length; from += CHUNK) {
      const chunk = batch.messages.slice(from, from + CHUNK);
      if (!(await this.applyWhileUnavailable(payload, () => this.handleChunk(batch.topic, batch.partition, chunk)))) return;
      payload.resolveOffset(chunk[chunk.length - 1].offset);
      await payload.heartbeat();
    }
  }

  /**
   * Runs `apply` until it succeeds while the database is merely unreachable (down, restarting,
   * in crash recovery): the partition is kept (heartbeats go on) and the chunk is applied as
   * soon as PostgreSQL answers again, instead of failing the batch into kafkajs's restart
   * backoff, which grows to many seconds. False when the consumer stops or the partition moves
   * away meanwhile; other errors are thrown.
   */
  private async applyWhileUnavailable(payload: EachBatchPayload, apply: () => Promise<void>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (!payload.isRunning() || payload.isStale()) return false;
      try {
        await apply();
        if (attempt > 1) this.logger.log(`the database answers again; projecting after ${attempt - 1} failed attempts`);
        return true;
      } catch (error) {
        if (!isDatabaseUnavailable(error) || this.stopped) throw error;
        if (attempt === 1) this.logger.warn(`the database is unreachable (${sqlState(error) ?? (error as Error).message}); retrying every ${DATABASE_RETRY_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, DATABASE_RETRY_MS));
      await payload.heartbeat();
    }
  }

  /**
   * Applies a chunk in one transaction, with the records of the messages it cannot apply
   * (malformed, or naming another counterparty than the customer's): the read model and the
   * error records advance together, before the offsets are resolved. If the database refuses a
   * value, the chunk is rolled back and applied one message at a time instead. Each message
   * gets a span continuing its trace, ended once its transaction committed.
   */
  private async handleChunk(topic: string, partition: number, messages: KafkaMessage[]): Promise<void> {
    const spans = messages.map((message) => processSpan(topic, partition, this.config.projector.groupId, message));
    try {
      await this.applyChunk(topic, partition, messages, spans);
    } catch (error) {
      spans.forEach((span) => markFailed(span, error));
      throw error;
    } finally {
      spans.forEach((span) => span.end());
    }
  }

  private async applyChunk(topic: string, partition: number, messages: KafkaMessage[], spans: Span[]): Promise<void> {
    const events: { offset: string; event: ProjectedEvent; span: Span }[] = [];
    const unusable: Unusable[] = [];
    messages.forEach((message, i) => {
      const parsed = parseCustomerEvent(message.value, message.headers?.ce_id?.toString());
      if (parsed.ok) events.push({ offset: message.offset, event: parsed.event, span: spans[i] });
      else {
        unusable.push({ offset: message.offset, reason: parsed.reason });
        spans[i].setAttribute(OUTCOME_ATTRIBUTE, 'malformed');
      }
    });
    let outcomes: ApplyOutcome[];
    let held: Parked[] = [];
    try {
      outcomes = await this.transaction(async (db) => {
        // A customer with a parked event: its later events wait behind it, unapplied (ADR 10).
        const parkedCustomers = await customersWithParked(db, events.map(({ event }) => event.customer.customer_guid));
        const waiting = events.map(({ event }) => parkedCustomers.has(event.customer.customer_guid));
        held = events.filter((_, i) => waiting[i]).map(({ offset, event }) => parkedOf(offset, event, WAITING));
        const applicable = events.filter((_, i) => !waiting[i]);
        const applied = await this.writer.apply(db, applicable.map(({ event }) => event));
        applied.forEach((outcome, i) => outcome === 'refused' && unusable.push({ offset: applicable[i].offset, reason: FOREIGN_COUNTERPARTY }));
        await recordUnusable(db, topic, partition, unusable);
        await recordParked(db, topic, partition, held);
        let next = 0;
        return waiting.map((isHeld): ApplyOutcome => (isHeld ? 'parked' : applied[next++]));
      }, spans);
    } catch (error) {
      if (!isRefusedValue(error)) throw error;
      for (const [i, message] of messages.entries()) await this.handle(topic, partition, message, spans[i]);
      return;
    }
    outcomes.forEach((outcome, i) => {
      this.metrics.observe(outcome, events[i].event.occurredAt);
      events[i].span.setAttribute(OUTCOME_ATTRIBUTE, outcome);
    });
    this.reportUnusable(topic, partition, unusable);
    this.reportParked(topic, partition, held);
  }

  /**
   * Applies one message, or records why it cannot be applied; throws only for retryable
   * failures. A well-formed event the database refuses is parked, and so is one whose customer
   * has a parked event already (ADR 10).
   */
  private async handle(topic: string, partition: number, message: KafkaMessage, span: Span): Promise<void> {
    const ceId = message.headers?.ce_id?.toString();
    const parsed = parseCustomerEvent(message.value, ceId);
    let unusable: Unusable[] = parsed.ok ? [] : [{ offset: message.offset, reason: parsed.reason }];
    let parked: Parked[] = [];
    try {
      const outcome = await this.transaction(async (db) => {
        if (parsed.ok && (await customersWithParked(db, [parsed.event.customer.customer_guid])).size > 0) {
          parked = [parkedOf(message.offset, parsed.event, WAITING)];
          await recordParked(db, topic, partition, parked);
          return 'parked' as const;
        }
        const [applied] = parsed.ok ? await this.writer.apply(db, [parsed.event]) : [];
        if (applied === 'refused') unusable = [{ offset: message.offset, reason: FOREIGN_COUNTERPARTY }];
        await recordUnusable(db, topic, partition, unusable);
        return applied;
      }, [span]);
      if (parsed.ok && outcome) this.metrics.observe(outcome, parsed.event.occurredAt);
      span.setAttribute(OUTCOME_ATTRIBUTE, outcome ?? 'malformed');
    } catch (error) {
      // Only a parsed event can reach the database: a malformed one never throws a refusal.
      if (!isRefusedValue(error) || !parsed.ok) throw error;
      span.setAttribute(OUTCOME_ATTRIBUTE, 'parked');
      parked = [parkedOf(message.offset, parsed.event, `refused by the database (SQLSTATE ${sqlState(error)})`)];
      await this.transaction((db) => recordParked(db, topic, partition, parked), [span]);
      this.metrics.observe('parked');
    }
    this.reportUnusable(topic, partition, unusable);
    this.reportParked(topic, partition, parked);
  }

  /** Position, customer, version and reason: never values. */
  private reportParked(topic: string, partition: number, parked: readonly Parked[]): void {
    for (const { offset, event, reason } of parked) {
      this.logger.error({ topic, partition, offset, customer: event.customer.customer_guid, version: event.customer.version, reason }, 'parked an event the read model cannot apply (docs/failure-modes.md)');
    }
  }

  /**
   * Runs `work` in a transaction on a connection the projector keeps between chunks (its pool
   * has one per partition applied at once, plus one), so no chunk waits to connect. After a
   * failure the connection is given back and a new one taken for the next attempt. Traced as
   * one span linked to the process spans of the messages it applies.
   */
  private transaction<T>(work: (db: EntityManager) => Promise<T>, spans: readonly Span[]): Promise<T> {
    return inSpan('apply read model', applySpanOptions(spans), () => this.inTransaction(work), ROOT_CONTEXT);
  }

  private async inTransaction<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    let runner = this.idleRunners.pop();
    // A kept connection PostgreSQL closed while idle (restart, idle timeout) is marked released.
    while (runner?.isReleased) runner = this.idleRunners.pop();
    runner ??= this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      const result = await work(runner.manager);
      await runner.commitTransaction();
      if (this.stopped) await release(runner);
      else this.idleRunners.push(runner);
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await release(runner);
      throw error;
    }
  }

  /** Only the position and a reason naming fields, never values: they may be personal data. */
  private reportUnusable(topic: string, partition: number, unusable: readonly Unusable[]): void {
    for (const { offset, reason } of unusable) {
      this.logger.warn({ topic, partition, offset, reason }, 'skipping a message that cannot be projected');
      if (reason !== FOREIGN_COUNTERPARTY) this.metrics.observe('malformed'); // refused ones are counted as an outcome
    }
  }
}

/** A message the projector records in projection_errors instead of applying. */
interface Unusable {
  offset: string;
  reason: string;
}

const FOREIGN_COUNTERPARTY = "counterparty_guid differs from the customer's";

/** The reason of an event parked only because an earlier event of its customer is. */
const WAITING = 'waits behind a parked event of the same customer';

/** An event the projector parks in projection_parked instead of applying (ADR 10). */
interface Parked {
  offset: string;
  event: ProjectedEvent;
  reason: string;
}

const parkedOf = (offset: string, event: ProjectedEvent, reason: string): Parked => ({ offset, event, reason });

/** Those of these customers that have a parked event. */
async function customersWithParked(db: EntityManager, customers: readonly string[]): Promise<Set<string>> {
  if (customers.length === 0) return new Set();
  const rows = await db.query<{ customer_guid: string }[]>(
    `SELECT DISTINCT customer_guid FROM projection_parked WHERE customer_guid = ANY($1::uuid[])`,
    [[...new Set(customers)]],
  );
  return new Set(rows.map((row) => row.customer_guid));
}

async function recordParked(db: EntityManager, topic: string, partition: number, parked: readonly Parked[]): Promise<void> {
  if (parked.length === 0) return;
  await db.query(
    `INSERT INTO projection_parked (topic, partition, "offset", customer_guid, event_id, version, reason)
     SELECT $1, $2, o, c, e, v, r FROM unnest($3::bigint[], $4::uuid[], $5::uuid[], $6::int[], $7::text[]) AS x(o, c, e, v, r)
     ON CONFLICT (topic, partition, "offset") DO NOTHING`,
    [
      topic, partition, parked.map((entry) => entry.offset), parked.map((entry) => entry.event.customer.customer_guid),
      parked.map((entry) => entry.event.eventId), parked.map((entry) => entry.event.customer.version), parked.map((entry) => entry.reason.slice(0, 500)),
    ],
  );
}

async function recordUnusable(db: EntityManager, topic: string, partition: number, unusable: readonly Unusable[]): Promise<void> {
  if (unusable.length === 0) return;
  await db.query(
    `INSERT INTO projection_errors (topic, partition, "offset", reason)
     SELECT $1, $2, o, r FROM unnest($3::bigint[], $4::text[]) AS x(o, r)
     ON CONFLICT (topic, partition, "offset") DO NOTHING`,
    [topic, partition, unusable.map((entry) => entry.offset), unusable.map((entry) => entry.reason.slice(0, 500))],
  );
}

async function release(runner: QueryRunner): Promise<void> {
  await runner.release().catch(() => undefined);
}

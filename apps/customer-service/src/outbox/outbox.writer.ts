import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryPrepared } from '../database/prepared';
import { activeTraceHeaders } from '../tracing/spans';

/** One message for the relay to publish. */
export interface OutboxMessage {
  id: string;
  aggregatetype: string;
  aggregateid: string;
  type: string;
  /** The JSON value, already serialised (exact numbers preserved). */
  payload: string;
  /** Transport headers the relay copies onto the Kafka message. */
  headers: Record<string, string>;
}

/**
 * Appends messages through the command's own EntityManager, so they commit or roll back with
 * the change they describe (transactional outbox: Kafka is never written on the request path).
 * Each row stores the active trace context (the command's transaction span) as W3C
 * `traceparent` / `tracestate` headers: the relay's publish span links to it and the
 * projector continues it. With tracing off there is none, and no trace header is stored.
 */
@Injectable()
export class OutboxWriter {
  async append(db: EntityManager, messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const trace = activeTraceHeaders();
    const traced = messages.map((message) => ({ ...message, headers: { ...message.headers, ...trace } }));
    const { text, values } = outboxInsertSql(traced);
    await queryPrepared(db, `insert-outbox-${messages.length}`, text, values);
  }
}

/** One multi-row INSERT of the messages (exported for the benchmark's framework-free server). */
export function outboxInsertSql(messages: readonly OutboxMessage[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const rows = messages.map((message) => {
    const base = values.length;
    values.push(message.id, message.aggregatetype, message.aggregateid, message.type, message.payload, JSON.stringify(message.headers));
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}::jsonb, $${base + 6}::jsonb)`;
  });
  return { text: `INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, headers) VALUES ${rows.join(', ')}`, values };
}

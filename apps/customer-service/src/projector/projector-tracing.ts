import { Span, SpanKind, SpanOptions } from '@opentelemetry/api';
import { KafkaMessage } from 'kafkajs';
import { contextFromHeaders, startSpan } from '../tracing/spans';

/** What became of a message: applied, duplicate, stale, malformed or refused. */
export const OUTCOME_ATTRIBUTE = 'customer_service.projection.outcome';

/**
 * The processing of one message, as a child of the context its headers carry (the command's
 * transaction span, stored with the outbox row): the projector continues the request's trace.
 * The caller ends it once the message's transaction has committed.
 */
export function processSpan(topic: string, partition: number, groupId: string, message: KafkaMessage): Span {
  return startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.consumer.group.name': groupId,
        'messaging.kafka.offset': Number(message.offset),
        'messaging.message.id': message.headers?.ce_id?.toString() ?? '',
      },
    },
    contextFromHeaders(message.headers),
  );
}

/**
 * The transaction that applies a chunk of messages to the read model: its own span (one
 * transaction serves messages of many traces), linked to each message's process span.
 */
export function applySpanOptions(spans: readonly Span[]): SpanOptions {
  return {
    links: spans.map((span) => ({ context: span.spanContext() })),
    attributes: { 'messaging.batch.message_count': spans.length },
  };
}

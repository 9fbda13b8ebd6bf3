import { CLOUDEVENTS_SPEC_VERSION, CUSTOMER_EVENTS_SOURCE, EVENT_CONTENT_TYPE, EVENT_HEADERS } from '@app/contracts';
import { Message } from 'kafkajs';

/** An unpublished outbox row as the relay claims it. */
export interface ClaimedRow {
  id: string;
  seq: string;
  aggregateid: string;
  type: string;
  /** The stored JSON text (`payload::text`): numbers keep their exact digits. */
  payload: string;
  /** `payload->>'occurred_at'`, when the payload has it. */
  occurred_at: string | null;
  created_at: Date;
  headers: Record<string, unknown> | null;
}

/**
 * The Kafka message of one outbox row (DESIGN §3): key = the aggregate (customer) guid, so one
 * customer's events share a partition and stay in order; value = the stored JSON; CloudEvents
 * binary-mode headers, plus the transport headers stored with the row (e.g. W3C traceparent).
 */
export function toKafkaMessage(row: ClaimedRow): Message {
  return {
    key: row.aggregateid,
    value: row.payload,
    headers: {
      ...storedHeaders(row.headers),
      [EVENT_HEADERS.specVersion]: CLOUDEVENTS_SPEC_VERSION,
      [EVENT_HEADERS.id]: row.id,
      [EVENT_HEADERS.type]: row.type,
      [EVENT_HEADERS.source]: CUSTOMER_EVENTS_SOURCE,
      [EVENT_HEADERS.subject]: row.aggregateid,
      [EVENT_HEADERS.time]: row.occurred_at ?? row.created_at.toISOString(),
      [EVENT_HEADERS.contentType]: EVENT_CONTENT_TYPE,
    },
  };
}

/** Only string values travel; the CloudEvents headers above always win over stored ones. */
function storedHeaders(headers: Record<string, unknown> | null): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

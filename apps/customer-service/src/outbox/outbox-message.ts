import {
  CLOUDEVENTS_SPEC_VERSION,
  CUSTOMER_EVENTS_SOURCE,
  CUSTOMER_SNAPSHOT_V1,
  CUSTOMER_SNAPSHOTS_SOURCE,
  EVENT_CONTENT_TYPE,
  EVENT_HEADERS,
} from '@app/contracts';
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
 * Outbox rows of this type carry a snapshot only (the backfill of customers older than the
 * snapshot topic, migration 1765267200000): the relay sends them to the snapshot topic alone.
 */
export const SNAPSHOT_ROW_TYPE = CUSTOMER_SNAPSHOT_V1;

/** The newest outbox row of one customer, as the relay reads it for the snapshot topic. */
export interface LatestSnapshotRow {
  id: string;
  aggregateid: string;
  /** `payload->'customer'` as JSON text: numbers keep their exact digits. */
  snapshot: string;
  occurred_at: string | null;
  created_at: Date;
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
      ...cloudEventHeaders(row, row.type, CUSTOMER_EVENTS_SOURCE),
    },
  };
}

/**
 * The snapshot-topic record of a customer (ADR 8): same key (hence partition) as its events,
 * value = the customer snapshot of its newest outbox row, `ce_id` = that row's id.
 */
export function toSnapshotMessage(row: LatestSnapshotRow): Message {
  return { key: row.aggregateid, value: row.snapshot, headers: cloudEventHeaders(row, CUSTOMER_SNAPSHOT_V1, CUSTOMER_SNAPSHOTS_SOURCE) };
}

function cloudEventHeaders(row: Pick<ClaimedRow, 'id' | 'aggregateid' | 'occurred_at' | 'created_at'>, type: string, source: string) {
  return {
    [EVENT_HEADERS.specVersion]: CLOUDEVENTS_SPEC_VERSION,
    [EVENT_HEADERS.id]: row.id,
    [EVENT_HEADERS.type]: type,
    [EVENT_HEADERS.source]: source,
    [EVENT_HEADERS.subject]: row.aggregateid,
    [EVENT_HEADERS.time]: row.occurred_at ?? row.created_at.toISOString(),
    [EVENT_HEADERS.contentType]: EVENT_CONTENT_TYPE,
  };
}

/** Only string values travel; the CloudEvents headers above always win over stored ones. */
function storedHeaders(headers: Record<string, unknown> | null): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

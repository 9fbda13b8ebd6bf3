/**
 * CloudEvents 1.0 in Kafka binary mode: the value is the JSON event itself, and every
 * CloudEvents attribute travels as a `ce_`-prefixed UTF-8 header.
 */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** The value's media type (header `content-type`). */
export const EVENT_CONTENT_TYPE = 'application/json';

/** `ce_source` of every event this service publishes (a URI reference). */
export const CUSTOMER_EVENTS_SOURCE = '/customer-service';

/** Header names of a customer event message. */
export const EVENT_HEADERS = {
  /** Always {@link CLOUDEVENTS_SPEC_VERSION}. */
  specVersion: 'ce_specversion',
  /** The event id, equal to the payload's `event_id`: the dedupe key. */
  id: 'ce_id',
  /** The event type, equal to the payload's `type`, e.g. `customer.created.v1`. */
  type: 'ce_type',
  /** Always {@link CUSTOMER_EVENTS_SOURCE}. */
  source: 'ce_source',
  /** The customer guid (also the message key). */
  subject: 'ce_subject',
  /** When the change happened (RFC 3339, UTC), equal to the payload's `occurred_at`. */
  time: 'ce_time',
  /** Always {@link EVENT_CONTENT_TYPE}. */
  contentType: 'content-type',
  /**
   * W3C Trace Context of the command that made the change (CloudEvents distributed-tracing
   * extension, under its W3C name so OpenTelemetry consumers continue the trace as they are);
   * present when the service traces (OpenTelemetry on).
   */
  traceparent: 'traceparent',
  /** W3C Trace Context vendor state going with `traceparent`, when there is any. */
  tracestate: 'tracestate',
} as const;

/** The headers of a customer event message, by name, as UTF-8 strings. */
export interface CustomerEventHeadersV1 {
  ce_specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  ce_id: string;
  ce_type: string;
  ce_source: string;
  ce_subject: string;
  ce_time: string;
  'content-type': typeof EVENT_CONTENT_TYPE;
  traceparent?: string;
  tracestate?: string;
}

/** `ce_source` of every snapshot record (`customer.snapshots.v1`): with `ce_id` it names a record uniquely. */
export const CUSTOMER_SNAPSHOTS_SOURCE = '/customer-service/snapshots';

/** `ce_type` of every snapshot record. */
export const CUSTOMER_SNAPSHOT_V1 = 'customer.snapshot.v1';

/**
 * The headers of a snapshot record: the same names as an event's. `ce_id` is the id of the
 * latest event (or backfill) the snapshot reflects; `ce_time` when that change happened.
 */
export interface CustomerSnapshotHeadersV1 {
  ce_specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  ce_id: string;
  ce_type: typeof CUSTOMER_SNAPSHOT_V1;
  ce_source: typeof CUSTOMER_SNAPSHOTS_SOURCE;
  ce_subject: string;
  ce_time: string;
  'content-type': typeof EVENT_CONTENT_TYPE;
}

import {
  CLOUDEVENTS_SPEC_VERSION,
  CUSTOMER_EVENTS_SOURCE,
  CUSTOMER_SNAPSHOT_V1,
  CUSTOMER_SNAPSHOTS_SOURCE,
  EVENT_CONTENT_TYPE,
} from '../cloudevents';
import { CUSTOMER_ACCOUNT_OPENED_V1, CUSTOMER_CREATED_V1, CUSTOMER_UPDATED_V1, CustomerEventTypeV1 } from './customer-events.v1';
import {
  ACTOR_V1_SCHEMA,
  CUSTOMER_PROFILE_FIELD_SCHEMAS,
  CUSTOMER_SNAPSHOT_V1_SCHEMA,
  WALLET_ACCOUNT_SNAPSHOT_V1_SCHEMA,
} from './customer-snapshot.v1.schema';

/** The JSON Schema dialect of every schema here (AsyncAPI 3.0's default schema format extends it). */
export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';

const baseProperties = {
  event_id: { type: 'string', format: 'uuid', description: 'Unique per event; equals the `ce_id` header. The dedupe key.' },
  occurred_at: { type: 'string', format: 'date-time', description: 'RFC 3339, UTC; equals the `ce_time` header.' },
  counterparty_guid: { type: 'string', format: 'uuid' },
  customer_guid: { type: 'string', format: 'uuid', description: 'Equals the message key and the `ce_subject` header.' },
  version: { type: 'integer', minimum: 1, description: "The customer's version after this change; consecutive per customer." },
  actor: ACTOR_V1_SCHEMA,
  customer: CUSTOMER_SNAPSHOT_V1_SCHEMA,
} as const;
const baseRequired = ['event_id', 'type', 'occurred_at', 'counterparty_guid', 'customer_guid', 'version', 'actor', 'customer'] as const;

const change = <T extends object>(field: T) =>
  ({ type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: field, to: field } }) as const;

export const CUSTOMER_CREATED_V1_SCHEMA = {
  title: 'CustomerCreatedV1',
  description: 'A customer was created together with their first wallet account (version 1).',
  type: 'object',
  additionalProperties: false,
  required: baseRequired,
  properties: { ...baseProperties, type: { const: CUSTOMER_CREATED_V1 } },
} as const;

export const CUSTOMER_UPDATED_V1_SCHEMA = {
  title: 'CustomerUpdatedV1',
  description: "A customer's profile changed; `changes` lists only the fields whose value changed.",
  type: 'object',
  additionalProperties: false,
  required: [...baseRequired, 'changes'],
  properties: {
    ...baseProperties,
    type: { const: CUSTOMER_UPDATED_V1 },
    changes: {
      type: 'object',
      description: 'Field name → its value before and after the change.',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(
        Object.entries(CUSTOMER_PROFILE_FIELD_SCHEMAS).map(([name, schema]) => [name, change(schema)]),
      ) as Record<keyof typeof CUSTOMER_PROFILE_FIELD_SCHEMAS, object>,
    },
  },
} as const;

export const CUSTOMER_ACCOUNT_OPENED_V1_SCHEMA = {
  title: 'CustomerAccountOpenedV1',
  description: 'A further wallet account was opened for the customer.',
  type: 'object',
  additionalProperties: false,
  required: [...baseRequired, 'account'],
  properties: { ...baseProperties, type: { const: CUSTOMER_ACCOUNT_OPENED_V1 }, account: WALLET_ACCOUNT_SNAPSHOT_V1_SCHEMA },
} as const;

/** The value schema of each event type (the `ce_type` header names the type). */
export const CUSTOMER_EVENT_V1_SCHEMAS: Readonly<Record<CustomerEventTypeV1, object>> = {
  [CUSTOMER_CREATED_V1]: CUSTOMER_CREATED_V1_SCHEMA,
  [CUSTOMER_UPDATED_V1]: CUSTOMER_UPDATED_V1_SCHEMA,
  [CUSTOMER_ACCOUNT_OPENED_V1]: CUSTOMER_ACCOUNT_OPENED_V1_SCHEMA,
};

const CLOUDEVENT_HEADERS_REQUIRED = ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_subject', 'ce_time', 'content-type'] as const;
const SPEC_VERSION_HEADER = { const: CLOUDEVENTS_SPEC_VERSION } as const;
const SUBJECT_HEADER = { type: 'string', format: 'uuid', description: 'The customer guid (also the message key).' } as const;
const CONTENT_TYPE_HEADER = { const: EVENT_CONTENT_TYPE } as const;

/** The headers of every customer event message (CloudEvents 1.0, Kafka binary mode). */
export const CUSTOMER_EVENT_HEADERS_V1_SCHEMA = {
  title: 'CustomerEventHeadersV1',
  type: 'object',
  required: CLOUDEVENT_HEADERS_REQUIRED,
  properties: {
    ce_specversion: SPEC_VERSION_HEADER,
    ce_id: { type: 'string', format: 'uuid', description: 'The event id (payload `event_id`): the dedupe key.' },
    ce_type: { enum: [CUSTOMER_CREATED_V1, CUSTOMER_UPDATED_V1, CUSTOMER_ACCOUNT_OPENED_V1] },
    ce_source: { const: CUSTOMER_EVENTS_SOURCE },
    ce_subject: SUBJECT_HEADER,
    ce_time: { type: 'string', format: 'date-time', description: 'When the change happened (payload `occurred_at`).' },
    'content-type': CONTENT_TYPE_HEADER,
    traceparent: {
      type: 'string',
      pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
      description: "W3C Trace Context of the command that made the change (the CloudEvents distributed-tracing extension); present when the service traces. Continue it to join the request's trace.",
    },
    tracestate: {
      type: 'string',
      maxLength: 512,
      description: 'W3C Trace Context vendor state that goes with `traceparent`, when there is any.',
    },
  },
} as const;

/** The headers of every snapshot record on `customer.snapshots.v1` (CloudEvents 1.0, Kafka binary mode). */
export const CUSTOMER_SNAPSHOT_HEADERS_V1_SCHEMA = {
  title: 'CustomerSnapshotHeadersV1',
  type: 'object',
  required: CLOUDEVENT_HEADERS_REQUIRED,
  properties: {
    ce_specversion: SPEC_VERSION_HEADER,
    ce_id: { type: 'string', format: 'uuid', description: 'The id of the latest change (event or backfill) this snapshot reflects.' },
    ce_type: { const: CUSTOMER_SNAPSHOT_V1 },
    ce_source: { const: CUSTOMER_SNAPSHOTS_SOURCE },
    ce_subject: SUBJECT_HEADER,
    ce_time: { type: 'string', format: 'date-time', description: 'When that change happened.' },
    'content-type': CONTENT_TYPE_HEADER,
  },
} as const;

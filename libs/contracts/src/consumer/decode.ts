import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { CustomerEventHeadersV1, CustomerSnapshotHeadersV1 } from '../cloudevents';
import { CustomerEventV1 } from '../events/customer-events.v1';
import {
  CUSTOMER_EVENT_HEADERS_V1_SCHEMA,
  CUSTOMER_EVENT_V1_SCHEMAS,
  CUSTOMER_SNAPSHOT_HEADERS_V1_SCHEMA,
} from '../events/customer-events.v1.schema';
import { CustomerSnapshotV1 } from '../events/customer-snapshot.v1';
import { CUSTOMER_SNAPSHOT_V1_SCHEMA } from '../events/customer-snapshot.v1.schema';
import { MalformedMessageError } from './malformed-message.error';

/** A Kafka message as clients hand it over (kafkajs' `KafkaMessage` fits). */
export interface KafkaMessageLike {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** Numbers a double cannot always hold, as the exact decimal text that was sent. */
export interface ExactNumbers {
  /** The snapshot's `balance_allowed`, e.g. `"899999999.1234567"`: store it as a decimal. */
  balance_allowed: string;
}

export interface DecodedEvent {
  event: CustomerEventV1;
  headers: CustomerEventHeadersV1;
  /** Exact numbers of `event.customer`. */
  exact: ExactNumbers;
}

export interface DecodedSnapshot {
  snapshot: CustomerSnapshotV1;
  headers: CustomerSnapshotHeadersV1;
  /** Exact numbers of `snapshot`. */
  exact: ExactNumbers;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv, ['uuid', 'date-time']);
const eventValue = new Map<string, ValidateFunction>(
  Object.entries(CUSTOMER_EVENT_V1_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
);
const eventHeaders = ajv.compile(CUSTOMER_EVENT_HEADERS_V1_SCHEMA);
const snapshotValue = ajv.compile(CUSTOMER_SNAPSHOT_V1_SCHEMA);
const snapshotHeaders = ajv.compile(CUSTOMER_SNAPSHOT_HEADERS_V1_SCHEMA);

/**
 * A message of `customer.events.v1`, validated against the contract's JSON Schemas (headers and
 * value), its key, headers and value checked against each other.
 * @throws MalformedMessageError for anything else
 */
export function decodeCustomerEvent(message: KafkaMessageLike): DecodedEvent {
  const headers = validHeaders<CustomerEventHeadersV1>(message, eventHeaders);
  const validate = eventValue.get(headers.ce_type)!;
  const { value, exact } = validValue<CustomerEventV1>(message, validate);
  const mismatches = [
    value.event_id !== headers.ce_id && 'ce_id differs from event_id',
    value.type !== headers.ce_type && 'ce_type differs from type',
    ...sameCustomer(message, headers, value.customer),
    ...selfConsistent(value),
  ];
  inconsistentIf(mismatches);
  return { event: value, headers, exact };
}

/** A customer event's value read apart from its message: the event and its exact numbers. */
export interface DecodedEventValue {
  event: CustomerEventV1;
  /** Exact numbers of `event.customer`, when the document was parsed losslessly (lossless-json). */
  exact: ExactNumbers;
}

/**
 * The value of a customer event on its own, already parsed as JSON (with lossless-json, to keep
 * exact numbers; `JSON.parse` works too): validated against the JSON Schema of its own `type` and
 * checked against itself (the snapshot is of the event's customer, counterparty and version; the
 * accounts are that customer's). For a reader that has the value without the contract's headers,
 * e.g. a rebuild from stored values; a consumer of the topic uses {@link decodeCustomerEvent}.
 * @throws MalformedMessageError (`SCHEMA_VIOLATION` or `INCONSISTENT`)
 */
export function decodeCustomerEventValue(document: unknown): DecodedEventValue {
  const value = toPlain(document);
  const type = isObject(value) ? value.type : undefined;
  const validate = typeof type === 'string' ? eventValue.get(type) : undefined;
  if (validate === undefined) {
    throw new MalformedMessageError('SCHEMA_VIOLATION', [isObject(value) ? '/type must be a customer event type' : '/ must be object']);
  }
  if (!validate(value)) throw new MalformedMessageError('SCHEMA_VIOLATION', describe(validate.errors));
  const event = value as CustomerEventV1;
  inconsistentIf(selfConsistent(event));
  return { event, exact: { balance_allowed: balanceText(document) } };
}

/**
 * A record of `customer.snapshots.v1`, validated like {@link decodeCustomerEvent}.
 * @throws MalformedMessageError for anything else
 */
export function decodeCustomerSnapshot(message: KafkaMessageLike): DecodedSnapshot {
  const headers = validHeaders<CustomerSnapshotHeadersV1>(message, snapshotHeaders);
  const { value, exact } = validValue<CustomerSnapshotV1>(message, snapshotValue);
  inconsistentIf([...sameCustomer(message, headers, value), ownAccounts(value)]);
  return { snapshot: value, headers, exact };
}

function sameCustomer(message: KafkaMessageLike, headers: { ce_subject: string }, customer: CustomerSnapshotV1) {
  const key = message.key === undefined || message.key === null ? undefined : message.key.toString();
  return [
    key !== customer.customer_guid && 'the message key differs from the customer guid',
    headers.ce_subject !== customer.customer_guid && 'ce_subject differs from the customer guid',
  ];
}

/** What an event's value says twice must agree: the snapshot is of the event's customer and version. */
function selfConsistent(value: CustomerEventV1) {
  return [
    value.customer_guid !== value.customer.customer_guid && 'customer_guid differs from customer.customer_guid',
    value.counterparty_guid !== value.customer.counterparty_guid && 'counterparty_guid differs from customer.counterparty_guid',
    value.version !== value.customer.version && 'version differs from customer.version',
    ownAccounts(value.customer),
  ];
}

function ownAccounts(customer: CustomerSnapshotV1): string | false {
  const foreign = customer.accounts.some((a) => a.customer_guid !== customer.customer_guid || a.counterparty_guid !== customer.counterparty_guid);
  return foreign && 'an account belongs to another customer';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function inconsistentIf(mismatches: (string | false)[]): void {
  const problems = mismatches.filter((problem): problem is string => problem !== false);
  if (problems.length > 0) throw new MalformedMessageError('INCONSISTENT', problems);
}

function validHeaders<T>(message: KafkaMessageLike, validate: ValidateFunction): T {
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    if (raw === undefined) continue;
    if (Array.isArray(raw)) throw new MalformedMessageError('INVALID_HEADERS', [`${name}: repeated`]);
    headers[name] = raw.toString();
  }
  if (!validate(headers)) throw new MalformedMessageError('INVALID_HEADERS', describe(validate.errors));
  return headers as T;
}

function validValue<T>(message: KafkaMessageLike, validate: ValidateFunction): { value: T; exact: ExactNumbers } {
  if (message.value === null || message.value.length === 0) throw new MalformedMessageError('EMPTY_VALUE', ['no value']);
  let lossless: unknown;
  try {
    lossless = parseLossless(message.value.toString());
  } catch {
    throw new MalformedMessageError('INVALID_JSON', ['the value is not one well-formed JSON document']);
  }
  const value = toPlain(lossless);
  if (!validate(value)) throw new MalformedMessageError('SCHEMA_VIOLATION', describe(validate.errors));
  return { value: value as T, exact: { balance_allowed: balanceText(lossless) } };
}

/** `balance_allowed` of the customer: at the top of a snapshot, under `customer` in an event. */
function balanceText(lossless: unknown): string {
  const root = lossless as { customer?: { balance_allowed?: unknown }; balance_allowed?: unknown };
  const number = (root.customer ?? root).balance_allowed;
  return isLosslessNumber(number) ? number.value : String(number);
}

/** The parsed document with plain numbers, for the schema check (exact text is kept apart). */
function toPlain(value: unknown): unknown {
  if (isLosslessNumber(value)) return Number(value.value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPlain(item)]));
  }
  return value;
}

/** Field paths and rules, never the values (they may be personal data). */
function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}


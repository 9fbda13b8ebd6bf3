import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { CUSTOMER_EVENT_HEADERS_V1_SCHEMA, CUSTOMER_EVENT_V1_SCHEMAS } from '@app/contracts';

/**
 * Validates event messages against the published contract (libs/contracts' JSON Schemas), the
 * way a consumer would: headers as UTF-8 strings, the value as JSON.
 */
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);

const values = new Map<string, ValidateFunction>(
  Object.entries(CUSTOMER_EVENT_V1_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
);
const headers = ajv.compile(CUSTOMER_EVENT_HEADERS_V1_SCHEMA);

/** The problems with one event value of the given type (empty when valid). */
export function valueErrors(type: string, value: unknown): string[] {
  const validate = values.get(type);
  if (!validate) return [`unknown event type ${JSON.stringify(type)}`];
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}

/** The problems with one message's headers (empty when valid). */
export function headerErrors(messageHeaders: Record<string, string>): string[] {
  return headers(messageHeaders) ? [] : (headers.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}

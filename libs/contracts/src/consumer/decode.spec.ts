import { randomUUID } from 'node:crypto';
import { decodeCustomerEvent, decodeCustomerEventValue, decodeCustomerSnapshot, isNewer, KafkaMessageLike, MalformedMessageError, MalformedReason } from '../index';

const ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';
const customerGuid = randomUUID();
const counterparty = randomUUID();
const eventId = randomUUID();
/** A .NET timestamp (7 fraction digits) and a Java one (an offset, no fraction). */
const dotNetTime = '2026-12-02T10:15:30.1234567Z';
const javaTime = '2026-12-02T11:15:30+01:00';

const customerJson = (balance: string, version = 2) => `{
  "customer_guid": "${customerGuid}", "counterparty_guid": "${counterparty}", "login": "Ζωή.Παπαδοπούλου",
  "name": "Ёлка", "surname": "Müller-Lüdenscheidt", "paternal_name": "Ильинична", "phone_number": "+306912345678",
  "kyc_level": 2, "is_disabled": false, "balance_allowed": ${balance}, "balance_asset_code": "EURC",
  "balance_asset_issuer": "${ISSUER}", "branch_guid": null, "segment": "PL", "status": "active", "version": ${version},
  "created_at": "${dotNetTime}", "updated_at": "${javaTime}",
  "accounts": [{ "wallet_account_guid": "${randomUUID()}", "customer_guid": "${customerGuid}", "counterparty_guid": "${counterparty}",
    "iban": "DE89370400440532013000", "asset_code": "EURC", "asset_issuer": "${ISSUER}", "activated": true, "registered": true,
    "blocked": false, "type": "customer", "created_at": "${dotNetTime}", "updated_at": "${dotNetTime}" }]
}`;

const eventJson = (balance = '899999999.1234567') => `{
  "event_id": "${eventId}", "type": "customer.updated.v1", "occurred_at": "${dotNetTime}", "counterparty_guid": "${counterparty}",
  "customer_guid": "${customerGuid}", "version": 2, "actor": { "sub": "employee-1", "branch_guid": null },
  "customer": ${customerJson(balance)}, "changes": { "name": { "from": "Elka", "to": "Ёлка" } }
}`;

const headers = (fields: Record<string, string> = {}) => ({
  ce_specversion: '1.0', ce_id: eventId, ce_type: 'customer.updated.v1', ce_source: '/customer-service', ce_subject: customerGuid,
  ce_time: dotNetTime, 'content-type': 'application/json', ...fields,
});

const eventMessage = (overrides: Partial<KafkaMessageLike> = {}): KafkaMessageLike => ({
  key: Buffer.from(customerGuid),
  value: Buffer.from(eventJson()),
  headers: Object.fromEntries(Object.entries(headers()).map(([name, value]) => [name, Buffer.from(value)])),
  ...overrides,
});

function reasonOf(decode: () => unknown): MalformedReason | undefined {
  try {
    decode();
  } catch (error) {
    if (error instanceof MalformedMessageError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('decodeCustomerEvent', () => {
  it('decodes a valid event with Cyrillic and Greek names, .NET and Java timestamps, and money digits kept exactly', () => {
    const { event, headers: decodedHeaders, exact } = decodeCustomerEvent(eventMessage());
    expect(event.type).toBe('customer.updated.v1');
    expect(event.customer.name).toBe('Ёлка');
    expect(event.customer.login).toBe('Ζωή.Παπαδοπούλου');
    expect(event.customer.created_at).toBe(dotNetTime);
    expect(decodedHeaders.ce_id).toBe(eventId);
    expect(exact.balance_allowed).toBe('899999999.1234567');
  });

  it.each([
    ['no value', { value: null }, 'EMPTY_VALUE'],
    ['a value that is not JSON', { value: Buffer.from('{"event_id":') }, 'INVALID_JSON'],
    ['duplicate keys', { value: Buffer.from('{"a": 1, "a": 2}') }, 'INVALID_JSON'],
    ['a missing ce_id header', { headers: { ...headers(), ce_id: undefined } }, 'INVALID_HEADERS'],
    ['an unknown event type', { headers: headers({ ce_type: 'customer.deleted.v1' }) }, 'INVALID_HEADERS'],
    ['a repeated header', { headers: { ...headers(), ce_id: [eventId, eventId] } }, 'INVALID_HEADERS'],
    ['a negative balance', { value: Buffer.from(eventJson('-1')) }, 'SCHEMA_VIOLATION'],
    ['an unknown field', { value: Buffer.from(eventJson().replace('"version": 2,', '"version": 2, "extra": 1,')) }, 'SCHEMA_VIOLATION'],
    ['ce_id ≠ event_id', { headers: headers({ ce_id: randomUUID() }) }, 'INCONSISTENT'],
    ['a key of another customer', { key: Buffer.from(randomUUID()) }, 'INCONSISTENT'],
    ['ce_type ≠ type', { headers: headers({ ce_type: 'customer.created.v1' }) }, 'SCHEMA_VIOLATION'],
  ] as const)('refuses %s with a typed error', (_name, overrides, reason) => {
    expect(reasonOf(() => decodeCustomerEvent(eventMessage(overrides as Partial<KafkaMessageLike>)))).toBe(reason);
  });

  it('names fields, never their values, in the error', () => {
    const value = Buffer.from(eventJson().replace('"phone_number": "+306912345678"', '"phone_number": "secret-Ёлка"'));
    const error = (() => {
      try {
        decodeCustomerEvent(eventMessage({ value }));
      } catch (caught) {
        return caught as MalformedMessageError;
      }
    })();
    expect(error?.problems.join(' ')).toContain('/customer/phone_number');
    expect(error?.message).not.toContain('secret');
  });
});

describe('decodeCustomerEventValue', () => {
  const problemsOf = (document: unknown) => {
    try {
      decodeCustomerEventValue(document);
    } catch (error) {
      if (error instanceof MalformedMessageError) return { reason: error.reason, problems: error.problems };
      throw error;
    }
    return undefined;
  };

  it('checks a value without headers against the schema of its own type', () => {
    const { event } = decodeCustomerEventValue(JSON.parse(eventJson()));
    expect(event.type).toBe('customer.updated.v1');
    const created = { ...(JSON.parse(eventJson()) as Record<string, unknown>), type: 'customer.created.v1' };
    expect(problemsOf(created)).toEqual({ reason: 'SCHEMA_VIOLATION', problems: ['/ must NOT have additional properties'] });
    expect(problemsOf({ ...created, type: 'customer.deleted.v1' })).toEqual({ reason: 'SCHEMA_VIOLATION', problems: ['/type must be a customer event type'] });
    expect(problemsOf('customer.created.v1')).toEqual({ reason: 'SCHEMA_VIOLATION', problems: ['/ must be object'] });
  });

  it('refuses a value whose snapshot is of another version', () => {
    expect(problemsOf(JSON.parse(eventJson().replace('"version": 2,', '"version": 3,')))).toEqual({
      reason: 'INCONSISTENT', problems: ['version differs from customer.version'],
    });
  });
});

describe('decodeCustomerSnapshot', () => {
  const snapshotHeaders = { ...headers({ ce_type: 'customer.snapshot.v1', ce_source: '/customer-service/snapshots' }) };
  it('decodes a snapshot record, keeping the exact money text', () => {
    const { snapshot, exact } = decodeCustomerSnapshot({ key: customerGuid, value: customerJson('0.0000001', 7), headers: snapshotHeaders });
    expect(snapshot.version).toBe(7);
    expect(exact.balance_allowed).toBe('0.0000001');
  });

  it('refuses an event on the snapshot topic', () => {
    expect(reasonOf(() => decodeCustomerSnapshot(eventMessage()))).toBe('INVALID_HEADERS');
  });
});

describe('isNewer', () => {
  it('applies the first version seen and then only higher ones', () => {
    expect(isNewer(1, undefined)).toBe(true);
    expect(isNewer(1, null)).toBe(true);
    expect(isNewer(3, 2)).toBe(true);
    expect(isNewer(2, 2)).toBe(false);
    expect(isNewer(1, 2)).toBe(false);
  });
});

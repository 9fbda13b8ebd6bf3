import fc from 'fast-check';
import { CUSTOMER_EVENTS_TOPIC } from '@app/contracts';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { expectErrorBody } from './support/error-body';
import { readWholeTopic } from './support/kafka';

/**
 * Property-based, with generated Unicode: every plane, combining marks, right-to-left text and
 * bidi controls, lone surrogates, NUL, and very long values, in every string field of a body
 * and every text query value. The service must never answer 5xx, its errors keep their
 * shape, it accepts exactly the values its rules allow, and what it accepts comes back
 * byte-identical (trimmed, nothing else) from GET and in the published event.
 */
const SEED = 20261202;
const RUNS = 150;

let service: RunningApp;
let base: string;
beforeAll(async () => {
  service = await startApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  base = `${service.api}/counterparty/${newCounterparty()}/customers`;
});
afterAll(async () => {
  await service?.close();
});

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));
const combiningMark = fc.integer({ min: 0x300, max: 0x36f }).map((code) => String.fromCodePoint(code));
const rightToLeft = fc.constantFrom('\u05d0\u05d1', '\u0627\u0644', '\u202e', '\u200f', '\u2067');
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) }, // any code point, astral planes included
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: combiningMark },
  { weight: 1, arbitrary: rightToLeft },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', ' ', '\u00a0', '\ufeff', '\t', '\u2028') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 200, maxLength: 320 }) },
);
const unicodeText = fc.array(piece, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(''));

/** What the service's clean-text rule accepts (fields/field-rules.ts `text`), restated as the oracle. */
function acceptable(value: string, max: number): boolean {
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.isWellFormed() && !/[\p{Cc}\u2028\u2029]/u.test(trimmed) && [...trimmed].length <= max;
}

/** Percent-encodes every UTF-16 unit as UTF-8 would (lone surrogates as the 3 bytes WTF-8 gives them), as a careless client might. */
function percentEncode(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    const bytes =
      code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        : [...Buffer.from(char, 'utf8')];
    out += bytes.map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  }
  return out;
}

const TEXT_FIELDS: [string, number][] = [['name', 255], ['surname', 255], ['paternal_name', 255], ['status', 64], ['login', 255]];
const OTHER_STRING_FIELDS = ['phone_number', 'iban', 'asset_code', 'asset_issuer', 'balance_asset_code', 'branch_guid', 'segment'];

describe(`generated Unicode in every string field (${RUNS} runs each, seed ${SEED})`, () => {
  const accepted: { customer: string; field: string; value: string }[] = [];

  it.each(TEXT_FIELDS)('%s: accepted exactly when the text rule allows it, never a 5xx', async (field, max) => {
    await fc.assert(
      fc.asyncProperty(unicodeText, async (value) => {
        const reply = await call<CreatedCustomerResponse>('POST', base, JSON.stringify({ asset_code: 'EURC', asset_issuer: ISSUER, [field]: value }));
        expect(reply.status).toBeLessThan(500);
        if (reply.status >= 400) expectErrorBody(reply, reply.status);
        if (field === 'login' && reply.status === 409) return; // a generated login can repeat an earlier one
        expect(reply.status).toBe(acceptable(value, max) ? 200 : 400);
        if (reply.status === 200) accepted.push({ customer: reply.json.customer_guid, field, value: value.trim() });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it.each(OTHER_STRING_FIELDS)('%s: never a 5xx, errors in the documented shape', async (field) => {
    await fc.assert(
      fc.asyncProperty(unicodeText, async (value) => {
        const reply = await call('POST', base, JSON.stringify({ asset_code: 'EURC', asset_issuer: ISSUER, [field]: value }));
        expect(reply.status).toBeLessThan(500);
        if (reply.status >= 400) expectErrorBody(reply, reply.status);
      }),
      { seed: SEED, numRuns: RUNS / 3 },
    );
  }, 120_000);

  it('gives back every accepted value byte-identical from GET and in the published event', async () => {
    expect(accepted.length).toBeGreaterThan(100); // the generator reaches acceptance, or this proves little
    for (const { customer, field, value } of accepted) {
      const reply = await call<Record<string, unknown>>('GET', `${base}/${customer}?min_version=1`);
      expect(reply.status).toBe(200);
      expect(reply.json[field]).toBe(value);
    }
    const wanted = new Map(accepted.map((entry) => [entry.customer, entry]));
    const events = (await readWholeTopic(CUSTOMER_EVENTS_TOPIC)).filter((message) => wanted.has(message.key));
    expect(new Set(events.map((message) => message.key)).size).toBe(wanted.size);
    for (const message of events) {
      const { field, value } = wanted.get(message.key)!;
      expect((JSON.parse(message.value) as { customer: Record<string, unknown> }).customer[field]).toBe(value);
    }
  }, 120_000);
});

describe(`generated Unicode in every text query value (${RUNS} runs each, seed ${SEED})`, () => {
  const TEXT_PARAMS: [string, number][] = [['search_string', 255], ['logins', 255], ['names', 255], ['surnames', 255], ['paternal_names', 255], ['statuses', 64]];

  it.each(TEXT_PARAMS)('%s: 200 exactly when the text rule allows the value, else 400; never a 5xx', async (name, max) => {
    await fc.assert(
      fc.asyncProperty(unicodeText, async (value) => {
        const reply = await call('GET', `${base}?${name}=${percentEncode(value)}`);
        expect(reply.status).toBeLessThan(500);
        if (reply.status >= 400) expectErrorBody(reply, reply.status);
        expect(reply.status).toBe(acceptable(value, max) ? 200 : 400);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it.each(['wallet_user_guids', 'phone_numbers', 'balance_asset_codes', 'min_created_at', 'min_balance_allowed', 'ordering', 'unknown'])(
    '%s: never a 5xx',
    async (name) => {
      await fc.assert(
        fc.asyncProperty(unicodeText, async (value) => {
          const reply = await call('GET', `${base}?${name}=${percentEncode(value)}`);
          expect(reply.status).toBeLessThan(500);
          if (reply.status >= 400) expectErrorBody(reply, reply.status);
        }),
        { seed: SEED, numRuns: RUNS / 3 },
      );
    },
    120_000,
  );
});

import fc from 'fast-check';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { expectErrorBody } from './support/error-body';

/** Property-based: whatever a client sends, the answer is never a 5xx and errors keep their shape. */
const RUNS = 1000;
const SEED = 20261125;

let service: RunningApp;
let base: string;
let customer: string;
beforeAll(async () => {
  // Every fuzzed body must reach validation and the handlers, not the per-employee rate limit.
  service = await startApp({ ROLES: 'api', RATE_LIMIT_PER_MINUTE: '100000' });
  base = `${service.api}/counterparty/${newCounterparty()}/customers`;
  customer = (await call<CreatedCustomerResponse>('POST', base, { asset_code: 'EURC', asset_issuer: ISSUER })).json.customer_guid;
});
afterAll(async () => {
  await service?.close();
});

const FIELDS = [
  'asset_code', 'asset_issuer', 'balance_allowed', 'balance_asset_code', 'balance_asset_issuer', 'branch_guid', 'iban',
  'is_disabled', 'kyc_level', 'login', 'name', 'paternal_name', 'phone_number', 'segment', 'status', 'surname',
  'wallet_user_guid', '__proto__', 'constructor',
];

const plausible = fc.oneof(
  fc.constantFrom('EURC', ISSUER, 'PL', 'PI', 'DE89370400440532013000', '+12025550123', '2b1d4a8e-8f63-4c8e-9b0a-3c2d1e0f9a8b', '', ' '),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(1e21, -0, 899999999.9999999, 2 ** 53 + 1),
  fc.jsonValue({ maxDepth: 2 }),
);

const body = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.boolean(), fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 })), plausible, { maxKeys: 6 }))
      // Half the bodies start from a valid create body, so mutations reach the handlers too.
      .map(([valid, fields]) => JSON.stringify(valid ? { asset_code: 'EURC', asset_issuer: ISSUER, ...fields } : fields)),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
);

async function neverFails(method: string, url: () => string): Promise<void> {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(body, fc.option(fc.string({ maxLength: 80 }), { nil: undefined }), async (text, key) => {
      const headers: Record<string, string> = {};
      if (key !== undefined && /^[\x20-\x7e]*$/.test(key)) headers['Idempotency-Key'] = key;
      const reply = await call(method, url(), text, headers);
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      expect(reply.status).toBeLessThan(500);
      if (reply.status >= 400) expectErrorBody(reply, reply.status);
    }),
    { seed: SEED, numRuns: RUNS },
  );
  // The generator must reach past validation too, or the property proves little.
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
}

describe(`fuzzed bodies (${RUNS} runs per route, seed ${SEED})`, () => {
  it('POST customers never answers 5xx', () => neverFails('POST', () => base), 120_000);
  it('PUT customer never answers 5xx', () => neverFails('PUT', () => `${base}/${customer}`), 120_000);
  it('POST accounts never answers 5xx', () => neverFails('POST', () => `${base}/${customer}/accounts`), 120_000);
});

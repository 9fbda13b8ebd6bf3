import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { withDb } from './support/db';
import { expectErrorBody } from './support/error-body';
import { mintToken } from './support/tokens';

let service: RunningApp;
let counterparty: string;
let customer: string;
beforeAll(async () => {
  service = await startApp({ ROLES: 'api' });
  counterparty = newCounterparty();
  const created = await call<CreatedCustomerResponse>('POST', `${service.api}/counterparty/${counterparty}/customers`, { asset_code: 'EURC', asset_issuer: ISSUER, login: 'taken', iban: 'DE89370400440532013000' });
  customer = created.json.customer_guid;
});
afterAll(async () => {
  await service?.close();
});

const ok = { asset_code: 'EURC', asset_issuer: ISSUER };
type Case = [name: string, method: string, path: string, body: unknown, headers: Record<string, string>, status: number, code: string, field?: string];

const C = '{c}/customers';
/** Replaced by a valid token for the test's own counterparty. */
const OWN_TOKEN = '{own-token}';
const U = '{c}/customers/{u}';
const cases: Case[] = [
  ['counterparty not a uuid (token for ours)', 'POST', 'not-a-uuid/customers', ok, { authorization: OWN_TOKEN }, 403, 'COUNTERPARTY_FORBIDDEN'],
  ['customer not a uuid', 'PUT', '{c}/customers/123', {}, {}, 400, 'VALIDATION_FAILED', 'customer_guid'],
  ['accounts: customer not a uuid', 'POST', '{c}/customers/x/accounts', {}, {}, 400, 'VALIDATION_FAILED', 'customer_guid'],
  ['missing asset_code', 'POST', C, { asset_issuer: ISSUER }, {}, 400, 'VALIDATION_FAILED', 'asset_code'],
  ['missing asset_issuer', 'POST', C, { asset_code: 'EURC' }, {}, 400, 'VALIDATION_FAILED', 'asset_issuer'],
  ['asset_code with symbol', 'POST', C, { ...ok, asset_code: 'EU RC' }, {}, 400, 'VALIDATION_FAILED', 'asset_code'],
  ['asset_code too long', 'POST', C, { ...ok, asset_code: 'A'.repeat(13) }, {}, 400, 'VALIDATION_FAILED', 'asset_code'],
  ['asset_issuer bad checksum', 'POST', C, { ...ok, asset_issuer: ISSUER.slice(0, -1) + 'A' }, {}, 400, 'VALIDATION_FAILED', 'asset_issuer'],
  ['asset_issuer secret seed', 'POST', C, { ...ok, asset_issuer: 'S' + ISSUER.slice(1) }, {}, 400, 'VALIDATION_FAILED', 'asset_issuer'],
  ['unknown field', 'POST', C, { ...ok, nickname: 'x' }, {}, 400, 'VALIDATION_FAILED', 'nickname'],
  ['protected customer_guid', 'POST', C, { ...ok, customer_guid: '2b1d4a8e-8f63-4c8e-9b0a-3c2d1e0f9a8b' }, {}, 400, 'VALIDATION_FAILED', 'customer_guid'],
  ['protected version', 'PUT', U, { version: 9 }, {}, 400, 'VALIDATION_FAILED', 'version'],
  ['protected created_at', 'PUT', U, { created_at: '2020-01-01T00:00:00Z' }, {}, 400, 'VALIDATION_FAILED', 'created_at'],
  ['__proto__ key', 'POST', C, '{"__proto__":{"x":1},"asset_code":"EURC"}', {}, 400, 'VALIDATION_FAILED', '__proto__'],
  ['login on update', 'PUT', U, { login: 'new' }, {}, 400, 'VALIDATION_FAILED', 'login'],
  ['iban on update', 'PUT', U, { iban: 'DE89370400440532013000' }, {}, 400, 'VALIDATION_FAILED', 'iban'],
  ['wallet_user_guid of another customer', 'PUT', U, { wallet_user_guid: '2b1d4a8e-8f63-4c8e-9b0a-3c2d1e0f9a8b' }, {}, 400, 'VALIDATION_FAILED', 'wallet_user_guid'],
  ['kyc_level null on update', 'PUT', U, { kyc_level: null }, {}, 400, 'VALIDATION_FAILED', 'kyc_level'],
  ['is_disabled null on update', 'PUT', U, { is_disabled: null }, {}, 400, 'VALIDATION_FAILED', 'is_disabled'],
  ['balance_allowed null on update', 'PUT', U, { balance_allowed: null }, {}, 400, 'VALIDATION_FAILED', 'balance_allowed'],
  ['kyc_level negative', 'POST', C, { ...ok, kyc_level: -1 }, {}, 400, 'VALIDATION_FAILED', 'kyc_level'],
  ['kyc_level fraction', 'POST', C, { ...ok, kyc_level: 0.5 }, {}, 400, 'VALIDATION_FAILED', 'kyc_level'],
  ['kyc_level as string', 'POST', C, { ...ok, kyc_level: '2' }, {}, 400, 'VALIDATION_FAILED', 'kyc_level'],
  ['kyc_level huge', 'POST', C, `{"asset_code":"EURC","asset_issuer":"${ISSUER}","kyc_level":1e400}`, {}, 400, 'VALIDATION_FAILED', 'kyc_level'],
  ['balance 8 decimals', 'POST', C, { ...ok, balance_allowed: 1.12345678 }, {}, 400, 'VALIDATION_FAILED', 'balance_allowed'],
  ['balance negative', 'POST', C, { ...ok, balance_allowed: -1 }, {}, 400, 'VALIDATION_FAILED', 'balance_allowed'],
  ['balance above max', 'POST', C, { ...ok, balance_allowed: 900000000.0000001 }, {}, 400, 'VALIDATION_FAILED', 'balance_allowed'],
  ['balance as string', 'POST', C, { ...ok, balance_allowed: '5' }, {}, 400, 'VALIDATION_FAILED', 'balance_allowed'],
  ['balance asset code alone', 'POST', C, { ...ok, balance_asset_code: 'EURC' }, {}, 400, 'VALIDATION_FAILED', 'balance_asset_issuer'],
  ['balance asset issuer cleared alone', 'PUT', U, { balance_asset_code: 'EURC' }, {}, 400, 'VALIDATION_FAILED', 'balance_asset_issuer'],
  ['iban bad checksum', 'POST', C, { ...ok, iban: 'DE89370400440532013001' }, {}, 400, 'VALIDATION_FAILED', 'iban'],
  ['iban wrong length', 'POST', C, { ...ok, iban: 'DE893704004405320130' }, {}, 400, 'VALIDATION_FAILED', 'iban'],
  ['phone without country', 'POST', C, { ...ok, phone_number: '555-0123' }, {}, 400, 'VALIDATION_FAILED', 'phone_number'],
  ['segment lower case', 'POST', C, { ...ok, segment: 'pi' }, {}, 400, 'VALIDATION_FAILED', 'segment'],
  ['branch not uuid', 'POST', C, { ...ok, branch_guid: 'main' }, {}, 400, 'VALIDATION_FAILED', 'branch_guid'],
  ['name with NUL', 'POST', C, { ...ok, name: 'a\u0000b' }, {}, 400, 'VALIDATION_FAILED', 'name'],
  ['name too long', 'POST', C, { ...ok, name: 'ж'.repeat(256) }, {}, 400, 'VALIDATION_FAILED', 'name'],
  ['login empty', 'POST', C, { ...ok, login: ' ' }, {}, 400, 'VALIDATION_FAILED', 'login'],
  ['status too long', 'PUT', U, { status: 'x'.repeat(65) }, {}, 400, 'VALIDATION_FAILED', 'status'],
  ['body is an array', 'POST', C, '[]', {}, 400, 'INVALID_JSON'],
  ['body is not JSON', 'POST', C, '{"asset_code":', {}, 400, 'INVALID_JSON'],
  ['body is empty (the same as no body): the required fields are missing', 'POST', C, ' ', {}, 400, 'VALIDATION_FAILED'],
  ['text/plain body', 'POST', C, 'hello', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['form body', 'PUT', U, 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ['body over 64 kB', 'POST', C, { ...ok, status: 'x'.repeat(70_000) }, {}, 413, 'PAYLOAD_TOO_LARGE'],
  ['bad Idempotency-Key', 'POST', C, ok, { 'Idempotency-Key': 'x'.repeat(300) }, 400, 'VALIDATION_FAILED', 'Idempotency-Key'],
  ['bad If-Match', 'PUT', U, {}, { 'If-Match': 'version-1' }, 400, 'VALIDATION_FAILED', 'If-Match'],
  ['stale If-Match', 'PUT', U, { kyc_level: 1 }, { 'If-Match': '"99"' }, 412, 'VERSION_MISMATCH'],
  ['weak If-Match never matches', 'PUT', U, { kyc_level: 1 }, { 'If-Match': 'W/"1"' }, 412, 'VERSION_MISMATCH'],
  ['unknown customer', 'PUT', '{c}/customers/2b1d4a8e-8f63-4c8e-9b0a-3c2d1e0f9a8b', { kyc_level: 1 }, {}, 404, 'CUSTOMER_NOT_FOUND'],
  ['account for unknown customer', 'POST', '{c}/customers/2b1d4a8e-8f63-4c8e-9b0a-3c2d1e0f9a8b/accounts', {}, {}, 404, 'CUSTOMER_NOT_FOUND'],
  ['customer of another counterparty', 'PUT', '{other}/customers/{u}', { kyc_level: 1 }, {}, 404, 'CUSTOMER_NOT_FOUND'],
  ['duplicate login', 'POST', C, { ...ok, login: 'TAKEN' }, {}, 409, 'LOGIN_TAKEN'],
  ['duplicate iban on a new account', 'POST', '{c}/customers/{u}/accounts', { iban: 'de89 3704 0044 0532 0130 00' }, {}, 409, 'IBAN_TAKEN'],
  ['account asset code without issuer', 'POST', '{c}/customers/{u}/accounts', { asset_code: 'USDC' }, {}, 400, 'VALIDATION_FAILED', 'asset_issuer'],
  ['unknown route', 'GET', '{c}/nothing', undefined, {}, 404, 'NOT_FOUND'],
];

describe('bad input gets the documented 4xx error body', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  // A rest parameter: Jest would take a callback with more parameters than columns as `done`.
  it.each(cases)('%s', async (...row: Case) => {
    const [, method, path, body, rawHeaders, status, code, field] = row;
    const ownToken = `Bearer ${await mintToken({ counterparty })}`;
    const headers = Object.fromEntries(Object.entries(rawHeaders).map(([k, v]) => [k, v === OWN_TOKEN ? ownToken : v]));
    const url = `${service.api}/counterparty/${path.replace('{c}', counterparty).replace('{other}', newCounterparty()).replace('{u}', customer)}`;
    const reply = await call<ErrorBodyDto>(method, url, body, headers);
    expectErrorBody(reply, status, code);
    if (field) expect(reply.json.details.map((d) => d.field)).toContain(field);
  });

  it('left the customer untouched after every refused change', async () => {
    const row = await withDb(async (db) => (await db.query<{ version: number; kyc_level: number; login: string | null }>('SELECT version, kyc_level, login FROM customers WHERE guid = $1', [customer])).rows[0]);
    expect(row).toEqual({ version: 1, kyc_level: 0, login: 'taken' });
  });
});

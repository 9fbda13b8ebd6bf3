import { PassThrough } from 'node:stream';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty, RunningApp, startApp } from './support/app';
import { mintToken } from './support/tokens';

/** Values no log line may contain: personal data of customers, and bearer tokens. */
const CANARY = {
  login: 'canary.login.7f3a@example.com',
  name: 'Canaryname',
  surname: 'Canarysurname',
  paternal_name: 'Canarypaternal',
  phone: '+447946000713',
  iban: 'GB33BUKB20201555555555',
};

let service: RunningApp;
const lines: string[] = [];
beforeAll(async () => {
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  service = await startApp({ ROLES: 'api', LOG_LEVEL: 'trace' }, { logDestination: destination });
});
afterAll(async () => {
  await service?.close();
});

describe('logs', () => {
  it('carry no personal data or tokens, whatever happens to a request', async () => {
    const counterparty = newCounterparty();
    const url = `${service.api}/counterparty/${counterparty}/customers`;
    const token = await mintToken({ counterparty });
    const auth = { authorization: `Bearer ${token}` };
    const body = {
      asset_code: 'EURC', asset_issuer: ISSUER, login: CANARY.login, name: CANARY.name, surname: CANARY.surname,
      paternal_name: CANARY.paternal_name, phone_number: CANARY.phone, iban: CANARY.iban,
    };
    const created = await call<CreatedCustomerResponse>('POST', url, body, auth);
    expect(created.status).toBe(200);
    const customer = created.json.customer_guid;
    // Unique violations: PostgreSQL puts the duplicated value in the error detail.
    expect((await call('POST', url, body, auth)).status).toBe(409);
    expect((await call('POST', url, { ...body, login: 'other', iban: CANARY.iban }, auth)).status).toBe(409);
    expect((await call('POST', `${url}/${customer}/accounts`, { iban: CANARY.iban }, auth)).status).toBe(409);
    // Validation failures echo nothing either.
    expect((await call('POST', url, { ...body, phone_number: `${CANARY.phone}x`, login: `${CANARY.login}\u0000` }, auth)).status).toBe(400);
    expect((await call('PUT', `${url}/${customer}`, { name: `${CANARY.name}2`, surname: null }, auth)).status).toBe(200);
    expect((await call('GET', `${url}?logins=${encodeURIComponent(CANARY.login)}&names=${CANARY.name}`, undefined, auth)).status).toBeLessThan(500);
    expect((await call('POST', url, body, { authorization: `Bearer ${token}x` })).status).toBe(401);

    expect(lines.length).toBeGreaterThan(5); // the capture works: requests are logged
    const leaks = lines.filter((line) => [...Object.values(CANARY), `${CANARY.name}2`, 'Bearer ', token.split('.')[2]].some((value) => line.includes(value)));
    expect(leaks).toEqual([]);
  });
});

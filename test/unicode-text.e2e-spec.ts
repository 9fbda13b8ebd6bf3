import { randomUUID } from 'node:crypto';
import { CreatedCustomerResponse, CustomerListResponse } from '../apps/customer-service/src/customers/customer.responses';
import { ErrorBodyDto } from '../apps/customer-service/src/http/error-body.dto';
import { call, ISSUER, RunningApp, startApp } from './support/app';
import { waitFor } from './support/outbox-rows';
import { createScratchDatabase, DatabaseLocale, ScratchDatabase } from './support/scratch-database';

/**
 * Case-insensitivity, search and text order over HTTP, the same on databases whose default
 * locale differs: the C locale of the local stack (lower() folds ASCII only, order by byte), a
 * Unicode-aware libc locale (as the official postgres image's en_US.utf8), and ICU Turkish as
 * the database default (lower('I') is 'ı' there). The service names its own ICU collations, so
 * every answer below must be the same on all three.
 */
const LOCALES: [string, DatabaseLocale][] = [
  ['C (the local stack)', { locale: 'C' }],
  ['C.UTF-8 (libc, Unicode-aware)', { locale: 'C.UTF-8' }],
  ['ICU tr-TR as the default', { locale: 'C.UTF-8', icuLocale: 'tr-TR' }],
];

const PEOPLE = [
  { login: 'ИВАН', name: 'Иван', surname: 'Petrov' },
  { login: 'ΣΟΦΙΑ', name: 'Σοφία', surname: 'ΟΔΟΣ' },
  { login: 'ÉLODIE', name: 'Émile', surname: 'Zoe' },
  { login: 'ılgın', name: 'ada', surname: 'ILGIN' },
  { login: 'ilgin', name: 'eve', surname: 'Ｌｏｎｇ' },
  { login: 'Straße', name: 'Анна', surname: 'Baker' },
  { login: 'zed', name: 'Zoe', surname: '50%_off' },
];

describe.each(LOCALES)('text rules on a database whose default locale is %s', (_label, locale) => {
  let scratch: ScratchDatabase;
  let service: RunningApp;
  const counterparty = randomUUID();
  const guids = new Map<string, string>();
  const url = () => `${service.api}/counterparty/${counterparty}/customers`;

  beforeAll(async () => {
    scratch = await createScratchDatabase('unicode_text', { locale });
    const id = randomUUID();
    service = await startApp({ DATABASE_URL: scratch.url, EVENTS_TOPIC: `unicode-text-${id}`, PROJECTOR_GROUP_ID: `unicode-text-${id}` });
    for (const person of PEOPLE) {
      const reply = await call<CreatedCustomerResponse>('POST', url(), { asset_code: 'EURC', asset_issuer: ISSUER, ...person });
      expect(reply.status).toBe(200);
      guids.set(person.login, reply.json.customer_guid);
    }
    await waitFor('the read model to hold every customer', async () => (await list('')).total === PEOPLE.length);
  });
  afterAll(async () => {
    await service?.close();
    await scratch?.drop();
  });

  async function list(query: string): Promise<{ logins: (string | null)[]; total: number }> {
    const reply = await call<CustomerListResponse>('GET', `${url()}?${query}`);
    expect(reply.status).toBe(200);
    return { logins: reply.json.customers.map((c) => c.login), total: reply.json.total };
  }

  it.each([
    ['иван', 'Cyrillic'],
    ['σοφια', 'Greek'],
    ['élodie', 'accented Latin'],
    ['E\u0301LODIE', 'the same letters, decomposed (canonically equivalent)'],
    ['ILGIN', 'Latin with a dotted capital I'],
  ])('refuses the login %s as a case variant of an existing one (%s)', async (login) => {
    const reply = await call<ErrorBodyDto>('POST', url(), { asset_code: 'EURC', asset_issuer: ISSUER, login });
    expect(reply.status).toBe(409);
    expect(reply.json.code).toBe('LOGIN_TAKEN');
  });

  it('keeps logins that differ in a letter, not in case (dotless ı and i are letters of their own)', async () => {
    expect((await list(`logins=${encodeURIComponent('ılgın')}`)).logins).toEqual(['ılgın']);
    expect((await list(`logins=${encodeURIComponent('ILGIN')}`)).logins).toEqual(['ilgin']);
  });

  it.each([
    ['иван', ['ИВАН']],
    ['straße', ['Straße']],
    ['ÉLODIE', ['ÉLODIE']],
    ['e\u0301lodie', ['ÉLODIE']],
  ])('filters logins=%s case-insensitively', async (value, expected) => {
    expect((await list(`logins=${encodeURIComponent(value)}`)).logins).toEqual(expected);
  });

  it.each([
    ['иван', ['ИВАН']],
    ['ИВ', ['ИВАН']],
    ['οδος', ['ΣΟΦΙΑ']], // ΟΔΟΣ: a final sigma matches σ and ς
    ['οδοσ', ['ΣΟΦΙΑ']],
    ['strasse', ['Straße']],
    ['long', ['ilgin']], // full-width Ｌｏｎｇ: NFKC reads it as Long
    ['ilgin', ['ılgın', 'ilgin']], // ılgın's surname ILGIN, folded by Unicode's rule (not Turkish), and the login ilgin
    ['émile', ['ÉLODIE']],
    ['50%_', ['zed']], // LIKE's wildcards match themselves
    ['5_%', []],
  ])('finds search_string=%s case-insensitively in any script', async (search, expected) => {
    const { logins } = await list(`search_string=${encodeURIComponent(search)}&ordering=login`);
    expect(logins.sort()).toEqual([...expected].sort());
  });

  it('orders text by letter, not by byte: Latin, then Greek, then Cyrillic; case and accents after the letter', async () => {
    const names = async (ordering: string) => {
      const reply = await call<CustomerListResponse>('GET', `${url()}?ordering=${ordering}`);
      return reply.json.customers.map((c) => c.name);
    };
    const expected = ['ada', 'Émile', 'eve', 'Zoe', 'Σοφία', 'Анна', 'Иван'];
    expect(await names('name')).toEqual(expected);
    expect(await names('-name')).toEqual([...expected].reverse());
    const logins = (await list('ordering=login')).logins;
    expect(logins.indexOf('ilgin')).toBeLessThan(logins.indexOf('zed'));
    expect(logins.indexOf('zed')).toBeLessThan(logins.indexOf('ΣΟΦΙΑ'));
  });
});

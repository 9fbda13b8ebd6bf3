import { ApiError } from '../../../http/api-error';
import { ORDERINGS, parseCustomerListQuery } from './customer-list.params';
import { RawQuery } from '../../../http/query-params';

const ISSUER = 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7';

function problems(query: RawQuery): { field: string; message: string }[] {
  try {
    parseCustomerListQuery(query);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).getStatus()).toBe(400);
    return (error as ApiError).details;
  }
  throw new Error('expected a 400');
}

describe('parseCustomerListQuery', () => {
  it('applies the defaults: enabled only, first 50, newest first', () => {
    expect(parseCustomerListQuery({})).toEqual({ filter: { is_disabled: false }, page: { offset: 0, limit: 50, ordering: '-created_at' } });
  });

  it('folds a=1&a=2 and a[]=1&a[]=2 (and a mix) into one list, without duplicates', () => {
    const repeated = parseCustomerListQuery({ kyc_levels: ['1', '2'] }).filter.kyc_levels;
    const bracketed = parseCustomerListQuery({ 'kyc_levels[]': ['1', '2'] }).filter.kyc_levels;
    const single = parseCustomerListQuery({ 'kyc_levels[]': '1', kyc_levels: ['2', '1'] }).filter.kyc_levels;
    expect(repeated).toEqual([1, 2]);
    expect(bracketed).toEqual([1, 2]);
    expect(single?.sort()).toEqual([1, 2]);
  });

  it('normalises what the write side normalises: phone numbers to E.164, guids to lower case', () => {
    const { filter } = parseCustomerListQuery({
      phone_numbers: '+44 20 7946 0958',
      wallet_user_guids: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      names: '  Ada ',
    });
    expect(filter).toMatchObject({ phone_numbers: ['+442079460958'], wallet_user_guids: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], names: ['Ada'] });
  });

  it('keeps money bounds as exact decimal text', () => {
    const { filter } = parseCustomerListQuery({ min_balance_allowed: '899999999.9999999', max_balance_allowed: '1e-7' });
    expect(filter).toMatchObject({ min_balance_allowed: '899999999.9999999', max_balance_allowed: '0.0000001' });
  });

  it.each(ORDERINGS)('accepts ordering %s', (ordering) => {
    expect(parseCustomerListQuery({ ordering }).page.ordering).toBe(ordering);
  });

  it.each([
    [{ ordering: 'guid' }, 'ordering'],
    [{ ordering: 'created_at; DROP TABLE customers' }, 'ordering'],
    [{ ordering: ['login', 'name'] }, 'ordering'],
    [{ 'ordering[]': 'login' }, 'ordering[]'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '501' }, 'limit'],
    [{ limit: '10000' }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ offset: '-1' }, 'offset'],
    [{ is_disabled: 'yes' }, 'is_disabled'],
    [{ kyc_levels: ['1', 'x'] }, 'kyc_levels'],
    [{ wallet_user_guids: 'not-a-uuid' }, 'wallet_user_guids'],
    [{ branch_guids: '' }, 'branch_guids'],
    [{ phone_numbers: '12345' }, 'phone_numbers'],
    [{ segments: 'XX' }, 'segments'],
    [{ balance_asset_codes: 'TOO-LONG-CODE!' }, 'balance_asset_codes'],
    [{ balance_asset_issuers: ISSUER.slice(0, -1) + 'A' }, 'balance_asset_issuers'],
    [{ min_balance_allowed: '0.00000001' }, 'min_balance_allowed'],
    [{ max_balance_allowed: '900000000.1' }, 'max_balance_allowed'],
    [{ min_balance_allowed: '-1' }, 'min_balance_allowed'],
    [{ min_created_at: '2025-02-30T00:00:00Z' }, 'min_created_at'],
    [{ max_updated_at: '2025-11-25' }, 'max_updated_at'],
    [{ max_updated_at: '2025-11-25T10:00:00' }, 'max_updated_at'],
    [{ search_string: 'a\u0000b' }, 'search_string'],
    [{ search_string: ['a', 'b'] }, 'search_string'],
    [{ names: 'x'.repeat(256) }, 'names'],
    [{ unknown: '1' }, 'unknown'],
    [{ 'ordering[]': ['login'] }, 'ordering[]'],
    [{ min_created_at: '2025-11-25T24:00:00Z' }, 'min_created_at'],
    [{ min_created_at: '2025-11-25T23:59:60Z' }, 'min_created_at'],
    [{ min_created_at: '0000-01-01T00:00:00Z' }, 'min_created_at'],
    [{ min_created_at: '2025-11-25T10:00:00.1234567' }, 'min_created_at'],
    [{ min_created_at: `2025-11-25T10:00:00.${'1'.repeat(40)}Z` }, 'min_created_at'],
  ])('refuses %p naming %s', (query, field) => {
    expect(problems(query as RawQuery).map((problem) => problem.field)).toEqual([field]);
  });

  it('names every bad parameter at once', () => {
    expect(problems({ limit: '0', ordering: 'x', foo: '1' }).map((p) => p.field).sort()).toEqual(['foo', 'limit', 'ordering']);
  });

  it('accepts RFC 3339 with offsets and fractions, as UTC exact to the microsecond', () => {
    const { filter } = parseCustomerListQuery({ min_created_at: '2025-11-25T10:00:00.123456+02:00', max_created_at: '2024-02-29T23:59:59Z' });
    expect(filter).toMatchObject({ min_created_at: '2025-11-25T08:00:00.123456Z', max_created_at: '2024-02-29T23:59:59.000000Z' });
  });

  it.each([
    // .NET's "o" format: 7 fraction digits; Java's Instant.toString(): up to 9.
    ['2025-11-25T10:00:00.1234567Z', '2025-11-25T10:00:00.123457Z', '2025-11-25T10:00:00.123456Z'],
    ['2025-11-25T10:00:00.123456789Z', '2025-11-25T10:00:00.123457Z', '2025-11-25T10:00:00.123456Z'],
    ['2025-11-25T10:00:00.1234560000Z', '2025-11-25T10:00:00.123456Z', '2025-11-25T10:00:00.123456Z'],
    ['2025-11-25T12:30:00.5+02:30', '2025-11-25T10:00:00.500000Z', '2025-11-25T10:00:00.500000Z'],
    ['2025-11-25T07:00:00-03:00', '2025-11-25T10:00:00.000000Z', '2025-11-25T10:00:00.000000Z'],
    // Java's OffsetDateTime.toString() leaves out zero seconds; a space and lower-case t/z as RFC 3339 allows.
    ['2025-11-25T10:00Z', '2025-11-25T10:00:00.000000Z', '2025-11-25T10:00:00.000000Z'],
    ['2025-11-25 10:00:00z', '2025-11-25T10:00:00.000000Z', '2025-11-25T10:00:00.000000Z'],
    // The + of an offset sent unencoded arrives as a space.
    ['2025-11-25T12:00:00 02:00', '2025-11-25T10:00:00.000000Z', '2025-11-25T10:00:00.000000Z'],
    ['1969-12-31T23:59:59.9999995Z', '1970-01-01T00:00:00.000000Z', '1969-12-31T23:59:59.999999Z'],
  ])('reads %s as the bounds [%s, %s]: lower bounds round up, upper bounds down', (text, from, until) => {
    const { filter } = parseCustomerListQuery({ min_updated_at: text, max_updated_at: text });
    expect(filter).toMatchObject({ min_updated_at: from, max_updated_at: until });
  });

  it('reads an unencoded + of a phone number (a leading space before digits) as +', () => {
    expect(parseCustomerListQuery({ phone_numbers: ' 380501234567' }).filter.phone_numbers).toEqual(['+380501234567']);
  });

  it('reads booleans in any letter case (.NET and Python write True)', () => {
    expect(parseCustomerListQuery({ is_disabled: 'True' }).filter.is_disabled).toBe(true);
    expect(parseCustomerListQuery({ is_disabled: 'FALSE' }).filter.is_disabled).toBe(false);
  });
});

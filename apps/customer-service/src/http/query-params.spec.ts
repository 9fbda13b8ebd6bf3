import * as rules from '../fields/field-rules';
import { ApiError } from './api-error';
import { decodeQueryString, list, RawQuery, readQuery, single } from './query-params';

const problemsOf = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).details;
  }
  throw new Error('expected a 400');
};

describe('decodeQueryString', () => {
  it('folds a=1&a=2, a[]=1 and a[0]=1 into one list key', () => {
    expect(decodeQueryString('a=1&a[]=2&a[0]=3&a%5B1%5D=4&b=x')).toEqual({ a: '1', 'a[]': ['2', '3', '4'], b: 'x' });
  });

  it('reads + as a space and percent escapes as UTF-8', () => {
    expect(decodeQueryString('q=%D0%98%D0%B2%D0%B0%D0%BD+%CE%A3&p=%2B380')).toEqual({ q: 'Иван Σ', p: '+380' });
  });

  it.each([
    ['names=%ED%A0%80', 'names'], // an encoded lone surrogate
    ['names=%FF%FE', 'names'], // bytes that are not UTF-8
    ['names=%E0%A4%A', 'names'], // a truncated escape
    ['names=100%', 'names'],
    ['n%ZZ=1', 'query'],
  ])('refuses %s naming %s', (query, field) => {
    expect(problemsOf(() => decodeQueryString(query)).map((p) => p.field)).toEqual([field]);
  });
});

describe('readQuery', () => {
  const specs = {
    ids: list(rules.integer(0, 10), { type: 'integer', description: 'ids' }),
    name: single(rules.text(20), { type: 'string', description: 'a name' }),
  };

  it('caps list parameters', () => {
    const many = Array.from({ length: 501 }, () => '1');
    expect(problemsOf(() => readQuery({ ids: many }, specs))).toEqual([{ field: 'ids', message: 'must have at most 500 values' }]);
  });

  it('ignores prototype keys as unknown parameters', () => {
    const raw = JSON.parse('{"__proto__": "1", "constructor": "2"}') as RawQuery;
    expect(problemsOf(() => readQuery(raw, specs)).map((d) => d.field).sort()).toEqual(['__proto__', 'constructor']);
  });

  it('refuses NUL in any value, whatever its rule', () => {
    expect(problemsOf(() => readQuery({ name: 'a\u0000b' }, specs))).toEqual([{ field: 'name', message: 'must not contain NUL' }]);
  });

  it('refuses every parameter of a route that declares none', () => {
    expect(problemsOf(() => readQuery({ dry_run: 'true' }, {}))).toEqual([{ field: 'dry_run', message: 'is not a known query parameter' }]);
  });
});

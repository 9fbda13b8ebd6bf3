import { Money, stringifyJson } from './money';

describe('Money', () => {
  it.each([
    ['0', '0'],
    ['12.50', '12.5'],
    ['0.0000001', '0.0000001'],
    ['1e-7', '0.0000001'],
    ['1.5E2', '150'],
    ['899999999.9999999', '899999999.9999999'],
    ['900000000', '900000000'],
    ['900000000.0000000', '900000000'],
    ['-0', '0'],
    ['0.12000000000', '0.12'],
  ])('parses %s exactly as %s', (text, expected) => {
    const money = Money.parse(text);
    expect(money).toBeInstanceOf(Money);
    expect((money as Money).toString()).toBe(expected);
  });

  it.each([
    ['0.00000001', 'at most 7 decimal places'],
    ['1e-8', 'at most 7 decimal places'],
    ['900000000.0000001', 'must not exceed'],
    ['1e300', 'out of range'],
    ['-1', 'must not be negative'],
    ['abc', 'decimal number'],
  ])('rejects %s', (text, message) => {
    expect(Money.parse(text)).toContain(message);
  });

  it('writes exact JSON numbers', () => {
    const body = { balance_allowed: Money.fromDecimal('899999999.9999999'), note: 'x' };
    expect(stringifyJson(body)).toBe('{"balance_allowed":899999999.9999999,"note":"x"}');
  });

  it('does not unwrap look-alike strings', () => {
    expect(stringifyJson({ s: '\\u0001abc:12' })).toBe('{"s":"\\\\u0001abc:12"}');
  });
});

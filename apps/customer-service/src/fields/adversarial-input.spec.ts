import { bearerTokenOf } from '../auth/bearer';
import { assertJsonEncoding, parseJsonBody } from '../http/json-body';
import { decodeQueryString, readers } from '../http/query-params';
import * as rules from './field-rules';
import { Money } from './money';

/**
 * Every place a client's text meets a regular expression or a parser, fed inputs shaped to
 * trip super-linear matching (long runs of the character a pattern backtracks over) and far
 * larger than any request can carry. Nothing is timed: a linear path answers each in
 * milliseconds, a quadratic one would need ~10¹⁴ steps — hours, far past this test's 5 s
 * timeout. (A `/0+$/` on money took 1.4 s for 40,000 zeros over HTTP before it was replaced.)
 */
const HUGE = 10_000_000;
const run = (char: string, n = HUGE) => char.repeat(n);

describe('client input of adversarial shape, 10 million characters', () => {
  it.each([
    ['money: zeros between two digits', () => rules.money(`1${run('0')}1`)],
    ['money: a long fraction', () => rules.money(`1.${run('0')}1`)],
    ['money: a long exponent', () => rules.money(`1e${run('1')}`)],
    ['money query bound with an unencoded +', () => readers.moneyText(`1${run('0')}e 5`)],
    ['text: spaces to trim', () => rules.text(255)(`${run(' ')}a`)],
    ['text: control characters', () => rules.text(255)(run('\u0001'))],
    ['guid', () => rules.guid(run('a'))],
    ['asset code', () => rules.assetCode(run('A'))],
    ['Stellar account id', () => rules.stellarAccountId(`G${run('A')}`)],
    ['IBAN', () => rules.iban(run('1'))],
    ['phone', () => rules.phone(`+${run('1')}`)],
    ['timestamp: digits', () => rules.timestamp(`2025-${run('1')}`)],
    ['timestamp: fraction', () => rules.timestamp(`2025-11-25T10:00:00.${run('1')}Z`)],
    ['integer', () => rules.integer(0, 10)(run('9'))],
  ])('%s: refused at once', (_what, read) => {
    expect(read()).toBeInstanceOf(rules.Problem);
  });

  it('decodes a query string of brackets, escapes and pluses in linear time', () => {
    expect(Object.keys(decodeQueryString(`a${run('[', 1_000_000)}]=1`))).toHaveLength(1);
    expect(decodeQueryString(`a=${run('+', 1_000_000)}`).a).toHaveLength(1_000_000);
    expect(() => decodeQueryString(`a=${run('%', 1_000_000)}`)).toThrow();
  });

  it('reads an Authorization header that almost matches in linear time', () => {
    expect(bearerTokenOf(`bearer ${run(' ', 1_000_000)}x`)).toBe('x');
    expect(bearerTokenOf(`bearer ${run('a', 1_000_000)} !`)).toBeNull();
  });

  it('reads a Content-Type with a long run of spaces and semicolons in linear time', () => {
    expect(() => assertJsonEncoding({ 'content-type': `application/json;${run(' ', 1_000_000)}charset=latin1` })).toThrow();
    expect(() => assertJsonEncoding({ 'content-type': `application/json${run('; ', 500_000)}` })).not.toThrow();
  });

  it('parses the largest bodies a request can carry (64 kB) of adversarial shape', () => {
    const limit = 64 * 1024;
    const deep = `{"a":${run('[', limit / 2 - 4)}${run(']', limit / 2 - 4)}}`;
    expect(() => parseJsonBody(deep)).toThrow('nested');
    const money = parseJsonBody(`{"balance_allowed":1${run('0', limit - 30)}1}`) as { balance_allowed: { text: string } };
    expect(Money.parse(money.balance_allowed.text)).toBe('must be a decimal number of at most 100 characters');
    expect(parseJsonBody(`{"kyc_level":1.${run('0', limit - 20)}1}`)).toBeDefined();
  });
});

import { ApiError } from './api-error';
import { decodeUtf8, ExactNumber, parseJsonBody } from './json-body';

function problem(text: string): ApiError {
  try {
    parseJsonBody(text);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('parseJsonBody', () => {
  it('keeps money as its exact text and other numbers as numbers', () => {
    const body = parseJsonBody('{"balance_allowed": 899999999.9999999, "kyc_level": 3}') as Record<string, unknown>;
    expect(body.balance_allowed).toEqual(new ExactNumber('899999999.9999999'));
    expect(body.kyc_level).toBe(3);
  });

  it('keeps a number a double cannot hold exact, so that validation refuses it', () => {
    const body = parseJsonBody('{"kyc_level": 123456789012345678901}') as Record<string, unknown>;
    expect(body.kyc_level).toEqual(new ExactNumber('123456789012345678901'));
  });

  it('reads an empty body as no body (a POST may omit it)', () => {
    expect(parseJsonBody('')).toBeUndefined();
    expect(parseJsonBody(' \r\n')).toBeUndefined();
  });

  it.each([
    ['{"a":', 'INVALID_JSON'],
    ['[1,2]', 'INVALID_JSON'],
    ['null', 'INVALID_JSON'],
    ['"text"', 'INVALID_JSON'],
    ['{"__proto__": {"admin": true}}', 'VALIDATION_FAILED'],
    ['{"\\u005f_proto__": {}}', 'VALIDATION_FAILED'],
    ['{"nested": {"constructor": {}}}', 'VALIDATION_FAILED'],
    ['{"name": "a", "name": "b"}', 'INVALID_JSON'],
    ['{"name": "\\ud800"}', 'VALIDATION_FAILED'],
    ['{"name": "a\\udc00b"}', 'VALIDATION_FAILED'],
    ['{"name": "a\\u0000"}', 'VALIDATION_FAILED'],
    ['{"\\ud800": 1}', 'VALIDATION_FAILED'],
    [`{"a": ${'['.repeat(40)}${']'.repeat(40)}}`, 'INVALID_JSON'],
  ])('rejects %p with 400 %s', (text, code) => {
    const error = problem(text);
    expect(error.getStatus()).toBe(400);
    expect(error.code).toBe(code);
  });

  it('keeps well-formed text of every plane: surrogate pairs, combining marks, RTL', () => {
    const text = 'Ива́н 𝔘𝔫𝔦 عربي 😀';
    expect(parseJsonBody(JSON.stringify({ name: text }))).toEqual({ name: text });
  });

  it('refuses bytes that are not UTF-8 and drops a leading BOM', () => {
    expect(() => decodeUtf8(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toThrow('not valid UTF-8');
    expect(decodeUtf8(Buffer.from('\ufeff{"a":1}'))).toBe('{"a":1}');
  });

  it('never applies a prototype from the body', () => {
    expect(() => parseJsonBody('{"__proto__": {"polluted": 1}}')).toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

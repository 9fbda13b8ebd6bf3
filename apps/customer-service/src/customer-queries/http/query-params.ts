import { StrKey } from '@stellar/stellar-base';
import { ApiError, FieldProblem } from '../../http/api-error';
import { normalisePhone } from '../../http/validators';
import { Money } from '../../customers/domain/money';

/**
 * Query-string reading shared by the read routes. Fastify gives a string for `a=1`, an array
 * for `a=1&a=2`, and a literal `a[]` key for the bracket syntax; both syntaxes are folded into
 * one list here. Every value is checked; every problem is reported at once, naming the param.
 */

export type RawQuery = Record<string, string | string[] | undefined>;

/** Checks one raw value: the parsed value, or a message saying what is wrong. */
export type Reader<T> = (raw: string) => T | Problem;

export class Problem {
  constructor(readonly message: string) {}
}

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** At most this many values per list parameter (keeps one request's SQL arrays bounded). */
export const MAX_LIST_VALUES = 500;

export const readers = {
  uuid: ((raw) => (UUID.test(raw) ? raw.toLowerCase() : new Problem('must be a UUID'))) as Reader<string>,
  text: (max: number): Reader<string> => (raw) => {
    const value = raw.trim();
    if (value.length === 0) return new Problem('must not be empty');
    if (CONTROL_CHARACTERS.test(value)) return new Problem('must not contain control characters');
    if ([...value].length > max) return new Problem(`must be at most ${max} characters`);
    return value;
  },
  integer: (min: number, max: number): Reader<number> => (raw) => {
    const value = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
    return value >= min && value <= max ? value : new Problem(`must be an integer from ${min} to ${max}`);
  },
  boolean: ((raw) => {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return new Problem('must be true or false');
  }) as Reader<boolean>,
  money: ((raw) => {
    const money = Money.parse(raw.trim());
    return typeof money === 'string' ? new Problem(money) : money.toString();
  }) as Reader<string>,
  timestamp: ((raw) => (isRfc3339(raw) ? raw : new Problem('must be an RFC 3339 date-time, e.g. 2025-11-25T10:00:00Z'))) as Reader<string>,
  assetCode: ((raw) => (/^[A-Za-z0-9]{1,12}$/.test(raw) ? raw : new Problem('must be a Stellar asset code (1-12 letters and digits)'))) as Reader<string>,
  stellarAccount: ((raw) =>
    StrKey.isValidEd25519PublicKey(raw) ? raw : new Problem('must be a Stellar account id (G..., 56 characters, valid checksum)')) as Reader<string>,
  phone: ((raw) => normalisePhone(raw.trim()) ?? new Problem('must be a valid international phone number, e.g. +12025550123')) as Reader<string>,
  oneOf: <T extends string>(allowed: readonly T[]): Reader<T> => (raw) =>
    allowed.includes(raw as T) ? (raw as T) : new Problem(`must be one of ${allowed.join(', ')}`),
};

function isRfc3339(raw: string): boolean {
  const match = RFC3339.exec(raw);
  if (!match) return false;
  const [, year, month, day, hour, minute, second, , , offsetHours, offsetMinutes] = match.map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 &&
    (Number.isNaN(offsetHours) || (offsetHours <= 23 && offsetMinutes <= 59))
  );
}

export type ParamSpec = { list: true; read: Reader<unknown> } | { list: false; read: Reader<unknown> };

/** Reads a raw query against a table of parameters; unknown names and bad values → one 400. */
export function readQuery(raw: RawQuery, specs: Record<string, ParamSpec>): Record<string, unknown> {
  const problems: FieldProblem[] = [];
  const values = new Map<string, string[]>();
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const bracketed = key.endsWith('[]');
    const name = bracketed ? key.slice(0, -2) : key;
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec || (bracketed && !spec.list)) {
      problems.push({ field: key, message: 'is not a known query parameter' });
      continue;
    }
    values.set(name, [...(values.get(name) ?? []), ...(Array.isArray(value) ? value : [value])]);
  }
  const result: Record<string, unknown> = {};
  for (const [name, given] of values) {
    const spec = specs[name];
    if (!spec.list && given.length > 1) {
      problems.push({ field: name, message: 'must be given once' });
      continue;
    }
    if (given.length > MAX_LIST_VALUES) {
      problems.push({ field: name, message: `must have at most ${MAX_LIST_VALUES} values` });
      continue;
    }
    const read = given.map((item) => spec.read(item));
    const bad = read.find((item): item is Problem => item instanceof Problem);
    if (bad) problems.push({ field: name, message: bad.message });
    else result[name] = spec.list ? [...new Set(read)] : read[0];
  }
  if (problems.length > 0) throw ApiError.badRequest('Request is invalid.', problems);
  return result;
}

export const list = (read: Reader<unknown>): ParamSpec => ({ list: true, read });
export const single = (read: Reader<unknown>): ParamSpec => ({ list: false, read });

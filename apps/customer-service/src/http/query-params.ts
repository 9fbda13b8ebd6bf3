import * as rules from '../fields/field-rules';
import { isStorableText, Problem, Rule } from '../fields/field-rules';
import { ApiError, FieldProblem } from './api-error';

/**
 * Query strings, for every route: each route declares the parameters it takes
 * (`@AcceptsQuery`, http/query.decorators.ts) and anything else is a 400 naming it, on every
 * route (DESIGN §2) — a write route takes none, so `PUT …?dry_run=true` is refused, not
 * silently applied. The declaration also gives the parameters' OpenAPI description.
 *
 * The query string is decoded here, strictly: `+` is a space (form encoding), percent escapes
 * must spell UTF-8, and a value with NUL is refused. A list parameter takes `a=1&a=2`,
 * `a[]=1&a[]=2` (axios, PHP) and `a[0]=1&a[1]=2` (qs's default), mixed as well.
 */

export type RawQuery = Record<string, string | string[] | undefined>;

export type OpenApiType = 'string' | 'integer' | 'number' | 'boolean';

export interface ParamSpec<T = unknown> {
  list: boolean;
  read: Rule<T>;
  /** OpenAPI: the item type and description, plus any schema keywords (format, enum, …). */
  type: OpenApiType;
  description: string;
  schema?: Record<string, unknown>;
}

export type ParamSpecs = Record<string, ParamSpec>;

/** The values a spec table reads into: a list parameter gives an array, every parameter may be absent. */
export type QueryValues<S extends ParamSpecs> = {
  [K in keyof S]?: S[K] extends ParamSpec<infer T> ? (S[K]['list'] extends true ? T[] : T) : never;
};

interface Doc {
  type: OpenApiType;
  description: string;
  schema?: Record<string, unknown>;
}

export const list = <T>(read: Rule<T>, doc: Doc): ParamSpec<T> & { list: true } => ({ list: true, read, ...doc });
export const single = <T>(read: Rule<T>, doc: Doc): ParamSpec<T> & { list: false } => ({ list: false, read, ...doc });

/** At most this many values per list parameter (keeps one request's SQL arrays bounded). */
export const MAX_LIST_VALUES = 500;

const BRACKETS = /^(.+)\[(\d{0,4})\]$/;

/**
 * Decodes a raw query string (what follows `?`) into names and values. Names that use a list
 * syntax (`a[]`, `a[0]`) are keyed `a[]`. Throws a 400 for an escape that is not UTF-8.
 */
export function decodeQueryString(query: string): RawQuery {
  const raw: RawQuery = {};
  const problems: FieldProblem[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const name = decode(separator < 0 ? pair : pair.slice(0, separator));
    const value = decode(separator < 0 ? '' : pair.slice(separator + 1));
    if (name === null || value === null) {
      problems.push({ field: name ?? 'query', message: 'is not valid percent-encoded UTF-8' });
      continue;
    }
    const bracketed = BRACKETS.exec(name);
    const key = bracketed ? `${bracketed[1]}[]` : name;
    const given = raw[key];
    raw[key] = given === undefined ? value : [...(Array.isArray(given) ? given : [given]), value];
  }
  if (problems.length > 0) throw ApiError.badRequest('Request is invalid.', problems);
  return raw;
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null; // a lone %, a truncated escape, or bytes that are not UTF-8 (an encoded surrogate included)
  }
}

/** Reads a decoded query against a table of parameters; unknown names and bad values → one 400. */
export function readQuery<S extends ParamSpecs>(raw: RawQuery, specs: S): QueryValues<S> {
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
    const read = given.map((item) => (isStorableText(item) ? spec.read(item) : new Problem('must not contain NUL')));
    const bad = read.find((item): item is Problem => item instanceof Problem);
    if (bad) problems.push({ field: name, message: bad.message });
    else result[name] = spec.list ? [...new Set(read)] : read[0];
  }
  if (problems.length > 0) throw ApiError.badRequest('Request is invalid.', problems);
  return result as QueryValues<S>;
}

/**
 * Readers of query values: the field rules, plus what a query string adds — text given as
 * text (`true`, `5`), and the `+` that clients leave unencoded (form encoding reads it as a
 * space) where a value can start or continue with one.
 */
export const readers = {
  /** `true`/`false`/`1`/`0`, in any letter case (.NET and Python write `True`). */
  boolean: ((raw) => {
    const value = raw.toLowerCase();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return new Problem('must be true or false');
  }) as Rule<boolean>,
  /** Exact decimal text; `1e 5` is `1e+5` with its `+` unencoded. */
  moneyText: ((raw) => {
    // Bounded before the regex (rules.money refuses anything this long anyway).
    const text = raw.length > 128 ? raw : raw.trim().replace(/^([0-9.]+[eE]) (\d+)$/, '$1+$2');
    const money = rules.money(text);
    return money instanceof Problem ? money : money.toString();
  }) as Rule<string>,
  /** A phone number; a leading space before a digit is the `+` of `+380…` sent unencoded. */
  phone: ((raw) => rules.phone(/^ \d/.test(raw) ? `+${raw.slice(1)}` : raw)) as Rule<string>,
  /** An inclusive lower time bound, as PostgreSQL input exact to the microsecond (rounded up). */
  timestampFrom: ((raw) => {
    const instant = rules.timestamp(raw);
    return instant instanceof Problem ? instant : rules.toBound(instant, 'min');
  }) as Rule<string>,
  /** An inclusive upper time bound (rounded down to the microsecond). */
  timestampUntil: ((raw) => {
    const instant = rules.timestamp(raw);
    return instant instanceof Problem ? instant : rules.toBound(instant, 'max');
  }) as Rule<string>,
};

import { StrKey } from '@stellar/stellar-base';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { Money } from './money';

/**
 * The rules of the service's input fields, each declared once and used wherever the field
 * enters: request bodies (http/validators.ts), query parameters (http/query-params.ts) and the
 * read side. A rule takes the raw value and returns the normalised value or a {@link Problem}
 * saying what is wrong — never echoing the value, which may be personal data.
 *
 * Every rule bounds its input's length before any parsing or regular expression, so no
 * client value can make a rule work longer than its bound allows.
 */
export class Problem {
  constructor(readonly message: string) {}
}

export type Checked<T> = T | Problem;
export type Rule<T> = (raw: string) => Checked<T>;

/** C0 and C1 control characters (NUL included), DEL, and the Unicode line/paragraph separators. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f) || unit === 0x2028 || unit === 0x2029) return true;
  }
  return false;
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ASSET_CODE = /^[A-Za-z0-9]{1,12}$/;

/**
 * Text that PostgreSQL and every JSON consumer can hold: well-formed UTF-16 (no lone
 * surrogate, which JSON's `\ud800` escapes can produce and jsonb refuses) and no NUL (which
 * PostgreSQL's text cannot store). Checked for every decoded body string and query value.
 */
export function isStorableText(value: string): boolean {
  return value.isWellFormed() && !value.includes('\u0000');
}

/** Clean text: trimmed, not empty, no control characters, at most `max` code points. */
export const text =
  (max: number): Rule<string> =>
  (raw) => {
    // A code point takes at most 2 UTF-16 units: anything longer than 2×max (plus the spaces
    // trimming may remove) is refused before it is scanned.
    if (raw.length > max * 2 + 1024) return new Problem(`must be at most ${max} characters`);
    const value = raw.trim();
    if (value.length === 0) return new Problem('must not be empty (send null to clear it)');
    if (!isStorableText(value)) return new Problem('must be well-formed Unicode text');
    if (hasControlCharacter(value)) return new Problem('must not contain control characters');
    if (codePoints(value) > max) return new Problem(`must be at most ${max} characters`);
    return value;
  };

function codePoints(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) i++; // a well-formed high surrogate has its pair
    count++;
  }
  return count;
}

/** A UUID of any version, normalised to lower case before anything compares or stores it. */
export const guid: Rule<string> = (raw) => (raw.length === 36 && UUID.test(raw) ? raw.toLowerCase() : new Problem('must be a UUID'));

/** A Stellar asset code: 1–12 letters and digits (case matters on Stellar). */
export const assetCode: Rule<string> = (raw) =>
  raw.length <= 12 && ASSET_CODE.test(raw) ? raw : new Problem('must be a Stellar asset code (1-12 letters and digits)');

/** A Stellar account id: StrKey `G…`, 56 characters, checksum verified by the Stellar SDK. */
export const stellarAccountId: Rule<string> = (raw) =>
  raw.length === 56 && StrKey.isValidEd25519PublicKey(raw) ? raw : new Problem('must be a Stellar account id (G..., 56 characters, valid checksum)');

/** ISO 13616 (country length and mod-97, ibantools), normalised to its electronic format. */
export const iban: Rule<string> = (raw) => {
  const normalised = raw.length <= 64 ? electronicFormatIBAN(raw) : null;
  return normalised && isValidIBAN(normalised) ? normalised : new Problem('must be a valid IBAN (ISO 13616)');
};

/** An international phone number libphonenumber-js accepts as valid, normalised to E.164. */
export const phone: Rule<string> = (raw) => {
  const parsed = raw.length <= 40 && !hasControlCharacter(raw) ? parsePhoneNumberFromString(raw.trim()) : undefined;
  return parsed?.isValid() ? parsed.number : new Problem('must be a valid international phone number, e.g. +12025550123');
};

/** Money: at most 7 decimals, 0 … 900000000, from its exact decimal text. */
export const money: Rule<Money> = (raw) => {
  const parsed = Money.parse(raw);
  return typeof parsed === 'string' ? new Problem(parsed) : parsed;
};

/** An integer written in plain digits, from `min` to `max`. */
export const integer =
  (min: number, max: number): Rule<number> =>
  (raw) => {
    const value = raw.length <= 10 && /^\d+$/.test(raw) ? Number(raw) : NaN;
    return value >= min && value <= max ? value : new Problem(`must be an integer from ${min} to ${max}`);
  };

export const oneOf =
  <T extends string>(allowed: readonly T[]): Rule<T> =>
  (raw) =>
    allowed.includes(raw as T) ? (raw as T) : new Problem(`must be one of ${allowed.join(', ')}`);

/** A point in time, exact to the nanosecond as clients send it (Java: 9 digits, .NET: 7). */
export interface Instant {
  /** Microseconds since the epoch, rounded down (PostgreSQL's precision). */
  micros: bigint;
  /** Whether digits below the microsecond were dropped by the rounding down. */
  belowMicros: boolean;
}

// Date, time (seconds optional, as Java's OffsetDateTime.toString() omits zero seconds), any
// number of fraction digits (bounded), and an offset. A space where the offset's sign should
// be is a `+` that a client left unencoded in a query string (form encoding reads `+` as a space).
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,32}))?)?(?:([Zz])|([+\- ])(\d{2}):(\d{2}))$/;
const TIMESTAMP_EXAMPLE = 'must be an RFC 3339 date-time with an offset, e.g. 2025-11-25T10:00:00Z or 2025-11-25T12:00:00.1234567+02:00';

/** RFC 3339 date-time with any number of fraction digits and any offset. */
export const timestamp: Rule<Instant> = (raw) => {
  const match = raw.length <= 64 ? TIMESTAMP.exec(raw) : null;
  if (!match) return new Problem(TIMESTAMP_EXAMPLE);
  const [, year, month, day, hour, minute, second = '00', fraction = '', , sign, offsetHours, offsetMinutes] = match;
  const [y, mo, d, h, mi, s, oh, om] = [year, month, day, hour, minute, second, offsetHours ?? '0', offsetMinutes ?? '0'].map(Number);
  const validDate = y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
  if (!validDate || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) {
    return new Problem(`${TIMESTAMP_EXAMPLE} (a real date and time; no leap second)`);
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // not Date.UTC: it reads years 0-99 as 1900-1999
  date.setUTCHours(h, mi, s, 0);
  const offset = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  const millis = BigInt(date.getTime()) - BigInt(offset) * 60_000n;
  const micros = millis * 1000n + BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  return { micros, belowMicros: /[1-9]/.test(fraction.slice(6)) };
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/**
 * The instant as PostgreSQL timestamptz input, exact to the microsecond. Stored times have
 * microsecond precision, so an inclusive lower bound is rounded up and an inclusive upper
 * bound down: `x >= min` and `x <= max` then select exactly the stored times inside the bounds.
 */
export function toBound(instant: Instant, side: 'min' | 'max'): string {
  const micros = side === 'min' && instant.belowMicros ? instant.micros + 1n : instant.micros;
  const millis = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const subMillis = ((micros % 1000n) + 1000n) % 1000n;
  const iso = new Date(Number(millis)).toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
  return `${iso.slice(0, -1)}${subMillis.toString().padStart(3, '0')}Z`;
}

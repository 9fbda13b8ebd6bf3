/**
 * An amount in Stellar's precision: 7 decimal places, held as an integer count of 10⁻⁷ units
 * (Stellar's "stroops"), so no value is ever rounded through a binary float.
 */
export class Money {
  static readonly SCALE = 7;
  static readonly MAX = new Money(900_000_000n * 10n ** 7n);
  static readonly ZERO = new Money(0n);

  private constructor(readonly units: bigint) {}

  /**
   * Parses a JSON number's exact text (exponent notation included, as JavaScript clients send
   * `1e-7` and Java's BigDecimal `1.50025E+3`). Returns an error message instead of throwing,
   * for the validators. Linear in the text, which is bounded first: a valid amount has at most
   * 9 + 7 significant digits, so {@link MAX_TEXT_LENGTH} leaves room for any notation a client
   * library writes (.NET keeps up to 28 decimals of scale, trailing zeros included).
   */
  static parse(text: string): Money | string {
    if (text.length > MAX_TEXT_LENGTH) return 'must be a decimal number of at most 100 characters';
    const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!match) return 'must be a decimal number';
    const [, sign, whole, fraction = '', exponentText = '0'] = match;
    const exponent = Number(exponentText);
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 40) return 'is out of range';
    const digits = whole + fraction;
    const scale = fraction.length - exponent; // value = digits × 10^-scale
    const trailingZeros = digits.length - lastNonZero(digits) - 1;
    if (scale - trailingZeros > Money.SCALE) return `must have at most ${Money.SCALE} decimal places`;
    const units =
      scale <= Money.SCALE
        ? BigInt(digits) * 10n ** BigInt(Money.SCALE - scale)
        : BigInt(digits) / 10n ** BigInt(scale - Money.SCALE);
    if (sign === '-' && units !== 0n) return 'must not be negative';
    if (units > Money.MAX.units) return 'must not exceed 900000000';
    return new Money(units);
  }

  /** From PostgreSQL's `numeric(16,7)` text. */
  static fromDecimal(text: string): Money {
    const money = Money.parse(text);
    if (typeof money === 'string') throw new Error('invalid stored amount');
    return money;
  }

  /** Plain decimal text without trailing zeros, e.g. `12.5`, `0.0000001`, `900000000`. */
  toString(): string {
    const whole = this.units / 10n ** 7n;
    const padded = (this.units % 10n ** 7n).toString().padStart(Money.SCALE, '0');
    const fraction = padded.slice(0, lastNonZero(padded) + 1);
    return fraction ? `${whole}.${fraction}` : whole.toString();
  }

  equals(other: Money): boolean {
    return this.units === other.units;
  }

  /** Serialised by {@link stringifyJson} as a bare JSON number with the exact digits. */
  toJSON(): string {
    return rawJsonNumber(this.toString());
  }
}

/** Longest decimal text {@link Money.parse} reads. */
const MAX_TEXT_LENGTH = 100;

/** Index of the last digit that is not 0, or -1 (a plain loop: a /0+$/ regex is quadratic on long runs of zeros). */
function lastNonZero(digits: string): number {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 48) i--;
  return i;
}

/**
 * JSON.stringify cannot emit a number from text on Node 20 (JSON.rawJSON is still behind a
 * flag), so exact numbers travel as marked strings that {@link stringifyJson} unwraps. The
 * marker holds a per-process random token, and client strings can never contain control
 * characters, so no input can forge one.
 */
const MARK = `\u0001${Math.random().toString(36).slice(2)}:`;
const MARKED = new RegExp(`"\\\\u0001${MARK.slice(1)}(-?[0-9.]+)"`, 'g');

function rawJsonNumber(text: string): string {
  return `${MARK}${text}`;
}

/** JSON.stringify that writes {@link Money} values as exact JSON numbers. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value).replace(MARKED, '$1');
}

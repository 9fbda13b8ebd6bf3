import { applyDecorators } from '@nestjs/common';
import { StrKey } from '@stellar/stellar-base';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { Money } from '../customers/domain/money';
import { ExactNumber } from './json-body';

/** C0 and C1 control characters, DEL, and the Unicode line/paragraph separators. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Field-level checks; each names the field's own library where one exists. */

/** Trims strings before validation (other types pass through to fail their type check). */
export const Trimmed = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Keeps the parsed value as it came (class-transformer would otherwise rebuild class instances). */
export const Untouched = () => Transform(({ obj, key }) => (obj as Record<string, unknown>)[key]);

/** Optional, and `null` is a value (it clears the field). */
export const Nullable = () => IsOptional();

/** Optional, but `null` is refused: the field cannot be cleared. */
export const NotNullIfPresent = () =>
  applyDecorators(
    ValidateIf((_, value) => value !== undefined),
    ValidateBy({
      name: 'notNull',
      validator: { validate: (value) => value !== null, defaultMessage: () => 'must not be null' },
    }),
  );

export function IsCleanText(maxLength: number, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'cleanText',
      validator: {
        validate: (value) => textProblem(value, maxLength) === null,
        defaultMessage: (args) => textProblem(args?.value, maxLength) ?? 'is invalid',
      },
    },
    options,
  );
}

function textProblem(value: unknown, maxLength: number): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty (send null to clear it)';
  if (CONTROL_CHARACTERS.test(value)) return 'must not contain control characters';
  if ([...value].length > maxLength) return `must be at most ${maxLength} characters`;
  return null;
}

/** A Stellar asset code: 1–12 letters and digits. */
export const IsStellarAssetCode = () =>
  ValidateBy({
    name: 'stellarAssetCode',
    validator: {
      validate: (value) => typeof value === 'string' && /^[A-Za-z0-9]{1,12}$/.test(value),
      defaultMessage: () => 'must be a Stellar asset code (1-12 letters and digits)',
    },
  });

/** A Stellar account id: StrKey `G…` with a valid checksum (checked by the Stellar SDK). */
export const IsStellarAccountId = () =>
  ValidateBy({
    name: 'stellarAccountId',
    validator: {
      validate: (value) => typeof value === 'string' && StrKey.isValidEd25519PublicKey(value),
      defaultMessage: () => 'must be a Stellar account id (G..., 56 characters, valid checksum)',
    },
  });

/** ISO 13616: country length and mod-97 (ibantools); spaces and case are normalised later. */
export const IsIban = () =>
  ValidateBy({
    name: 'iban',
    validator: {
      validate: (value) => normaliseIban(value) !== null,
      defaultMessage: () => 'must be a valid IBAN (ISO 13616)',
    },
  });

export function normaliseIban(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  const iban = electronicFormatIBAN(value);
  return iban && isValidIBAN(iban) ? iban : null;
}

/** An international phone number libphonenumber-js accepts as valid; stored as E.164. */
export const IsPhoneNumber = () =>
  ValidateBy({
    name: 'phoneNumber',
    validator: {
      validate: (value) => normalisePhone(value) !== null,
      defaultMessage: () => 'must be a valid international phone number, e.g. +12025550123',
    },
  });

export function normalisePhone(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40 || CONTROL_CHARACTERS.test(value)) return null;
  const phone = parsePhoneNumberFromString(value);
  return phone?.isValid() ? phone.number : null;
}

/** Money: a JSON number with at most 7 decimals, 0 … 900000000, read from its exact text. */
export const IsMoney = () =>
  ValidateBy({
    name: 'money',
    validator: {
      validate: (value) => toMoney(value) instanceof Money,
      defaultMessage: (args) => {
        const money = toMoney(args?.value);
        return typeof money === 'string' ? money : 'is invalid';
      },
    },
  });

export function toMoney(value: unknown): Money | string {
  if (value instanceof ExactNumber) return Money.parse(value.text);
  if (typeof value === 'number') return Money.parse(String(value));
  return 'must be a number';
}

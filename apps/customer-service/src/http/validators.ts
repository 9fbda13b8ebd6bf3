import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy, ValidateIf } from 'class-validator';
import { Problem, Rule } from '../fields/field-rules';
import { ExactNumber } from './json-body';

/**
 * Body fields are checked by their field rules (fields/field-rules.ts), the same rules the
 * query parameters use: a decorated property holds the rule's normalised value (trimmed text,
 * a lower-case guid, an E.164 phone, exact Money) once validation has passed.
 */

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

/** How a JSON value becomes a rule's raw text: strings for text fields, exact digits for money. */
type Input = (value: unknown) => string | Problem;

const stringInput: Input = (value) => (typeof value === 'string' ? value : new Problem('must be a string'));

/** A JSON number's exact text (the body parser keeps money as an {@link ExactNumber}). */
export const numberInput: Input = (value) => {
  if (value instanceof ExactNumber) return value.text;
  if (typeof value === 'number') return String(value);
  return new Problem('must be a number');
};

/**
 * Checks a body field with its rule and replaces it by the normalised value. The transform
 * reads the parsed body's own value (class-transformer would rebuild class instances such as
 * ExactNumber) and leaves null and absent values to Nullable / NotNullIfPresent.
 */
export const Checked = (rule: Rule<unknown>, input: Input = stringInput) =>
  applyDecorators(
    Transform(({ obj, key }) => {
      const value = (obj as Record<string, unknown>)[key];
      if (value === null || value === undefined) return value;
      const raw = input(value);
      return raw instanceof Problem ? raw : rule(raw);
    }),
    ValidateBy({
      name: 'fieldRule',
      validator: {
        // Nullable / NotNullIfPresent skip this check for the values they allow; anything else is required.
        validate: (value) => value !== undefined && value !== null && !(value instanceof Problem),
        defaultMessage: (args) => {
          if (args?.value instanceof Problem) return args.value.message;
          return args?.value === null ? 'must not be null' : 'is required';
        },
      },
    }),
  );

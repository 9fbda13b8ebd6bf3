/** Why a message could not be decoded. Stable: consumers may branch on it. */
export type MalformedReason =
  /** The value is missing or empty. */
  | 'EMPTY_VALUE'
  /** A header is missing, repeated or has a value the contract does not allow. */
  | 'INVALID_HEADERS'
  /** The value is not one well-formed JSON document (duplicate keys included). */
  | 'INVALID_JSON'
  /** The value does not match its type's JSON Schema. */
  | 'SCHEMA_VIOLATION'
  /** Key, headers and value disagree (e.g. `ce_id` ≠ `event_id`, key ≠ `customer_guid`). */
  | 'INCONSISTENT';

/**
 * A message that is not a valid customer event or snapshot. Retrying it can never succeed:
 * record it (topic, partition, offset) and move on. `problems` name fields and rules, never
 * field values, so the error can be logged (values may be personal data).
 */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';

  constructor(
    readonly reason: MalformedReason,
    readonly problems: readonly string[],
  ) {
    super(`${reason}: ${problems.join('; ')}`);
  }
}

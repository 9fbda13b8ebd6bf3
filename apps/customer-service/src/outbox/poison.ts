/**
 * Kafka errors that refuse a record itself, for good: retrying the same record can never
 * succeed, whatever the broker's state. Other non-retriable errors (authorisation, a fenced
 * producer, an unsupported version) concern every record alike; parking would park everyone,
 * so the relay retries those as it retries an outage (docs/failure-modes.md).
 */
const POISON_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);

/**
 * The Kafka error type that makes this error a refusal of the records sent (one of
 * {@link POISON_TYPES}), or undefined. kafkajs wraps a broker's protocol error in retry and
 * aggregate errors: the whole chain is searched.
 */
export function poisonType(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const { type, cause, errors } = error as { type?: unknown; cause?: unknown; errors?: unknown };
  if (typeof type === 'string' && POISON_TYPES.has(type)) return type;
  for (const inner of [cause, ...(Array.isArray(errors) ? (errors as unknown[]) : [])]) {
    const found = poisonType(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

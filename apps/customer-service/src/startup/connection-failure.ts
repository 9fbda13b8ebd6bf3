import { ConfigError } from '../config/app-config';

/**
 * What the start-up checks make of a failed connection: a setting that can never work (the
 * process stops with this one line) or an outage that may end (the service starts and retries).
 */
export class MisconfigurationError extends ConfigError {}

/** Node's codes for a server certificate that does not chain to a trusted CA (or is not valid now). */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_REVOKED', 'INVALID_CA', 'CERT_CHAIN_TOO_LONG', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'CERT_REJECTED',
]);
/** TLS alerts a server sends when it refuses the client's certificate (or its absence). */
const CLIENT_CERTIFICATE_REFUSED = /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|UNSUPPORTED_CERTIFICATE|HANDSHAKE_FAILURE)/;

export type TlsFailure = 'untrusted' | 'hostname' | 'client-certificate';

export function tlsFailure(code: unknown): TlsFailure | undefined {
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED.has(code)) return 'untrusted';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'hostname';
  if (CLIENT_CERTIFICATE_REFUSED.test(code)) return 'client-certificate';
  return undefined;
}

/** What is read of an error in a chain of causes (each field a string, when the error has one). */
export interface Cause {
  name?: string;
  message: string;
  /** Node's or PostgreSQL's error code (ERR_…, SQLSTATE). */
  code?: string;
  /** kafkajs's protocol error type (e.g. ILLEGAL_SASL_STATE). */
  type?: string;
  broker?: string;
}

/** An error and its causes (kafkajs wraps the socket's error once or twice), at most 10 deep. */
export function causes(error: unknown): Cause[] {
  const chain: Cause[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 10; depth++) {
    const fields = current as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    chain.push({ name: text(fields.name), message: messageOf(current), code: text(fields.code), type: text(fields.type), broker: text(fields.broker) });
    current = fields.cause ?? fields.originalError;
  }
  return chain;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaConfig } from '../config/app-config';
import { causes, messageOf, MisconfigurationError, tlsFailure } from '../startup/connection-failure';
import { kafkaConnectionOptions } from './kafka-client';
import { answersPlaintext, saslMechanisms, speaksTls } from './listener-probe';

const PROBE_TIMEOUT_MS = 3000;
/**
 * A broker that is down, unreachable or not answering: nothing to ask it. (A listener that
 * speaks another protocol closes the connection at once; it does not leave requests unanswered.)
 */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);
const NOT_ANSWERING = /timeout|timed out/i;

/**
 * Connects once (metadata from the bootstrap brokers) with the service's own settings. Resolves
 * when Kafka answers or is merely unreachable (the service starts, its roles retry and the API
 * keeps taking writes); throws a {@link MisconfigurationError} naming the setting when the
 * answer means it can never work.
 */
export async function checkKafka(config: KafkaConfig): Promise<{ available: boolean; reason?: string }> {
  const connection = kafkaConnectionOptions(config);
  const kafka = new Kafka({
    ...connection, clientId: 'customer-service-check', logLevel: logLevel.NOTHING,
    requestTimeout: 5000, authenticationTimeout: 5000, retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    await admin.describeCluster();
    return { available: true };
  } catch (error) {
    const unreachable = causes(error).some((cause) => UNREACHABLE.has(String(cause.code)) || NOT_ANSWERING.test(cause.message));
    const line = kafkaMisconfiguration(error, config) ?? (unreachable ? undefined : await probedMisconfiguration(error, config, connection.ssl));
    if (line) throw new MisconfigurationError(line);
    return { available: false, reason: messageOf(error) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The one line for an error that says by itself that no retry can cure it, or undefined. */
export function kafkaMisconfiguration(error: unknown, config: KafkaConfig): string | undefined {
  for (const cause of causes(error)) {
    const broker = typeof cause.broker === 'string' ? cause.broker : config.brokers[0];
    const message = cause.message;
    switch (tlsFailure(cause.code)) {
      case 'untrusted':
        return config.ssl?.ca
          ? `Invalid configuration: KAFKA_SSL_CA_FILE does not verify the certificate of the broker at ${broker} (${cause.code}); expected the CA that signed it.`
          : `Invalid configuration: KAFKA_SSL_CA_FILE is not set and Node's public CAs do not verify the certificate of the broker at ${broker} (${cause.code}); expected the CA that signed it.`;
      case 'hostname':
        return `Invalid configuration: KAFKA_BROKERS names ${broker}, which the broker's certificate was not issued for; expected the host names in its certificate.`;
      case 'client-certificate':
        return `Invalid configuration: KAFKA_SSL_CERT_FILE ${config.ssl?.cert ? 'was refused by' : 'is not set, and a client certificate is required by'} the broker at ${broker} (${cause.code}); expected a certificate its CA signed.`;
    }
    if (cause.name === 'KafkaJSSASLAuthenticationError' || /SASL .* mechanism is not supported/.test(message)) {
      if (/not supported/.test(message)) {
        return `Invalid configuration: KAFKA_SASL_MECHANISM is "${config.sasl?.mechanism}", which the broker at ${broker} does not offer; expected one it enables.`;
      }
      return `Invalid configuration: KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD were refused by the broker at ${broker} (${config.sasl?.mechanism} authentication failed); expected valid credentials for that mechanism.`;
    }
    if (cause.type === 'ILLEGAL_SASL_STATE') {
      return `Invalid configuration: KAFKA_SASL_MECHANISM is set, but the listener at ${broker} does not use SASL; expected it unset for this listener, or the broker's SASL port.`;
    }
  }
  return undefined;
}

/**
 * The broker closed the connection without saying why, which a listener does when the client
 * speaks the wrong protocol: TLS or not, SASL or not. Asks the listener directly.
 */
async function probedMisconfiguration(error: unknown, config: KafkaConfig, tls: boolean | ConnectionOptions | undefined): Promise<string | undefined> {
  const named = causes(error).map((cause) => cause.broker).find((broker): broker is string => typeof broker === 'string');
  const broker = named ?? config.brokers[0];
  const separator = broker.lastIndexOf(':');
  const [host, port] = [broker.slice(0, separator).replace(/^\[|\]$/g, ''), Number(broker.slice(separator + 1))];
  if (!tls && (await speaksTls(host, port, PROBE_TIMEOUT_MS))) {
    return `Invalid configuration: KAFKA_SSL is not true, but the broker at ${broker} speaks TLS; expected KAFKA_SSL=true (with KAFKA_SSL_CA_FILE unless its CA is a public one).`;
  }
  if (tls && (await answersPlaintext(host, port, PROBE_TIMEOUT_MS))) {
    return `Invalid configuration: KAFKA_SSL is true, but the broker at ${broker} is a plaintext listener; expected KAFKA_SSL=false, or the broker's TLS port in KAFKA_BROKERS.`;
  }
  if (!config.sasl) {
    const offered = await saslMechanisms(host, port, tls === true ? {} : tls || undefined, PROBE_TIMEOUT_MS);
    if (offered && offered.length > 0) {
      return `Invalid configuration: KAFKA_SASL_MECHANISM is not set, but the broker at ${broker} requires SASL (${offered.join(', ')}); expected one of them with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.`;
    }
  }
  return undefined;
}

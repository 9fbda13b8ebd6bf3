import { loadConfig } from '../config/app-config';
import { databaseMisconfiguration } from '../database/database-check';
import { kafkaMisconfiguration } from '../kafka/kafka-check';

// The classification alone, on errors shaped as node-postgres and kafkajs raise them (the real
// servers' answers are in test/secured-infrastructure.e2e-spec.ts).
const config = loadConfig({
  DATABASE_URL: 'postgres://svc:hunter2@db.example.com:5432/customers',
  KAFKA_BROKERS: 'kafka-1.example.com:9093',
  KAFKA_SSL: 'true',
  KAFKA_SASL_MECHANISM: 'scram-sha-256',
  KAFKA_SASL_USERNAME: 'svc',
  KAFKA_SASL_PASSWORD: 'sasl-secret',
  AUTH_JWT_SECRET: 'a-test-secret-that-is-long-enough-123',
});
const failure = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);
const wrapped = (cause: Error, name = 'KafkaJSNumberOfRetriesExceeded') => Object.assign(new Error(cause.message), { name, cause });
/** Test names from the errors' messages (an Error itself would print its stack). */
const named = <T extends unknown[]>(cases: [Error, ...T][]) => cases.map(([error, ...rest]) => [error.message, error, ...rest] as [string, Error, ...T]);

describe('databaseMisconfiguration', () => {
  it.each(named([
    [failure('connect ECONNREFUSED 10.0.0.1:5432', { code: 'ECONNREFUSED' })],
    [failure('Connection terminated due to connection timeout')],
    [failure('the database system is starting up', { code: '57P03' })],
    [failure('sorry, too many clients already', { code: '53300' })],
  ]))('leaves an outage to the retries: %s', (_, error) => {
    expect(databaseMisconfiguration(error, config.database)).toBeUndefined();
  });

  it.each(named([
    [failure('database "customers" does not exist', { code: '3D000' }), 'DATABASE_URL: the server at db.example.com:5432 refused this user, database or address (SQLSTATE 3D000)'],
    [failure('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), 'DATABASE_URL / DATABASE_PASSWORD'],
    [failure('certificate has expired', { code: 'CERT_HAS_EXPIRED' }), 'DATABASE_SSL_CA_FILE is not set and Node\'s public CAs do not verify'],
  ]))('names the setting: %s', (_, error, expected) => {
    const line = databaseMisconfiguration(error, config.database);
    expect(line).toContain(expected);
    expect(line).not.toContain('hunter2');
  });
});

describe('kafkaMisconfiguration', () => {
  it('leaves an unreachable broker and a closed connection to the retries and the probe', () => {
    expect(kafkaMisconfiguration(wrapped(failure('Connection error: connect ECONNREFUSED', { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' })), config.kafka)).toBeUndefined();
    expect(kafkaMisconfiguration(wrapped(failure('Closed connection', { name: 'KafkaJSConnectionClosedError' })), config.kafka)).toBeUndefined();
  });

  it.each(named([
    [failure('SASL SCRAM SHA256 mechanism is not supported by the server', { name: 'KafkaJSNonRetriableError' }), 'KAFKA_SASL_MECHANISM is "scram-sha-256", which the broker at kafka-1.example.com:9093 does not offer'],
    [failure('Response SaslHandshake(key: 17, version: 1)', { name: 'KafkaJSProtocolError', type: 'ILLEGAL_SASL_STATE' }), 'KAFKA_SASL_MECHANISM is set, but the listener at kafka-1.example.com:9093 does not use SASL'],
    [wrapped(failure('Connection error: self-signed certificate in certificate chain', { name: 'KafkaJSConnectionError', code: 'SELF_SIGNED_CERT_IN_CHAIN', broker: 'kafka-2.example.com:9093' })), 'the broker at kafka-2.example.com:9093 (SELF_SIGNED_CERT_IN_CHAIN)'],
  ]))('names the setting: %s', (_, error, expected) => {
    const line = kafkaMisconfiguration(error, config.kafka);
    expect(line).toContain(expected);
    expect(line).not.toContain('sasl-secret');
  });
});

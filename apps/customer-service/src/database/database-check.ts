import { Client } from 'pg';
import { DatabaseConfig } from '../config/app-config';
import { causes, messageOf, MisconfigurationError, tlsFailure } from '../startup/connection-failure';
import { pgConnectionOptions } from './pg-connection';

/**
 * Connects once with the service's own settings. Resolves when PostgreSQL answers or is merely
 * unreachable (the service starts and retries, as it always has); throws a
 * {@link MisconfigurationError} naming the setting when the answer means it can never work.
 */
export async function checkDatabase(config: DatabaseConfig): Promise<{ available: boolean; reason?: string }> {
  const client = new Client({
    ...pgConnectionOptions(config),
    connectionTimeoutMillis: config.connectTimeoutMs,
    query_timeout: config.connectTimeoutMs,
    application_name: 'customer-service-check',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { available: true };
  } catch (error) {
    const line = databaseMisconfiguration(error, config);
    if (line) throw new MisconfigurationError(line);
    return { available: false, reason: messageOf(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The one line for an error that no retry can cure, or undefined. Never quotes the server's text: it names users and databases. */
export function databaseMisconfiguration(error: unknown, config: DatabaseConfig): string | undefined {
  const url = new URL(config.url);
  const server = `the server at ${url.host}`;
  for (const cause of causes(error)) {
    const { code } = cause;
    const message = cause.message;
    switch (tlsFailure(code)) {
      case 'untrusted':
        return config.tls.ca
          ? `Invalid configuration: DATABASE_SSL_CA_FILE does not verify the certificate of ${server} (${code}); expected the CA that signed it.`
          : `Invalid configuration: DATABASE_SSL_CA_FILE is not set and Node's public CAs do not verify the certificate of ${server} (${code}); expected the CA that signed it.`;
      case 'hostname':
        return `Invalid configuration: DATABASE_URL names the host ${url.hostname}, which the certificate of ${server} was not issued for; expected a name in its certificate (or DATABASE_SSLMODE=verify-ca, which does not check it).`;
      case 'client-certificate':
        return `Invalid configuration: DATABASE_SSL_CERT_FILE ${config.tls.cert ? 'was refused by' : 'is not set, and a client certificate is required by'} ${server} (${code}); expected a certificate its CA signed.`;
    }
    if (/does not support SSL/i.test(message)) {
      return `Invalid configuration: DATABASE_SSLMODE is "${config.sslMode}", but ${server} does not support TLS; expected disable, or a server with ssl=on.`;
    }
    if (code === '28P01' || /password must be a string|SASL: SCRAM-SERVER/.test(message)) {
      return `Invalid configuration: DATABASE_URL / DATABASE_PASSWORD: ${server} refused the password (${code ?? 'no password'}); expected the user's password.`;
    }
    if (code === '28000' && /no encryption/.test(message)) {
      return `Invalid configuration: DATABASE_SSLMODE is "${config.sslMode}", but ${server} accepts only TLS connections here (SQLSTATE 28000); expected require, verify-ca or verify-full.`;
    }
    if (code === '28000' && /certificate/.test(message)) {
      return `Invalid configuration: DATABASE_SSL_CERT_FILE: ${server} requires a valid client certificate (SQLSTATE 28000); expected a certificate its CA signed, issued to this user if it checks the name.`;
    }
    if (code === '28000' || code === '3D000') {
      return `Invalid configuration: DATABASE_URL: ${server} refused this user, database or address (SQLSTATE ${code}); expected a user and database it accepts from here.`;
    }
  }
  return undefined;
}

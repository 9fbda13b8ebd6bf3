import { checkServerIdentity, ConnectionOptions } from 'node:tls';
import { DatabaseConfig } from '../config/app-config';

/**
 * How every PostgreSQL connection of the service is made (the TypeORM pool, the relay's own
 * session, the rebuild, the benchmark): the URL and TLS as libpq's `sslmode` defines them.
 * node-postgres is given an explicit `ssl`, so neither its own `sslmode` parsing (which treats
 * `require` as `verify-full`) nor PGSSLMODE applies.
 */
export function pgConnectionOptions(config: DatabaseConfig): { connectionString: string; ssl: false | ConnectionOptions } {
  return { connectionString: config.url, ssl: pgSsl(config) };
}

/**
 * - `disable`: plaintext.
 * - `require`: encrypted, the server not authenticated (an active attacker can pose as it) —
 *   unless a CA file is set, then as `verify-ca` (libpq does the same with a root certificate).
 * - `verify-ca`: the server's certificate must chain to DATABASE_SSL_CA_FILE; its name is not checked.
 * - `verify-full`: chain and host name checked (against DATABASE_SSL_CA_FILE, or Node's public CAs).
 *   The name is checked here, against the URL's host: node-postgres gives Node no host name when
 *   the URL names an IP address, and Node then checks the certificate against "localhost".
 */
export function pgSsl({ url, sslMode, tls }: DatabaseConfig): false | ConnectionOptions {
  const clientCertificate = tls.cert ? { cert: tls.cert, key: tls.key, passphrase: tls.passphrase } : {};
  switch (sslMode) {
    case 'disable':
      return false;
    case 'require':
      if (!tls.ca) return { ...clientCertificate, rejectUnauthorized: false };
      return { ...clientCertificate, ca: tls.ca, checkServerIdentity: () => undefined };
    case 'verify-ca':
      return { ...clientCertificate, ca: tls.ca, checkServerIdentity: () => undefined };
    case 'verify-full': {
      const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
      return { ...clientCertificate, ...(tls.ca ? { ca: tls.ca } : {}), checkServerIdentity: (_servername, certificate) => checkServerIdentity(host, certificate) };
    }
  }
}

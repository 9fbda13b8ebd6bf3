import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import { bool, Env, fail, failWithout, fileContent, raw, secret } from './env-readers';

/** PEM material read from the files the settings name (certificates are checked, keys decrypted once). */
export interface TlsMaterial {
  /** CA certificates to trust instead of Node's bundled public ones. */
  ca?: string;
  /** Client certificate and key, for mutual TLS. */
  cert?: string;
  key?: string;
  passphrase?: string;
}

/**
 * libpq's `sslmode` values that the service implements as libpq defines them. Not `allow` and
 * `prefer`: they fall back to plaintext without telling, and node-postgres cannot retry that way.
 */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export const SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface SaslConfig {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** URL parameters of libpq's TLS family that the service takes from settings of its own instead. */
const URL_TLS_PARAMETERS = ['ssl', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'sslcrl', 'sslcrldir', 'sslnegotiation', 'sslsni', 'uselibpqcompat'];

/**
 * The TLS part of the PostgreSQL settings. `sslmode` in DATABASE_URL keeps libpq's meaning (it
 * is how managed databases hand out their URLs) and is taken out of the URL, so node-postgres,
 * whose own parsing treats `require` as `verify-full`, never reads it. DATABASE_SSLMODE may say
 * the same; saying something else is an error.
 */
export function databaseTls(env: Env, url: URL): { sslMode: SslMode; tls: TlsMaterial } {
  const fromUrl = url.searchParams.get('sslmode') ?? undefined;
  const fromEnv = raw(env, 'DATABASE_SSLMODE');
  for (const name of URL_TLS_PARAMETERS) {
    if (url.searchParams.has(name)) {
      failWithout('DATABASE_URL', `has the parameter ${name}`, 'DATABASE_SSL_CA_FILE, DATABASE_SSL_CERT_FILE and DATABASE_SSL_KEY_FILE instead (see docs/configuration.md)');
    }
  }
  if (fromUrl !== undefined && fromEnv !== undefined && fromUrl !== fromEnv) {
    failWithout('DATABASE_SSLMODE', `is "${fromEnv}" but DATABASE_URL says sslmode=${fromUrl}`, 'one of them, or the same value in both');
  }
  url.searchParams.delete('sslmode');
  const sslMode = fromEnv ?? fromUrl ?? 'disable';
  if (!(SSL_MODES as readonly string[]).includes(sslMode)) {
    fail(fromEnv === undefined ? 'sslmode in DATABASE_URL' : 'DATABASE_SSLMODE', sslMode, `one of ${SSL_MODES.join(', ')} (allow and prefer fall back to plaintext silently: not supported)`);
  }
  const tls = tlsMaterial(env, 'DATABASE_SSL');
  if (sslMode === 'disable' && Object.keys(tls).length > 0) {
    fail('DATABASE_SSLMODE', 'disable', 'require, verify-ca or verify-full when DATABASE_SSL_* files are set');
  }
  // Without a CA of its own, verify-ca would accept any server with a certificate from any public CA.
  if (sslMode === 'verify-ca' && !tls.ca) fail('DATABASE_SSL_CA_FILE', undefined, 'the CA that signed the server certificate when DATABASE_SSLMODE is verify-ca');
  return { sslMode: sslMode as SslMode, tls };
}

/** KAFKA_SSL and KAFKA_SASL_*: TLS material when TLS is on, SASL credentials when a mechanism is set. */
export function kafkaSecurity(env: Env): { ssl?: TlsMaterial; sasl?: SaslConfig } {
  const sslOn = bool(env, 'KAFKA_SSL', false);
  const tls = tlsMaterial(env, 'KAFKA_SSL');
  if (!sslOn && Object.keys(tls).length > 0) fail('KAFKA_SSL', raw(env, 'KAFKA_SSL'), 'true when KAFKA_SSL_* files are set');
  const sasl = saslConfig(env);
  if (sasl?.mechanism === 'plain' && !sslOn) {
    fail('KAFKA_SSL', raw(env, 'KAFKA_SSL'), 'true with KAFKA_SASL_MECHANISM=plain (PLAIN sends the password as it is)');
  }
  return { ssl: sslOn ? tls : undefined, sasl };
}

function saslConfig(env: Env): SaslConfig | undefined {
  const mechanism = raw(env, 'KAFKA_SASL_MECHANISM');
  const username = secret(env, 'KAFKA_SASL_USERNAME');
  const password = secret(env, 'KAFKA_SASL_PASSWORD');
  if (mechanism === undefined) {
    if (username !== undefined || password !== undefined) fail('KAFKA_SASL_MECHANISM', undefined, `one of ${SASL_MECHANISMS.join(', ')} when KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD are set`);
    return undefined;
  }
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) fail('KAFKA_SASL_MECHANISM', mechanism, `one of ${SASL_MECHANISMS.join(', ')}`);
  if (username === undefined) fail('KAFKA_SASL_USERNAME', undefined, `the SASL user name with KAFKA_SASL_MECHANISM=${mechanism}`);
  if (password === undefined) fail('KAFKA_SASL_PASSWORD', undefined, `the SASL password with KAFKA_SASL_MECHANISM=${mechanism}`);
  return { mechanism: mechanism as SaslMechanism, username, password };
}

/**
 * `<prefix>_CA_FILE`, `<prefix>_CERT_FILE`, `<prefix>_KEY_FILE` and the secret
 * `<prefix>_KEY_PASSPHRASE`, read and checked now, so that a wrong file stops the start with
 * its name instead of failing each connection later.
 */
export function tlsMaterial(env: Env, prefix: string): TlsMaterial {
  const names = { ca: `${prefix}_CA_FILE`, cert: `${prefix}_CERT_FILE`, key: `${prefix}_KEY_FILE`, passphrase: `${prefix}_KEY_PASSPHRASE` };
  const material: TlsMaterial = {};
  const ca = fileContent(env, names.ca);
  if (ca !== undefined) {
    certificates(names.ca, raw(env, names.ca)!, ca);
    material.ca = ca;
  }
  const cert = fileContent(env, names.cert);
  const key = fileContent(env, names.key);
  const passphrase = secret(env, names.passphrase);
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? names.cert : names.key;
    fail(missing, undefined, `a file too when ${cert === undefined ? names.key : names.cert} is set (a client certificate and its key go together)`);
  }
  if (passphrase !== undefined && key === undefined) fail(names.key, undefined, `a key file when ${names.passphrase} is set`);
  if (cert !== undefined && key !== undefined) {
    const [leaf] = certificates(names.cert, raw(env, names.cert)!, cert);
    const privateKey = decryptedKey(names, raw(env, names.key)!, key, passphrase);
    if (!leaf.checkPrivateKey(privateKey)) failWithout(names.key, `is not the key of ${names.cert}`, 'the private key of that certificate');
    Object.assign(material, { cert, key, ...(passphrase === undefined ? {} : { passphrase }) });
  }
  return material;
}

function certificates(name: string, file: string, pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    if (blocks.length === 0) throw new Error('no certificate');
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    fail(name, file, 'a file of PEM certificates (-----BEGIN CERTIFICATE-----)');
  }
}

function decryptedKey(names: { key: string; passphrase: string }, file: string, pem: string, passphrase: string | undefined): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase === undefined ? {} : { passphrase }) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_OSSL_BAD_DECRYPT') failWithout(names.passphrase, `does not decrypt ${names.key}`, 'the passphrase of that key');
    if (passphrase === undefined && /MISSING_PASSPHRASE|INTERRUPTED_OR_CANCELLED/.test(code ?? '')) {
      fail(names.passphrase, undefined, `the passphrase of ${names.key} (the key is encrypted)`);
    }
    fail(names.key, file, 'a PEM private key');
  }
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pgSsl } from '../database/pg-connection';
import { checkEnvironment, loadConfig } from './app-config';

const base = {
  DATABASE_URL: 'postgres://u@db.example.com:5432/db',
  KAFKA_BROKERS: 'kafka.example.com:9093',
  AUTH_JWT_SECRET: 'a-test-secret-that-is-long-enough-123',
};

// PEM files made once for the whole file (openssl: the same tool the secured test stack uses).
let dir: string;
const file = (name: string) => path.join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'config-spec-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('a.key'), '-out', file('a.pem'), '-days', '1', '-subj', '/CN=a');
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('b.key'), '-out', file('b.pem'), '-days', '1', '-subj', '/CN=b');
  openssl('pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', file('a.key'), '-out', file('a.enc.key'), '-passout', 'pass:open-sesame');
  writeFileSync(file('passphrase'), 'open-sesame\n');
  writeFileSync(file('not-pem'), 'hello');
  writeFileSync(file('empty'), '\n');
  writeFileSync(file('jwt-secret'), 'a-secret-from-a-file-that-is-long-enough\r\n');
  writeFileSync(file('database-url'), 'postgres://u:from-file@db:5432/db\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets from files (NAME_FILE)', () => {
  it('reads the file, without its trailing line break', () => {
    const config = loadConfig({ ...base, AUTH_JWT_SECRET: undefined, AUTH_JWT_SECRET_FILE: file('jwt-secret'), DATABASE_URL: undefined, DATABASE_URL_FILE: file('database-url') });
    expect(config.auth.jwtSecret).toBe('a-secret-from-a-file-that-is-long-enough');
    expect(new URL(config.database.url).password).toBe('from-file');
  });

  it.each([
    [{ AUTH_JWT_SECRET_FILE: '/nowhere' }, 'AUTH_JWT_SECRET and AUTH_JWT_SECRET_FILE are both set; expected only one of them.'],
    [{ AUTH_JWT_SECRET: undefined, AUTH_JWT_SECRET_FILE: '/nowhere/secret' }, 'AUTH_JWT_SECRET_FILE is "/nowhere/secret"; expected a readable file (ENOENT).'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD_FILE: 'EMPTY' }, 'KAFKA_SASL_PASSWORD_FILE'],
  ])('rejects %p in one line', (override, expected) => {
    const env = Object.fromEntries(Object.entries({ ...base, ...override }).map(([key, value]) => [key, value === 'EMPTY' ? file('empty') : value]));
    const message = checkEnvironment(env);
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('puts DATABASE_PASSWORD(_FILE) into the URL, encoded, and refuses a second password', () => {
    const config = loadConfig({ ...base, DATABASE_PASSWORD: 'p@ss:w/rd%41' });
    expect(decodeURIComponent(new URL(config.database.url).password)).toBe('p@ss:w/rd%41');
    const message = checkEnvironment({ ...base, DATABASE_URL: 'postgres://u:hunter2@db/x', DATABASE_PASSWORD: 'other-secret' });
    expect(message).toContain('DATABASE_PASSWORD is set and DATABASE_URL has a password too');
    expect(message).not.toMatch(/hunter2|other-secret/);
  });
});

describe('PostgreSQL TLS (libpq sslmode)', () => {
  const ssl = (env: Record<string, string | undefined>) => pgSsl(loadConfig({ ...base, ...env }).database);

  it('is off by default, and sslmode leaves the URL node-postgres sees', () => {
    expect(ssl({})).toBe(false);
    const config = loadConfig({ ...base, DATABASE_URL: 'postgres://u@db:5432/x?sslmode=require&application_name=a' });
    expect(config.database.sslMode).toBe('require');
    expect(config.database.url).toBe('postgres://u@db:5432/x?application_name=a');
  });

  it('require encrypts without verifying, unless a CA is given (then as verify-ca, like libpq)', () => {
    expect(ssl({ DATABASE_SSLMODE: 'require' })).toEqual({ rejectUnauthorized: false });
    const withCa = ssl({ DATABASE_SSLMODE: 'require', DATABASE_SSL_CA_FILE: file('a.pem') }) as { ca: string; rejectUnauthorized?: boolean; checkServerIdentity: () => unknown };
    expect(withCa.ca).toContain('BEGIN CERTIFICATE');
    expect(withCa.rejectUnauthorized).toBeUndefined();
    expect(withCa.checkServerIdentity()).toBeUndefined();
  });

  it('verify-full checks the URL host name itself, also for an IP address', () => {
    const options = ssl({ DATABASE_SSLMODE: 'verify-full', DATABASE_URL: 'postgres://u@10.0.0.7/db' }) as { checkServerIdentity: (host: string, cert: object) => Error | undefined };
    const certificate = { subject: { CN: 'localhost' }, subjectaltname: 'DNS:localhost' };
    expect(options.checkServerIdentity('localhost', certificate)?.message).toContain('10.0.0.7');
  });

  it.each([
    [{ DATABASE_SSLMODE: 'prefer' }, 'DATABASE_SSLMODE is "prefer"'],
    [{ DATABASE_URL: 'postgres://u@db/x?sslmode=no-verify' }, 'sslmode in DATABASE_URL is "no-verify"'],
    [{ DATABASE_URL: 'postgres://u@db/x?sslmode=require', DATABASE_SSLMODE: 'verify-full' }, 'DATABASE_SSLMODE is "verify-full" but DATABASE_URL says sslmode=require'],
    [{ DATABASE_URL: 'postgres://u@db/x?sslrootcert=/ca.pem' }, 'DATABASE_URL has the parameter sslrootcert'],
    [{ DATABASE_SSLMODE: 'verify-ca' }, 'DATABASE_SSL_CA_FILE is not set'],
    [{ DATABASE_SSL_CA_FILE: 'A_PEM' }, 'DATABASE_SSLMODE is "disable"'],
    [{ DATABASE_SSLMODE: 'verify-full', DATABASE_SSL_CA_FILE: 'NOT_PEM' }, 'expected a file of PEM certificates'],
    [{ DATABASE_SSLMODE: 'verify-full', DATABASE_SSL_CERT_FILE: 'A_PEM' }, 'DATABASE_SSL_KEY_FILE is not set'],
    [{ DATABASE_SSLMODE: 'verify-full', DATABASE_SSL_CERT_FILE: 'A_PEM', DATABASE_SSL_KEY_FILE: 'B_KEY' }, 'DATABASE_SSL_KEY_FILE is not the key of DATABASE_SSL_CERT_FILE'],
    [{ DATABASE_SSLMODE: 'verify-full', DATABASE_SSL_CERT_FILE: 'A_PEM', DATABASE_SSL_KEY_FILE: 'A_ENC' }, 'DATABASE_SSL_KEY_PASSPHRASE is not set'],
    [{ DATABASE_SSLMODE: 'verify-full', DATABASE_SSL_CERT_FILE: 'A_PEM', DATABASE_SSL_KEY_FILE: 'A_ENC', DATABASE_SSL_KEY_PASSPHRASE: 'wrong-one' }, 'DATABASE_SSL_KEY_PASSPHRASE does not decrypt DATABASE_SSL_KEY_FILE'],
  ])('rejects %p in one line', (override, expected) => {
    const message = checkEnvironment(withFiles({ ...base, ...override }));
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('wrong-one');
  });

  it('takes an encrypted client key with its passphrase from a file', () => {
    const options = ssl(withFiles({ DATABASE_SSLMODE: 'verify-full', DATABASE_SSL_CERT_FILE: 'A_PEM', DATABASE_SSL_KEY_FILE: 'A_ENC', DATABASE_SSL_KEY_PASSPHRASE_FILE: file('passphrase') })) as { passphrase: string; cert: string };
    expect(options.passphrase).toBe('open-sesame');
    expect(options.cert).toContain('BEGIN CERTIFICATE');
  });
});

describe('Kafka TLS and SASL', () => {
  const kafka = (env: Record<string, string>) => loadConfig(withFiles({ ...base, ...env })).kafka;

  it('is plaintext without SASL by default', () => {
    expect(kafka({})).toMatchObject({ ssl: undefined, sasl: undefined });
  });

  it('reads TLS material and SASL credentials', () => {
    const config = kafka({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: 'A_PEM', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD_FILE: file('passphrase') });
    expect(config.ssl?.ca).toContain('BEGIN CERTIFICATE');
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'svc', password: 'open-sesame' });
    expect(kafka({ KAFKA_SSL: 'true' }).ssl).toEqual({});
  });

  it.each([
    [{ KAFKA_SSL_CA_FILE: 'A_PEM' }, 'KAFKA_SSL is not set; expected true when KAFKA_SSL_* files are set'],
    [{ KAFKA_SASL_MECHANISM: 'gssapi' }, 'KAFKA_SASL_MECHANISM is "gssapi"'],
    [{ KAFKA_SASL_USERNAME: 'svc' }, 'KAFKA_SASL_MECHANISM is not set'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc' }, 'KAFKA_SASL_PASSWORD is not set'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'wrong-one' }, 'KAFKA_SSL is not set; expected true with KAFKA_SASL_MECHANISM=plain'],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_KEY_PASSPHRASE: 'wrong-one' }, 'KAFKA_SSL_KEY_FILE is not set'],
  ])('rejects %p in one line', (override, expected) => {
    const message = checkEnvironment(withFiles({ ...base, ...override }));
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('wrong-one');
  });
});

/** Placeholders → the files made in beforeAll. */
function withFiles(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const files: Record<string, string> = { A_PEM: 'a.pem', A_ENC: 'a.enc.key', B_KEY: 'b.key', NOT_PEM: 'not-pem' };
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value && files[value] ? file(files[value]) : value]));
}

// Test certificates made with the machine's openssl (it comes with Java's CA certificates on
// Debian): a CA, a server certificate it signs for `localhost` only, a client certificate for
// mutual TLS (its key encrypted with a passphrase), and a second CA that signed none of them.
// P-256 keys: instant to generate, and read by Node, PostgreSQL and Kafka's PEM key stores.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DAYS = '2';

/**
 * @typedef {{ dir: string, caFile: string, otherCaFile: string, serverCertFile: string,
 *   serverKeyFile: string, clientCertFile: string, clientKeyFile: string, clientKeyPassphrase: string,
 *   serverHost: string }} TestCertificates
 */

/** A failed child process as promisify(execFile) rejects with it. */
/** @typedef {NodeJS.ErrnoException & { stdout?: string, stderr?: string, killed?: boolean }} ExecError */

/**
 * @param {string} dir written to (created if missing)
 * @returns {Promise<TestCertificates>} file paths; the server certificate names only `serverHost` (no IP address)
 */
export async function createTestCertificates(dir) {
  mkdirSync(dir, { recursive: true });
  const file = (/** @type {string} */ name) => path.join(dir, name);
  const clientKeyPassphrase = randomBytes(12).toString('hex');
  await Promise.all([certificateAuthority(file('ca'), 'customer-service test CA'), certificateAuthority(file('other-ca'), 'unrelated test CA')]);
  await Promise.all([
    signed(file('server'), file('ca'), 'localhost', ['subjectAltName=DNS:localhost', 'extendedKeyUsage=serverAuth,clientAuth']),
    signed(file('client'), file('ca'), 'customer-service', ['extendedKeyUsage=clientAuth']),
  ]);
  // The client key as mutual-TLS deployments often ship it: encrypted PKCS#8.
  await openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', file('client.key'), '-out', file('client.enc.key'), '-passout', `pass:${clientKeyPassphrase}`]);
  for (const key of ['ca.key', 'other-ca.key', 'server.key', 'client.key', 'client.enc.key']) chmodSync(file(key), 0o600);
  return {
    dir,
    caFile: file('ca.pem'),
    otherCaFile: file('other-ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.enc.key'),
    clientKeyPassphrase,
    serverHost: 'localhost',
  };
}

/**
 * The server's key followed by its certificate: one PEM file, as Kafka's PEM key store reads it.
 * @param {Pick<TestCertificates, 'serverKeyFile' | 'serverCertFile'>} certificates
 * @param {string} target
 */
export function keyAndCertificate({ serverKeyFile, serverCertFile }, target) {
  writeFileSync(target, readFileSync(serverKeyFile, 'utf8') + readFileSync(serverCertFile, 'utf8'), { mode: 0o600 });
  return target;
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * @param {string} base
 * @param {string} name
 */
async function certificateAuthority(base, name) {
  await openssl([
    'req', '-x509', ...ecKey, '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', DAYS, '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/**
 * @param {string} base
 * @param {string} ca
 * @param {string} commonName
 * @param {string[]} extensions
 */
async function signed(base, ca, commonName, extensions) {
  await openssl(['req', '-new', ...ecKey, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`]);
  writeFileSync(`${base}.ext`, `${extensions.join('\n')}\n`);
  await openssl([
    'x509', '-req', '-in', `${base}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', DAYS, '-extfile', `${base}.ext`, '-out', `${base}.pem`,
  ]);
}

/** @param {string[]} args */
async function openssl(args) {
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (caught) {
    const error = /** @type {ExecError} */ (caught);
    const reason = error.code === 'ENOENT' ? 'openssl is not on PATH (Debian: apt-get install openssl)' : (error.stderr || error.message).trim();
    throw new Error(`openssl ${args[0]} failed: ${reason}`, { cause: caught });
  }
}

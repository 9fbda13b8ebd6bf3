// Runs servers of its own for one test file: a Kafka broker (a test that stops its broker must
// not stop the one every other test file shares), and with `secured` a PostgreSQL and a broker
// that take only TLS (and SASL), with certificates made for this run. Started by
// dedicated-kafka.ts with its options as JSON in argv[2]; prints one JSON line once the servers
// answer, and stops them (deleting their data) when its standard input closes — also when the
// Jest worker that started it dies.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestCertificates } from '../../scripts/local-stack/certificates.mjs';
import { startLocalStack } from '../../scripts/local-stack/index.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { secured = false } = JSON.parse(process.argv[2] ?? '{}');
// Under /tmp: the embedded PostgreSQL runs as the `postgres` user, which must reach its data dir.
const dataDir = mkdtempSync(path.join(tmpdir(), 'customer-service-dedicated-'));
chmodSync(dataDir, 0o755);
const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);

/** @type {Awaited<ReturnType<typeof startLocalStack>> | undefined} */
let stack;
let stopping;
const stop = () =>
  (stopping ??= (async () => {
    await stack?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })());
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);

try {
  const password = () => randomBytes(12).toString('hex');
  const users = secured && {
    scramUsers: [
      { mechanism: 'SCRAM-SHA-512', name: 'customer-service', password: password() },
      { mechanism: 'SCRAM-SHA-256', name: 'customer-service-256', password: password() },
    ],
    plainUsers: { 'customer-service-plain': password() },
  };
  const certificates = secured && (await createTestCertificates(path.join(dataDir, 'certificates')));
  stack = await startLocalStack({
    root, dataRoot: dataDir, needPostgres: secured, ephemeral: true, log, ...(secured ? { secured: { certificates, ...users } } : {}),
  });
  process.stdout.write(`${JSON.stringify({ brokers: stack.kafkaBrokers, pid: stack.kafkaPid, databaseUrl: stack.databaseUrl, certificates, ...users })}\n`);
} catch (error) {
  log(`dedicated servers did not start: ${/** @type {Error} */ (error).message}`);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}

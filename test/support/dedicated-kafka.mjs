// Runs servers of its own for one test file: a Kafka broker (a test that stops its broker must
// not stop the one every other test file shares), and with `secured` a PostgreSQL and a broker
// that take only TLS (and SASL), with certificates made for this run. Started by
// dedicated-kafka.ts with its options as JSON in argv[2]; prints one JSON line once the servers
// answer, then obeys one command per line on its standard input, answering each with one JSON
// line (the plain broker only):
//   crash  kill -9 of the broker JVM, answered once it is gone;
//   start  the broker again, same data and ports, answered once it answers an admin request.
// Stops the servers (deleting their data) when its standard input closes — also when the
// process that started it dies.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestCertificates } from '../../scripts/local-stack/certificates.mjs';
import { freePorts, startLocalStack } from '../../scripts/local-stack/index.mjs';
import { startKafka } from '../../scripts/local-stack/kafka.mjs';
import { isAlive, waitForExit } from '../../scripts/local-stack/processes.mjs';
import { obeyCommands } from './line-commands.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { secured = false } = JSON.parse(process.argv[2] ?? '{}');
// Under /tmp: the embedded PostgreSQL runs as the `postgres` user, which must reach its data dir.
const dataDir = mkdtempSync(path.join(tmpdir(), 'customer-service-dedicated-'));
chmodSync(dataDir, 0o755);
const log = (/** @type {string} */ line) => process.stderr.write(`${line}\n`);

const [kafkaPort, kafkaControllerPort] = await freePorts(2);
/** @type {Awaited<ReturnType<typeof startLocalStack>> | undefined} */
let stack;
/** The broker started again by `start` (the stack's own is gone by then). */
/** @type {Awaited<ReturnType<typeof startKafka>> | undefined} */
let restarted;
let kafkaPid = 0;
let stopping;
const stop = () =>
  (stopping ??= (async () => {
    await restarted?.stop().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })());
process.stdin.on('error', stop);
process.on('SIGTERM', stop);
// A terminal's Ctrl-C reaches the whole foreground process group: clean up, as for SIGTERM.
process.on('SIGINT', stop);

/** @type {Record<string, () => Promise<unknown>>} */
const commands = {
  async crash() {
    if (secured) throw new Error('crash is for the plain broker only');
    if (isAlive(kafkaPid)) process.kill(kafkaPid, 'SIGKILL');
    if (!(await waitForExit(kafkaPid, 15_000))) throw new Error(`broker ${kafkaPid} did not exit after SIGKILL`);
    return { crashed: kafkaPid };
  },
  async start() {
    if (secured) throw new Error('start is for the plain broker only');
    await restarted?.stop();
    restarted = await startKafka({ root, dataDir: path.join(dataDir, 'kafka'), port: kafkaPort, controllerPort: kafkaControllerPort, log });
    kafkaPid = restarted.pid;
    return { started: kafkaPid };
  },
};

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
    root, dataRoot: dataDir, kafkaPort, kafkaControllerPort, needPostgres: secured, ephemeral: true, log, ...(secured ? { secured: { certificates, ...users } } : {}),
  });
  kafkaPid = stack.kafkaPid ?? 0;
  process.stdout.write(`${JSON.stringify({ brokers: stack.kafkaBrokers, pid: stack.kafkaPid, databaseUrl: stack.databaseUrl, certificates, ...users })}\n`);
} catch (error) {
  log(`dedicated servers did not start: ${/** @type {Error} */ (error).message}`);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}

obeyCommands(commands, stop);

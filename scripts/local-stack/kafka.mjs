// A real single-node Apache Kafka broker (KRaft), run from the jars in .local/kafka-libs.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { keyAndCertificate } from './certificates.mjs';
import { ensureKafkaClasspath } from './kafka-classpath.mjs';
import { kafkaServerProperties } from './kafka-properties.mjs';
import { assertPortFree } from './ports.mjs';
import { commandLineOf, hasLiveNodeParent, isAlive, readPidFile, seconds, stopPid, tailOf } from './processes.mjs';
import { spawnWithWatchdog, stopChild } from './watchdog.mjs';

export { ensureKafkaClasspath } from './kafka-classpath.mjs';

const { Kafka, logLevel } = kafkajs;
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const javaBin = () => (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java');

/**
 * Starts the broker and resolves once it answers an admin request.
 * @param {{ root: string, dataDir: string, port: number, controllerPort: number, log?: (line: string) => void, secured?: SecuredKafka }} options
 * @returns {Promise<{ brokers: string, pid: number, stop: () => Promise<void> }>}
 *
 * @typedef {object} SecuredKafka  a SASL_SSL listener (mutual TLS, then SASL) instead of PLAINTEXT
 * @property {import('./certificates.mjs').TestCertificates} certificates  from certificates.mjs: the server's, and the client's for the readiness probe
 * @property {ScramUser[]} scramUsers
 *   created at format time; the first SCRAM-SHA-512 one is the readiness probe's
 * @property {Record<string, string>} [plainUsers]  name → password for SASL/PLAIN
 *
 * @typedef {{ mechanism: 'SCRAM-SHA-512' | 'SCRAM-SHA-256', name: string, password: string }} ScramUser
 */
export async function startKafka({ root, dataDir, port, controllerPort, log = console.error, secured }) {
  const libs = await ensureKafkaClasspath({ root, log });
  mkdirSync(dataDir, { recursive: true });
  await stopStaleKafka(dataDir, log);
  await assertPortFree(port, 'Kafka');
  await assertPortFree(controllerPort, 'the Kafka controller');

  const startedAt = Date.now();
  const files = kafkaFiles(dataDir);
  const listener = secured && securedListener(secured, dataDir);
  writeFileSync(files.properties, kafkaServerProperties({ port, controllerPort, logDir: files.logDir, secured: listener }));
  writeFileSync(files.log, '');
  await formatStorageOnce({ root, libs, files, scramUsers: secured && listener ? [...secured.scramUsers, { mechanism: 'SCRAM-SHA-512', ...listener.broker }] : [] });

  const child = spawnWithWatchdog({
    command: javaBin(),
    args: [...jvmOptions(root), '-cp', `${libs}/*`, 'kafka.Kafka', files.properties],
    logFile: files.log,
    stopSignal: 'SIGTERM',
  });
  child.once('error', () => {}); // reported below as an early exit, with the log
  writeFileSync(files.pid, `${child.pid}\n`);
  const brokers = `${listener ? listener.host : '127.0.0.1'}:${port}`;
  const stop = async () => {
    await stopChild(child, { signal: 'SIGTERM', graceMs: STOP_GRACE_MS });
    rmSync(files.pid, { force: true });
  };

  try {
    await waitUntilBrokerAnswers({ brokers, child, logFile: files.log, client: secured && probeClientOptions(secured) });
  } catch (error) {
    await stop();
    throw error;
  }
  log(`Kafka ready on ${brokers} (${seconds(startedAt)})`);
  return { brokers, pid: /** @type {number} */ (child.pid), stop };
}

/**
 * A broker left running by a run that was killed with -9 (its watchdog killed too, or
 * still counting down) holds the ports and the log dir lock: stop it before starting.
 * @param {string} dataDir
 * @param {(line: string) => void} [log]
 */
export async function stopStaleKafka(dataDir, log = console.error) {
  const pidFile = kafkaFiles(dataDir).pid;
  const pid = readPidFile(pidFile);
  if (pid && isAlive(pid) && commandLineOf(pid).includes('kafka.Kafka')) {
    if (hasLiveNodeParent(pid)) {
      throw new Error(`Kafka in ${dataDir} is already run by another live process (broker pid ${pid}); stop that first`);
    }
    log(`stopping stale Kafka broker pid ${pid} left by a previous run`);
    await stopPid(pid, { signal: 'SIGTERM', graceMs: STOP_GRACE_MS });
  }
  rmSync(pidFile, { force: true });
}

/** @param {string} dataDir */
function kafkaFiles(dataDir) {
  return {
    properties: path.join(dataDir, 'server.properties'),
    logDir: path.join(dataDir, 'kraft-logs'),
    clusterId: path.join(dataDir, 'cluster.id'),
    log: path.join(dataDir, 'kafka.log'),
    pid: path.join(dataDir, 'kafka.pid'),
  };
}

/** @param {string} root */
function jvmOptions(root) {
  return [
    '-Xmx512m',
    '-Xms128m',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${path.join(root, 'tools', 'kafka', 'log4j.properties')}`,
  ];
}

/**
 * The listener settings of a secured broker; its own SCRAM user (inter-broker protocol) gets a
 * random password.
 * @param {SecuredKafka} secured
 * @param {string} dataDir
 */
function securedListener({ certificates, plainUsers = {} }, dataDir) {
  return {
    host: certificates.serverHost,
    keyStoreFile: keyAndCertificate(certificates, path.join(dataDir, 'server-keystore.pem')),
    trustStoreFile: certificates.caFile,
    broker: { name: 'broker', password: randomBytes(16).toString('hex') },
    plainUsers,
  };
}

/**
 * How the readiness probe connects to a secured broker: the client certificate and a SCRAM-SHA-512 user.
 * @param {SecuredKafka} secured
 * @returns {Pick<import('kafkajs').KafkaConfig, 'ssl' | 'sasl'>}
 */
function probeClientOptions({ certificates, scramUsers }) {
  const user = scramUsers.find((candidate) => candidate.mechanism === 'SCRAM-SHA-512');
  if (!user) throw new Error('a secured Kafka needs a SCRAM-SHA-512 user (the readiness probe logs in with it)');
  const read = (/** @type {string} */ file) => readFileSync(file, 'utf8');
  return {
    ssl: { ca: read(certificates.caFile), cert: read(certificates.clientCertFile), key: read(certificates.clientKeyFile), passphrase: certificates.clientKeyPassphrase },
    sasl: { mechanism: 'scram-sha-512', username: user.name, password: user.password },
  };
}

/** A bound only against a hung JVM: on a loaded machine the format alone has taken over 60 s. */
const FORMAT_TIMEOUT_MS = 300_000;

/**
 * Formats the KRaft log dir on first use; later starts skip the extra JVM launch. SCRAM
 * credentials are part of the cluster metadata: KRaft takes the first ones at format time.
 * @param {{ root: string, libs: string, files: ReturnType<typeof kafkaFiles>, scramUsers?: ScramUser[] }} options
 */
async function formatStorageOnce({ root, libs, files, scramUsers = [] }) {
  if (existsSync(path.join(files.logDir, 'meta.properties'))) return;
  const clusterId = readOrCreateClusterId(files.clusterId);
  const scram = scramUsers.flatMap(({ mechanism, name, password }) => ['--add-scram', `${mechanism}=[name=${name},password=${password}]`]);
  const args = [...jvmOptions(root), '-cp', `${libs}/*`, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', files.properties, '--ignore-formatted', ...scram];
  try {
    const { stdout, stderr } = await promisify(execFile)(javaBin(), args, { timeout: FORMAT_TIMEOUT_MS });
    appendFileSync(files.log, stdout + stderr);
  } catch (caught) {
    const error = /** @type {import('./certificates.mjs').ExecError} */ (caught);
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    const reason =
      error.code === 'ENOENT'
        ? 'java is not on PATH (Java 17+ is needed)'
        : error.killed
          ? `the storage tool did not finish within ${FORMAT_TIMEOUT_MS / 1000} s${output ? `: ${output}` : ''}`
          : output || error.message;
    throw new Error(`formatting Kafka storage in ${files.logDir} failed: ${reason.trim()}`, { cause: caught });
  }
}

/**
 * Kafka cluster ids are 16 random bytes in unpadded base64url (what `random-uuid` prints).
 * Like Kafka's own generator, never one starting with "-": the storage tool would read it as
 * an option (one test run in ~64 failed that way).
 * @param {string} file
 */
function readOrCreateClusterId(file) {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  let clusterId;
  do clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-'));
  writeFileSync(file, `${clusterId}\n`);
  return clusterId;
}

/** @param {{ brokers: string, child: import('node:child_process').ChildProcess, logFile: string, client?: Partial<import('kafkajs').KafkaConfig> | false }} options */
async function waitUntilBrokerAnswers({ brokers, child, logFile, client = {} }) {
  // The probe's own connection errors are expected while the JVM boots: keep them quiet.
  const kafka = new Kafka({
    ...client,
    clientId: 'local-stack-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined || !isAlive(child.pid)) {
      const how = child.signalCode ?? `code ${child.exitCode}`;
      throw new Error(`Kafka broker exited during start-up (${how}); last lines of ${logFile}:\n${tailOf(logFile)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`Kafka broker did not answer within ${READY_TIMEOUT_MS / 1000} s; last lines of ${logFile}:\n${tailOf(logFile)}`);
    }
    if (await answers(kafka)) return;
    await sleep(250);
  }
}

/**
 * Ready = the cluster is described AND a group coordinator is found. The second question
 * makes the broker create __consumer_offsets now, instead of the first consumer of the
 * service or of a test waiting for it amid "group coordinator is not available" errors.
 * @param {import('kafkajs').Kafka} kafka
 */
async function answers(kafka) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    if (brokers.length === 0) return false;
    await admin.describeGroups(['local-stack-readiness-probe']);
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

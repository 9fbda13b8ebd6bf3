// `npm start` (after `npm run build`): the service plus whatever it needs that is not
// configured — an embedded PostgreSQL when DATABASE_URL is unset, a real Kafka broker when
// KAFKA_BROKERS is unset. Ctrl-C / SIGTERM stop the service first (so it can finish its
// in-flight work against a live database and broker), then Kafka and PostgreSQL.
//
// Environment read here: DATABASE_URL (or DATABASE_URL_FILE), KAFKA_BROKERS, LOCAL_PG_PORT (5433),
// LOCAL_KAFKA_PORT (9092), LOCAL_KAFKA_CONTROLLER_PORT (9093); the service reads the rest.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serviceMain = compiled('main.js');
const appConfig = compiled('config/app-config.js');
const SERVICE_STOP_GRACE_MS = 15_000;

const log = (/** @type {string} */ line) => process.stderr.write(`[start] ${line}\n`);
/** @type {(line: string) => never} */
const failWith = (line) => {
  process.stderr.write(`${line}\n`);
  process.exit(1);
};

// 1. A bad environment fails in one line, before anything is started.
// Without AUTH_JWT_SECRET / AUTH_JWKS_URL: a local demo secret, and a ready token printed below.
const demoAuth = !process.env.AUTH_JWT_SECRET && !process.env.AUTH_JWT_SECRET_FILE && !process.env.AUTH_JWKS_URL;
// A database named by a secret file (DATABASE_URL_FILE) is the user's own, like DATABASE_URL.
const ownDatabase = Boolean(process.env.DATABASE_URL || process.env.DATABASE_URL_FILE);
const { devSecret, mintToken, DEMO_COUNTERPARTY } = await import('./dev-auth.mjs');
const authSecret = demoAuth ? devSecret(root) : process.env.AUTH_JWT_SECRET;
const problem = environmentProblem() ?? localPortsProblem();
if (problem) failWith(problem);
if (!existsSync(serviceMain)) failWith(`${path.relative(root, serviceMain)} not found: run \`npm run build\` first`);

// 2. Local stack, then the service.
const { startLocalStack } = await import('./local-stack/index.mjs');
const { spawnWithWatchdog } = await import('./local-stack/watchdog.mjs');
let phase = 'starting';
/** @type {Awaited<ReturnType<typeof startLocalStack>>} */
let stack;
/** @type {import('node:child_process').ChildProcess} */
let service;
let firstSignalAt = 0;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(signal, () => onSignal(signal));
// npm runs us under `sh -c`, and a SIGTERM sent to npm or to that shell need not reach us. If
// our parent goes away we are orphaned: take it as a stop request, so nothing is left running.
const parentPid = process.ppid;
const orphanWatch = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(orphanWatch);
  onSignal('SIGTERM');
}, 1000);
orphanWatch.unref();

try {
  stack = await startLocalStack({
    root,
    dataRoot: path.join(root, '.local'),
    pgPort: portFromEnv('LOCAL_PG_PORT', 5433),
    kafkaPort: portFromEnv('LOCAL_KAFKA_PORT', 9092),
    kafkaControllerPort: portFromEnv('LOCAL_KAFKA_CONTROLLER_PORT', 9093),
    needPostgres: !ownDatabase,
    needKafka: !process.env.KAFKA_BROKERS,
    database: 'customer_service',
  });
} catch (caught) {
  const error = /** @type {Error} */ (caught);
  const hint = /^port \d+/m.test(error.message) ? ' (LOCAL_PG_PORT, LOCAL_KAFKA_PORT, LOCAL_KAFKA_CONTROLLER_PORT choose other ports)' : '';
  log(`could not start the local stack: ${error.message}${hint}`);
  process.exit(1);
}
if (demoAuth) await printDemoToken();
startService();

async function printDemoToken() {
  const token = await mintToken({ secret: /** @type {string} */ (authSecret), counterparty: DEMO_COUNTERPARTY }); // demoAuth: devSecret()'s
  log('no AUTH_JWT_SECRET or AUTH_JWKS_URL: using the local demo secret in .local/dev-auth-secret');
  log(`demo token for counterparty ${DEMO_COUNTERPARTY} (customers:read customers:write, valid 1 h):`);
  process.stdout.write(`\n${token}\n\n`);
  log('more: npm run token -- --counterparty <guid> [--branch <guid>] [--scope customers:read]');
}

function startService() {
  phase = 'running';
  // Under the watchdog too (output still on our terminal): a `kill -9` of this script must
  // not leave the service running, and in its own session a terminal Ctrl-C reaches only
  // us, so the service gets exactly one SIGTERM, from us.
  service = spawnWithWatchdog({
    command: process.execPath,
    args: ['--enable-source-maps', serviceMain],
    stopSignal: 'SIGTERM',
    env: {
      ...process.env,
      ...(ownDatabase ? {} : { DATABASE_URL: stack.databaseUrl }),
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? stack.kafkaBrokers,
      ...(demoAuth ? { AUTH_JWT_SECRET: authSecret } : {}),
    },
  });
  service.once('error', (error) => {
    log(`could not run the service: ${error.message}`);
    void stopStackAndExit(1);
  });
  service.once('exit', (code, signal) => {
    if (phase === 'stopping') return; // the shutdown sequence is waiting for this exit
    phase = 'stopping';
    log(`service exited (${signal ?? `code ${code}`}); stopping the local stack`);
    void stopStackAndExit(code ?? 128 + (constants.signals[/** @type {NodeJS.Signals} */ (signal)] ?? 0));
  });
}

/** @param {NodeJS.Signals} signal */
function onSignal(signal) {
  if (phase === 'starting') {
    // Servers started so far run under watchdogs that stop them once this process is gone
    // (scripts/local-stack/watchdog.mjs); a Maven fetch is killed on exit.
    log(`${signal} during start-up: exiting, the local servers stop with us`);
    process.exit(128 + constants.signals[signal]);
  }
  if (phase === 'stopping') {
    // A terminal Ctrl-C under `npm start` reaches us twice (from the tty and forwarded by
    // npm): only a later, deliberate second signal means "hurry up".
    if (Date.now() - firstSignalAt > 1_000 && isRunning(service)) {
      log('second signal: killing the service');
      service.kill('SIGKILL');
    }
    return;
  }
  phase = 'stopping';
  firstSignalAt = Date.now();
  log(`${signal}: stopping the service, then the local stack`);
  void stopServiceThenStack();
}

async function stopServiceThenStack() {
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => service.once('exit', (code, signal) => resolve({ code, signal })));
  /** @type {{ code: number | null, signal: NodeJS.Signals | null } | undefined} */
  let result = isRunning(service) ? undefined : { code: service.exitCode, signal: service.signalCode };
  if (!result) {
    service.kill('SIGTERM');
    const timer = setTimeout(() => {
      log(`service still running after ${SERVICE_STOP_GRACE_MS / 1000} s: killing it`);
      service.kill('SIGKILL');
    }, SERVICE_STOP_GRACE_MS);
    result = await exited;
    clearTimeout(timer);
  }
  // Stopped on request: a clean exit, or death by the signal we sent, counts as success.
  const clean = result.code === 0 || (result.signal !== null && ['SIGTERM', 'SIGINT'].includes(result.signal));
  await stopStackAndExit(clean ? 0 : result.code ?? 1);
}

/** @param {number} code */
async function stopStackAndExit(code) {
  try {
    await stack.stop();
  } catch (error) {
    log(`stopping the local stack failed: ${/** @type {Error} */ (error).message}`);
    code ||= 1;
  }
  // Explicit exit: never let a leftover handle or library exit hook decide the code.
  process.exit(code);
}

/**
 * nest build emits dist/apps/customer-service/src/… when the app's rootDir spans libs/
 * too, dist/apps/customer-service/… otherwise: accept both layouts.
 * @param {string} file
 */
function compiled(file) {
  const flat = path.join(root, 'dist', 'apps', 'customer-service', file);
  const nested = path.join(root, 'dist', 'apps', 'customer-service', 'src', file);
  return existsSync(flat) || !existsSync(nested) ? flat : nested;
}

/** @param {import('node:child_process').ChildProcess} child */
function isRunning(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** The service's own validation (compiled), with placeholders for what we may provide. */
function environmentProblem() {
  if (!existsSync(appConfig)) return `${path.relative(root, appConfig)} not found: run \`npm run build\` first`;
  try {
    const { checkEnvironment } = createRequire(import.meta.url)(appConfig);
    return checkEnvironment({
      ...process.env,
      ...(demoAuth ? { AUTH_JWT_SECRET: authSecret } : {}),
      ...(ownDatabase ? {} : { DATABASE_URL: 'postgres://placeholder@127.0.0.1:1/x' }),
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:1',
    });
  } catch (error) {
    return `could not check the environment with ${path.relative(root, appConfig)}: ${/** @type {Error} */ (error).message.split('\n')[0]}`;
  }
}

function localPortsProblem() {
  for (const name of ['LOCAL_PG_PORT', 'LOCAL_KAFKA_PORT', 'LOCAL_KAFKA_CONTROLLER_PORT']) {
    const value = process.env[name];
    if (value !== undefined && !isPort(value)) return `${name} must be a TCP port number (1-65535), got "${value}"`;
  }
  return null;
}

/** @param {string} value */
function isPort(value) {
  return /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65_535;
}

/**
 * @param {string} name
 * @param {number} fallback
 */
function portFromEnv(name, fallback) {
  return process.env[name] === undefined ? fallback : Number(process.env[name]);
}

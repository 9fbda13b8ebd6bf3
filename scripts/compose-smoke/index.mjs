// npm run compose:smoke: builds the project's Dockerfile and runs docker-compose.yml, both
// unchanged, with Docker Engine and Docker Compose v2, then checks what a user of the Compose
// stack relies on (issue 19). Needs root: it installs Debian packages when missing and starts
// the Docker daemon when none answers. Not part of `npm test` (about 6–12 minutes).
// Details, and what the stand-in base images do not prove: scripts/compose-smoke/README.md.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertRoot, ensureComposeV2, ensureDaemon, ensurePackages } from './host.mjs';
import { ensureStandIns } from './stand-ins.mjs';
import { run, say, step, useLogFile, waitFor, wallTime } from './shell.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const workDir = path.join(root, '.local', 'compose-smoke');
const COUNTERPARTY = '3f0c9a52-1c53-4a52-9d1e-2b6d0c7a9e11'; // the README's demo counterparty
const SERVICES = ['postgres', 'kafka', 'customer-service'];
/** @type {string[]} */
const results = [];
const check = (/** @type {string} */ line) => { results.push(line); say(`  ✔ ${line}`); };
const expect = (/** @type {unknown} */ condition, /** @type {string} */ message) => { if (!condition) throw new Error(message); };

/** @returns {Promise<number>} */
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

// The stack runs under its own project name and free host ports, so it never touches a
// user's own `docker compose up` or servers on the default ports (docker-compose.yml reads
// these variables; README.md shows them).
const ports = { SERVICE_HOST_PORT: await freePort(), POSTGRES_HOST_PORT: await freePort(), KAFKA_HOST_PORT: await freePort() };
const composeEnv = { COMPOSE_PROJECT_NAME: 'customer-service-smoke', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
// The default path is the one under test: no secret from the caller's environment.
delete process.env.AUTH_JWT_SECRET;
delete process.env.AUTH_JWKS_URL;
/** @typedef {import('./shell.mjs').RunOptions} RunOptions */
/** @typedef {import('./shell.mjs').RunOutcome} RunOutcome */
/**
 * `docker compose` in the project's folder, with the smoke's project name and ports.
 * @typedef {{
 *   (args: string[], options: RunOptions & { allowFailure: true }): Promise<RunOutcome>;
 *   (args: string[], options?: RunOptions & { allowFailure?: false }): Promise<string>;
 * }} Compose
 */
const compose = /** @type {Compose} */ ((/** @type {string[]} */ args, /** @type {RunOptions} */ options = {}) => run('docker', ['compose', ...args], { cwd: root, ...options, env: { ...composeEnv, ...options.env } }));
const api = `http://127.0.0.1:${ports.SERVICE_HOST_PORT}/api/v1/counterparty/${COUNTERPARTY}`;

/**
 * An answer of the API as the smoke reads it (body: the parsed JSON, null when empty).
 * @template [T=unknown]
 * @typedef {{ status: number, body: T }} Reply
 */
/** @typedef {{ customer_guid: string, login: string }} CustomerBody */
/** @typedef {{ customers: CustomerBody[], total: number }} ListBody */

/**
 * curl as in README.md; resolves with { status, body }.
 * @param {string[]} args
 * @returns {Promise<Reply>}
 */
async function curl(args) {
  const out = await run('curl', ['-s', '-o', '-', '-w', '\n%{http_code}', ...args], { quiet: true });
  const at = out.lastIndexOf('\n');
  const body = out.slice(0, at);
  return { status: Number(out.slice(at + 1)), body: body ? JSON.parse(body) : null };
}

/** @returns {Promise<{ Service: string, State: string, Health: string, ExitCode: number }[]>} `docker compose ps` */
async function containers() {
  const out = await compose(['ps', '-a', '--format', 'json'], { quiet: true });
  return out.split('\n').filter(Boolean).flatMap((line) => JSON.parse(line));
}

/** Healthy by their own healthchecks (Docker runs them), and auth-secret exited 0. */
async function waitHealthy() {
  return waitFor('postgres, kafka and customer-service healthy', async () => {
    const list = await containers();
    const secret = list.find((c) => c.Service === 'auth-secret');
    if (secret && secret.State === 'exited' && secret.ExitCode !== 0) throw new Error(`auth-secret exited with ${secret.ExitCode}`);
    const states = SERVICES.map((service) => {
      const c = list.find((item) => item.Service === service);
      return `${service}=${c ? c.Health || c.State : 'missing'}`;
    });
    if (states.every((state) => state.endsWith('=healthy'))) return states;
    return { waiting: states.join(' ') };
  }, { timeoutMs: 300_000, intervalMs: 2000 });
}

async function mintToken() {
  return (await compose(['exec', '-T', 'customer-service', 'node', 'scripts/token.mjs', '--counterparty', COUNTERPARTY], { quiet: true })).trim();
}

/** @param {string} service */
async function containerId(service) {
  return (await compose(['ps', '-a', '-q', service], { quiet: true })).trim();
}

/**
 * @param {string} service
 * @param {string} format
 */
async function inspect(service, format) {
  return (await run('docker', ['inspect', '--format', format, await containerId(service)], { quiet: true })).trim();
}

const createBody = JSON.stringify({
  asset_code: 'EURC', asset_issuer: 'GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7',
  login: 'ada@example.com', name: 'Ada', phone_number: '+44 20 7946 0958', balance_allowed: 1500.25,
});

/** @param {string} token */
async function readmeFlow(token) {
  const created = /** @type {Reply<CustomerBody | null>} */ (await curl(['-X', 'POST', `${api}/customers`, '-H', `authorization: Bearer ${token}`,
    '-H', 'content-type: application/json', '-H', 'Idempotency-Key: onboarding-42', '-d', createBody]));
  expect(created.status === 200 && created.body?.customer_guid, `create answered ${created.status}: ${JSON.stringify(created.body)}`);
  const guid = /** @type {CustomerBody} the expect above */ (created.body).customer_guid;
  check(`POST …/customers → 200, customer ${guid}`);
  // The list reads the read model, which the projector fills from Kafka: poll until it shows.
  const listed = await waitFor('the new customer in the list', async () => {
    const list = /** @type {Reply<ListBody>} */ (await curl([`${api}/customers`, '-H', `authorization: Bearer ${token}`]));
    expect(list.status === 200, `list answered ${list.status}`);
    return list.body.customers.some((c) => c.customer_guid === guid) ? list.body : { waiting: `total ${list.body.total}` };
  }, { timeoutMs: 60_000 });
  check(`GET …/customers → 200, total ${listed.total}, the new customer listed`);
  const event = await readEvent(guid);
  expect(event.headers.ce_type === 'customer.created.v1' && event.value.customer_guid === guid, `unexpected event ${JSON.stringify(event)}`);
  check(`customer.created.v1 for it read from customer.events.v1 through localhost:${ports.KAFKA_HOST_PORT} (partition ${event.partition}, offset ${event.offset})`);
  return guid;
}

/**
 * @param {string} guid
 * @returns {Promise<{ headers: Record<string, string>, value: { customer_guid: string }, partition: number, offset: string }>} a line of `npm run events`
 */
async function readEvent(guid) {
  const out = await run('npm', ['run', '-s', 'events', '--', '--brokers', `localhost:${ports.KAFKA_HOST_PORT}`, '--key', guid, '--max', '1', '--timeout', '60s'], { cwd: root, quiet: true });
  return JSON.parse(out.trim().split('\n')[0]);
}

/**
 * @param {string} guid
 * @param {string} token
 * @returns {Promise<Reply<CustomerBody>>}
 */
async function getCustomer(guid, token) {
  return /** @type {Promise<Reply<CustomerBody>>} */ (curl([`${api}/customers/${guid}`, '-H', `authorization: Bearer ${token}`]));
}

async function main() {
  useLogFile(path.join(workDir, 'smoke.log'));
  say(`compose:smoke — full log in ${path.relative(root, path.join(workDir, 'smoke.log'))}`);
  assertRoot();
  say(`  packages: ${await step('Debian packages (docker.io, debootstrap, curl, maven)', ensurePackages)}`);
  say(`  ${await step('Docker Compose v2', () => ensureComposeV2(workDir))}`);
  const daemon = await step('Docker daemon', () => ensureDaemon(workDir));
  say(`  ${daemon.description}`);
  try {
    for (const line of await step('base images (stand-ins where no registry is reachable)', () => ensureStandIns(workDir))) say(`  ${line}`);
    await smoke();
  } catch (error) {
    const logs = await compose(['logs', '--no-color', '--timestamps'], { allowFailure: true, quiet: true });
    writeFileSync(path.join(workDir, 'compose-logs.txt'), typeof logs === 'string' ? logs : logs.stdout + logs.stderr);
    say(`  the stack's logs: ${path.relative(root, path.join(workDir, 'compose-logs.txt'))}`);
    throw error;
  } finally {
    await step('clean up: docker compose down -v', () => compose(['down', '-v', '--remove-orphans'], { allowFailure: true }));
    await daemon.stop();
  }
  say('');
  say(`compose:smoke passed in ${wallTime()}:`);
  for (const line of results) say(`  ✔ ${line}`);
}

async function smoke() {
  say(`  project customer-service-smoke, host ports ${Object.entries(ports).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  await step('docker compose config', () => compose(['config', '--quiet']));
  await compose(['down', '-v', '--remove-orphans'], { allowFailure: true, quiet: true });

  await step('docker compose up --build -d (builds the Dockerfile)', () => compose(['up', '--build', '-d']));
  const states = await step('services healthy by their own healthchecks', waitHealthy);
  check(`healthy: ${states.join(', ')}; auth-secret exited 0`);

  const token = await mintToken();
  check('demo token minted inside the stack (docker compose exec customer-service node scripts/token.mjs)');
  const guid = await step("README's flow: create, list, the event on the topic", () => readmeFlow(token));

  await step('runs as non-root with a read-only view of its code', async () => {
    const uid = (await compose(['exec', '-T', 'customer-service', 'id', '-u'], { quiet: true })).trim();
    expect(uid !== '0', `the service runs as uid ${uid}`);
    const write = await compose(['exec', '-T', 'customer-service', 'sh', '-c', 'touch /app/dist/written-by-the-process'], { allowFailure: true, quiet: true });
    expect(write.code !== 0, 'the process could write to its code');
    const user = await inspect('customer-service', '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}');
    const mode = (await compose(['exec', '-T', 'customer-service', 'stat', '-c', '%a %U', '/var/lib/customer-service/auth-jwt-secret'], { quiet: true })).trim();
    check(`runs as uid ${uid} (image user "${user.split(' ')[0]}"), read-only root file system: ${user.split(' ')[1]}; writing /app/dist fails; secret file mode ${mode}`);
  });

  await step('docker compose restart customer-service keeps data', async () => {
    await compose(['restart', 'customer-service']);
    await waitHealthy();
    const got = await getCustomer(guid, token);
    expect(got.status === 200 && got.body.login === 'ada@example.com', `after restart GET answered ${got.status}`);
    check('restart: healthy again, the customer is still there');
  });

  await step('SIGTERM: docker compose stop customer-service is a clean shutdown', async () => {
    const since = new Date().toISOString();
    await compose(['stop', 'customer-service']);
    const [exitCode, oomKilled] = (await inspect('customer-service', '{{.State.ExitCode}} {{.State.OOMKilled}}')).split(' ');
    // 143: Nest closes every role, then re-raises SIGTERM (the conventional exit for it);
    // 137 would mean Docker had to SIGKILL it at the end of stop_grace_period.
    expect(['0', '143'].includes(exitCode) && oomKilled === 'false', `exit code ${exitCode}, OOM-killed ${oomKilled}`);
    const brokerLog = await compose(['logs', '--since', since, 'kafka'], { quiet: true });
    expect(/customer-service\.projector.*LeaveGroup/.test(brokerLog), 'the projector did not leave its consumer group');
    check(`SIGTERM: exited ${exitCode} within stop_grace_period (not SIGKILLed), the projector left its consumer group`);
    await compose(['start', 'customer-service']);
    await waitHealthy();
  });

  await step('docker compose down, then up: data kept in the volumes', async () => {
    await compose(['down']);
    await compose(['up', '-d']);
    await waitHealthy();
    const got = await getCustomer(guid, token);
    expect(got.status === 200, `after down/up GET answered ${got.status} (token from before: the secret volume must be kept too)`);
    const event = await readEvent(guid);
    expect(event.headers.ce_type === 'customer.created.v1', 'the event is gone from the topic');
    check('down + up: the customer, the event on the topic and the JWT secret were kept');
  });

  await step('docker compose down -v, then up with an explicit AUTH_JWT_SECRET: data dropped', async () => {
    await compose(['down', '-v']);
    const secret = randomBytes(32).toString('base64url');
    await compose(['up', '-d'], { env: { AUTH_JWT_SECRET: secret } });
    await waitHealthy();
    const old = await getCustomer(guid, token);
    expect(old.status === 401, `a token of the dropped secret answered ${old.status}`);
    const own = (await run('npm', ['run', '-s', 'token', '--', '--counterparty', COUNTERPARTY], { cwd: root, env: { AUTH_JWT_SECRET: secret }, quiet: true })).trim();
    const got = await getCustomer(guid, own);
    const list = /** @type {Reply<ListBody>} */ (await curl([`${api}/customers`, '-H', `authorization: Bearer ${own}`]));
    expect(got.status === 404 && list.status === 200 && list.body.total === 0, `after down -v: GET ${got.status}, list ${list.status} total ${list.body?.total}`);
    check('down -v + up: the customer is gone (404, list total 0); the old token is refused (401); an explicit AUTH_JWT_SECRET wins over the generated one');
  });

  const bytes = Number(await run('docker', ['image', 'inspect', '--format', '{{.Size}}', 'customer-service:local'], { quiet: true }));
  const base = Number(await run('docker', ['image', 'inspect', '--format', '{{.Size}}', 'node:20-bookworm-slim'], { quiet: true }));
  check(`image customer-service:local: ${(bytes / 1e6).toFixed(0)} MB (base node:20-bookworm-slim ${(base / 1e6).toFixed(0)} MB, so ${((bytes - base) / 1e6).toFixed(0)} MB of the service)`);
}

main().then(() => process.exit(0), (error) => {
  say(`compose:smoke FAILED after ${wallTime()}: ${error.message}`);
  process.exit(1);
});

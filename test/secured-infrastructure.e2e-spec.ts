import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../apps/customer-service/src/config/app-config';
import { kafkaConnectionOptions } from '../apps/customer-service/src/kafka/kafka-client';
import { checkConnections } from '../apps/customer-service/src/startup/check-connections';
import { MisconfigurationError } from '../apps/customer-service/src/startup/connection-failure';
import { CreatedCustomerResponse } from '../apps/customer-service/src/customers/customer.responses';
import { call, ISSUER, newCounterparty, startApp } from './support/app';
import { SecuredStack, startSecuredStack } from './support/dedicated-kafka';
import { readWholeTopic } from './support/kafka';
import { waitFor } from './support/outbox-rows';
import { startServiceProcess } from './support/service-process';
import { REPO_ROOT } from './support/repo-root';

// The service against a PostgreSQL that takes only TLS with client certificates (ssl=on, a test
// CA) and a Kafka broker whose only listener is SASL_SSL with client certificates required,
// both started once for this file with certificates made for it. Then every misconfiguration
// the issue names must stop the start with one line naming the setting.
let stack: SecuredStack;
let secrets: string;
const secretFile = (name: string, value: string) => {
  const file = path.join(secrets, name);
  writeFileSync(file, `${value}\n`);
  return file;
};

beforeAll(async () => {
  stack = await startSecuredStack();
  secrets = mkdtempSync(path.join(tmpdir(), 'secured-e2e-'));
}, 360_000);
afterAll(async () => {
  await stack?.stop();
  if (secrets) rmSync(secrets, { recursive: true, force: true });
}, 60_000);

/** The settings a deployment on this infrastructure would have, every secret from a file. */
function securedEnv(): Record<string, string> {
  const { certificates: c, scramUsers } = stack;
  const [user] = scramUsers;
  return {
    DATABASE_URL: stack.databaseUrl.replace(':postgres@', '@'),
    DATABASE_PASSWORD_FILE: secretFile('database-password', 'postgres'),
    DATABASE_SSLMODE: 'verify-full',
    DATABASE_SSL_CA_FILE: c.caFile,
    DATABASE_SSL_CERT_FILE: c.clientCertFile,
    DATABASE_SSL_KEY_FILE: c.clientKeyFile,
    DATABASE_SSL_KEY_PASSPHRASE_FILE: secretFile('key-passphrase', c.clientKeyPassphrase),
    KAFKA_BROKERS: stack.brokers,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: c.caFile,
    KAFKA_SSL_CERT_FILE: c.clientCertFile,
    KAFKA_SSL_KEY_FILE: c.clientKeyFile,
    KAFKA_SSL_KEY_PASSPHRASE_FILE: secretFile('key-passphrase', c.clientKeyPassphrase),
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user.name,
    KAFKA_SASL_PASSWORD_FILE: secretFile('sasl-password', user.password),
  };
}

/** The environment of a start: the run's own settings, the secured ones, then `override` (undefined = unset). */
function envWith(override: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { ...process.env, ...securedEnv(), ...override };
}

const loopback = (url: string) => url.replace('localhost', '127.0.0.1');

it('serves the whole path over TLS and SASL: create → event on the topic → projected → GET', async () => {
  const topic = `secured-e2e.${randomBytes(6).toString('hex')}`;
  await expect(checkConnections(loadConfig(envWith()))).resolves.toBeUndefined();
  const service = await startApp({ ...securedEnv(), EVENTS_TOPIC: topic, EVENTS_PARTITIONS: '2', PROJECTOR_GROUP_ID: `${topic}.projector` });
  try {
    const customers = `${service.api}/counterparty/${newCounterparty()}/customers`;
    const created = await call<CreatedCustomerResponse>('POST', customers, { asset_code: 'EURC', asset_issuer: ISSUER, login: 'ada@secured.example', name: 'Ada' });
    expect(created.status).toBe(200);
    const guid = created.json.customer_guid;

    // As a downstream consumer on this cluster would read it: over TLS, with SASL.
    const connection = kafkaConnectionOptions(loadConfig(envWith()).kafka);
    let events: Awaited<ReturnType<typeof readWholeTopic>> = [];
    await waitFor('the event on the secured topic', async () => {
      events = await readWholeTopic(topic, { brokers: stack.brokers, connection });
      return events.length > 0;
    });
    expect(events.map((event) => [event.key, event.headers.ce_type])).toEqual([[guid, 'customer.created.v1']]);

    let read = await call('GET', `${customers}/${guid}`);
    await waitFor('the projected customer', async () => (read = await call('GET', `${customers}/${guid}`)).status === 200);
    expect(read.json).toMatchObject({ customer_guid: guid, login: 'ada@secured.example', name: 'Ada', version: 1 });
    expect((await call('GET', `${service.management}/health/ready`)).status).toBe(200);
  } finally {
    await service.close();
  }
});

it('connects with SCRAM-SHA-256 and with PLAIN too', async () => {
  const [, sha256] = stack.scramUsers;
  const [[plainUser, plainPassword]] = Object.entries(stack.plainUsers);
  for (const sasl of [
    { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: sha256.name, KAFKA_SASL_PASSWORD_FILE: secretFile('sha256', sha256.password) },
    { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: plainUser, KAFKA_SASL_PASSWORD_FILE: secretFile('plain', plainPassword) },
  ]) {
    await expect(checkConnections(loadConfig(envWith(sasl)))).resolves.toBeUndefined();
  }
});

const noKafkaTls = { KAFKA_SSL: undefined, KAFKA_SSL_CA_FILE: undefined, KAFKA_SSL_CERT_FILE: undefined, KAFKA_SSL_KEY_FILE: undefined, KAFKA_SSL_KEY_PASSPHRASE_FILE: undefined };
const noDatabaseTls = { DATABASE_SSLMODE: 'disable', DATABASE_SSL_CA_FILE: undefined, DATABASE_SSL_CERT_FILE: undefined, DATABASE_SSL_KEY_FILE: undefined, DATABASE_SSL_KEY_PASSPHRASE_FILE: undefined };

it.each<[string, () => Record<string, string | undefined>, RegExp]>([
  ['Kafka: a CA that did not sign the broker', () => ({ KAFKA_SSL_CA_FILE: stack.certificates.otherCaFile }), /^Invalid configuration: KAFKA_SSL_CA_FILE does not verify the certificate of the broker at localhost:\d+ \(/],
  ['Kafka: a wrong SASL password', () => ({ KAFKA_SASL_PASSWORD_FILE: secretFile('wrong', 'not-the-password') }), /^Invalid configuration: KAFKA_SASL_USERNAME \/ KAFKA_SASL_PASSWORD were refused by the broker at localhost:\d+ /],
  ['Kafka: a plaintext client against the TLS listener', () => noKafkaTls, /^Invalid configuration: KAFKA_SSL is not true, but the broker at localhost:\d+ speaks TLS; expected KAFKA_SSL=true/],
  ['Kafka: a host name the certificate does not cover', () => ({ KAFKA_BROKERS: loopback(stack.brokers) }), /^Invalid configuration: KAFKA_BROKERS names 127\.0\.0\.1:\d+, which the broker's certificate was not issued for/],
  ['Kafka: a TLS client against a plaintext listener', () => ({ KAFKA_BROKERS: process.env.KAFKA_BROKERS, KAFKA_SASL_MECHANISM: undefined, KAFKA_SASL_USERNAME: undefined, KAFKA_SASL_PASSWORD_FILE: undefined }), /^Invalid configuration: KAFKA_SSL is true, but the broker at [\d.:]+ is a plaintext listener/],
  ['Kafka: no SASL against a SASL listener', () => ({ KAFKA_SASL_MECHANISM: undefined, KAFKA_SASL_USERNAME: undefined, KAFKA_SASL_PASSWORD_FILE: undefined }), /^Invalid configuration: KAFKA_SASL_MECHANISM is not set, but the broker at localhost:\d+ requires SASL \(/],
  ['Kafka: no client certificate where one is required', () => ({ KAFKA_SSL_CERT_FILE: undefined, KAFKA_SSL_KEY_FILE: undefined, KAFKA_SSL_KEY_PASSPHRASE_FILE: undefined }), /^Invalid configuration: KAFKA_SSL_CERT_FILE is not set, and a client certificate is required by the broker/],
  ['PostgreSQL: a CA that did not sign the server', () => ({ DATABASE_SSL_CA_FILE: stack.certificates.otherCaFile }), /^Invalid configuration: DATABASE_SSL_CA_FILE does not verify the certificate of the server at localhost:\d+ \(/],
  ['PostgreSQL: a wrong password', () => ({ DATABASE_PASSWORD_FILE: secretFile('wrong-db', 'not-the-password') }), /^Invalid configuration: DATABASE_URL \/ DATABASE_PASSWORD: the server at localhost:\d+ refused the password \(28P01\)/],
  ['PostgreSQL: a plaintext client against a TLS-only server', () => noDatabaseTls, /^Invalid configuration: DATABASE_SSLMODE is "disable", but the server at localhost:\d+ accepts only TLS connections/],
  ['PostgreSQL: a host name the certificate does not cover', () => ({ DATABASE_URL: loopback(securedEnv().DATABASE_URL) }), /^Invalid configuration: DATABASE_URL names the host 127\.0\.0\.1, which the certificate of the server at 127\.0\.0\.1:\d+ was not issued for/],
  ['PostgreSQL: a TLS client against a server without TLS', () => ({ DATABASE_URL: process.env.DATABASE_URL, DATABASE_PASSWORD_FILE: undefined, DATABASE_SSLMODE: 'require', DATABASE_SSL_CA_FILE: undefined }), /^Invalid configuration: DATABASE_SSLMODE is "require", but the server at [\d.:]+ does not support TLS/],
])('%s stops the start with one line naming the setting', async (_, override, expected) => {
  const env = envWith(override());
  const failure = await checkConnections(loadConfig(env)).then(() => undefined, (error: unknown) => error);
  expect(failure).toBeInstanceOf(MisconfigurationError);
  const message = (failure as Error).message;
  expect(message).toMatch(expected);
  expect(message).not.toContain('\n');
  expect(message).not.toMatch(/not-the-password|postgres@/);
});

it('still starts when a server is merely down or not answering (the roles retry)', async () => {
  const closed = 'localhost:1';
  await expect(checkConnections(loadConfig(envWith({ KAFKA_BROKERS: closed })))).resolves.toBeUndefined();
  await expect(checkConnections(loadConfig(envWith({ DATABASE_URL: 'postgres://postgres@localhost:1/x' })))).resolves.toBeUndefined();
  // Stopped, not gone: connections are accepted and requests go unanswered.
  process.kill(stack.pid, 'SIGSTOP');
  try {
    await expect(checkConnections(loadConfig(envWith()))).resolves.toBeUndefined();
  } finally {
    process.kill(stack.pid, 'SIGCONT');
  }
});

// Child processes (ts-node compiles the service as it loads): slow on a busy machine.
const PROCESS_TEST_MS = 180_000;

it('the service process prints only that line and exits 1', async () => {
  const env = Object.fromEntries(Object.entries({ ...securedEnv(), ...noKafkaTls }).map(([key, value]) => [key, value ?? '']));
  const service = startServiceProcess(env);
  expect(await service.exited).toBe(1);
  expect(service.output().trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: KAFKA_SSL is not true, but the broker at localhost:\d+ speaks TLS/)]);
}, PROCESS_TEST_MS);

it('the rebuild command connects with the same settings (and so migrates over TLS, as the migration CLI would)', async () => {
  const root = REPO_ROOT;
  const rebuild = (override: Record<string, string | undefined>) =>
    promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/customer-service/src/projector/rebuild/rebuild-read-model.main.ts'], {
      cwd: root, env: envWith(override), timeout: PROCESS_TEST_MS,
    }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: `${error.stdout}${error.stderr}` }),
    );
  const [good, wrongCa] = await Promise.all([rebuild({}), rebuild({ DATABASE_SSL_CA_FILE: stack.certificates.otherCaFile })]);
  // Code and output together, so a failure shows what the command printed.
  expect(good).toMatchObject({ code: 0, output: expect.stringMatching(/rebuil/i) });
  expect(wrongCa.code).toBe(1);
  expect(wrongCa.output.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: DATABASE_SSL_CA_FILE does not verify the certificate of the server at localhost:\d+/)]);
}, PROCESS_TEST_MS);

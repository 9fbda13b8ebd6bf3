// The local stack used by `npm start` and `npm test`: a real PostgreSQL and a real Kafka
// broker on 127.0.0.1, each started only when the caller has no external one.
import path from 'node:path';
import { ensureKafkaClasspath, startKafka } from './kafka.mjs';
import { freePorts } from './ports.mjs';
import { startPostgres } from './postgres.mjs';
import { seconds } from './processes.mjs';

export { freePort, freePorts, assertPortFree } from './ports.mjs';

const logToStderr = (/** @type {string} */ line) => process.stderr.write(`[local-stack] ${line}\n`);

/**
 * @param {object} options
 * @param {string} options.root            repository root (tools/kafka, .local/kafka-libs)
 * @param {string} options.dataRoot        PostgreSQL goes in <dataRoot>/postgres, Kafka in <dataRoot>/kafka
 * @param {number} [options.pgPort]        a free port is picked when omitted
 * @param {number} [options.kafkaPort]
 * @param {number} [options.kafkaControllerPort]
 * @param {boolean} [options.needPostgres=true]
 * @param {boolean} [options.needKafka=true]
 * @param {string} [options.database='customer_service']
 * @param {boolean} [options.ephemeral=false] data thrown away afterwards (tests): skip fsync
 * @param {string[]} [options.postgresSettings=[]] extra server settings, `name=value` (passed as -c)
 * @param {import('./kafka.mjs').SecuredKafka} [options.secured] both servers secured (tests of the service's TLS and SASL settings):
 *   `{ certificates, scramUsers, plainUsers }` — certificates from certificates.mjs; PostgreSQL
 *   takes TLS with client certificates only, Kafka has a SASL_SSL listener (see kafka.mjs)
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<{ databaseUrl?: string, kafkaBrokers?: string, kafkaPid?: number, stop: () => Promise<void> }>}
 */
export async function startLocalStack({
  root,
  dataRoot,
  pgPort,
  kafkaPort,
  kafkaControllerPort,
  needPostgres = true,
  needKafka = true,
  database = 'customer_service',
  ephemeral = false,
  postgresSettings = [],
  secured,
  log = logToStderr,
}) {
  const startedAt = Date.now();
  const [anyPgPort, anyKafkaPort, anyControllerPort] = await freePorts(3);
  // PostgreSQL starts while Maven (first run only) fetches Kafka; Kafka needs the jars.
  const [postgres, kafka] = await Promise.allSettled([
    needPostgres
      ? startPostgres({ dataDir: path.join(dataRoot, 'postgres'), port: pgPort ?? anyPgPort, database, ephemeral, settings: postgresSettings, tls: secured?.certificates, log })
      : undefined,
    needKafka
      ? ensureKafkaClasspath({ root, log }).then(() =>
          startKafka({
            root,
            dataDir: path.join(dataRoot, 'kafka'),
            port: kafkaPort ?? anyKafkaPort,
            controllerPort: kafkaControllerPort ?? anyControllerPort,
            secured,
            log,
          }),
        )
      : undefined,
  ]);

  const started = [valueOf(kafka), valueOf(postgres)].filter((server) => server !== undefined);
  const stop = async () => {
    const stoppingAt = Date.now();
    // Independent servers: stop both at once (each is bounded by its own SIGKILL timeout).
    await Promise.all(started.map((server) => server.stop()));
    if (started.length) log(`local stack stopped (${seconds(stoppingAt)})`);
  };

  const failures = [postgres, kafka].filter((result) => result.status === 'rejected').map((result) => result.reason);
  if (failures.length) {
    await stop();
    throw failures.length === 1 ? failures[0] : new Error(failures.map((error) => error.message).join('\n'));
  }
  if (started.length) log(`local stack ready (${seconds(startedAt)})`);
  return {
    databaseUrl: valueOf(postgres)?.url,
    kafkaBrokers: valueOf(kafka)?.brokers,
    kafkaPid: valueOf(kafka)?.pid,
    stop,
  };
}

/**
 * @template T
 * @param {PromiseSettledResult<T>} result
 * @returns {T | undefined}
 */
const valueOf = (result) => (result.status === 'fulfilled' ? result.value : undefined);

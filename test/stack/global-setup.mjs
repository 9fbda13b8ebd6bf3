// Jest globalSetup of the integration and e2e tiers (Jest runs it once, and only when tests
// of those tiers are selected): ONE real PostgreSQL and ONE real Kafka broker for the run,
// on free ports, in a fresh .local/test-runs/<pid>/ — or the ones named by DATABASE_URL /
// KAFKA_BROKERS. Workers inherit what is exported here through process.env:
//   DATABASE_URL, KAFKA_BROKERS, and TEST_KAFKA_PID (the broker JVM, only when started
//   here: tests SIGSTOP/SIGCONT it to simulate a Kafka outage); PORT and MANAGEMENT_PORT 0.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startLocalStack } from '../../scripts/local-stack/index.mjs';
import { removeLeftoverRuns, repoRoot, runDirOf } from './test-runs.mjs';

/** @typedef {{ stack: Awaited<ReturnType<typeof startLocalStack>>, runDir: string }} TestStack */

const log = (/** @type {string} */ line) => process.stderr.write(`[test-stack] ${line}\n`);

export default async function globalSetup() {
  process.stderr.write('\n');
  // kafkajs 2 warns about its default partitioner on every producer it creates: noise in
  // every suite's output (the service picks its partitioner explicitly).
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  // The service refuses to start without a way to verify tokens; tests mint their own with it.
  process.env.AUTH_JWT_SECRET ??= randomBytes(32).toString('base64url');
  // Any app a test boots listens on free ports: two files running at once (or an `npm start`
  // on the same machine) must not meet on the defaults 3000/3001.
  process.env.PORT ??= '0';
  process.env.MANAGEMENT_PORT ??= '0';
  const needPostgres = !process.env.DATABASE_URL;
  const needKafka = !process.env.KAFKA_BROKERS;
  if (!needPostgres) log('using PostgreSQL from DATABASE_URL');
  if (!needKafka) log('using Kafka from KAFKA_BROKERS');
  if (!needPostgres && !needKafka) return;

  await removeLeftoverRuns(log);
  const runDir = runDirOf(process.pid);
  log(`starting ${[needPostgres && 'PostgreSQL', needKafka && 'Kafka'].filter(Boolean).join(' and ')} in ${runDir}`);
  let stack;
  try {
    stack = await startLocalStack({ root: repoRoot, dataRoot: runDir, needPostgres, needKafka, ephemeral: true, log });
  } catch (error) {
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
  // Read back by global-teardown.mjs (same process).
  /** @type {{ __testStack?: TestStack }} */ (globalThis).__testStack = { stack, runDir };
  if (stack.databaseUrl) process.env.DATABASE_URL = stack.databaseUrl;
  if (stack.kafkaBrokers) process.env.KAFKA_BROKERS = stack.kafkaBrokers;
  if (stack.kafkaPid) process.env.TEST_KAFKA_PID = String(stack.kafkaPid);
}

// Runs a Kafka broker of its own for one test (a test that stops its broker must not stop the
// one every other test file shares). Started by dedicated-kafka.ts: prints {"brokers","pid"} as
// one JSON line once the broker answers, and stops it (deleting its data) when its standard
// input closes — also when the Jest worker that started it dies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKafka } from '../../scripts/local-stack/kafka.mjs';
import { freePorts } from '../../scripts/local-stack/ports.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'customer-service-kafka-'));
const log = (line) => process.stderr.write(`${line}\n`);

let kafka;
let stopping;
const stop = () =>
  (stopping ??= (async () => {
    await kafka?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })());
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);

try {
  const [port, controllerPort] = await freePorts(2);
  kafka = await startKafka({ root, dataDir, port, controllerPort, log });
  process.stdout.write(`${JSON.stringify({ brokers: kafka.brokers, pid: kafka.pid })}\n`);
} catch (error) {
  log(`dedicated Kafka did not start: ${error.message}`);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}

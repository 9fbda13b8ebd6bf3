// npm run -s events -- [--brokers localhost:29092] [--topic customer.events.v1] [--key <customer guid>]
//                      [--max N] [--timeout 30s]
// Reads the events topic from the beginning, as a downstream consumer would, and prints one
// JSON line per event: partition, offset, key, the CloudEvents headers and the payload. Stops
// after --max matching events (exit 0) or at --timeout (exit 1 when --max was not reached).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  process.stderr.write(`events: ${message}\n`);
  process.exit(2);
}

/** @type {{ brokers: string, topic: string, key?: string, max?: string, timeout: string }} */
let values;
try {
  ({ values } = parseArgs({
    options: {
      brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? 'localhost:29092' },
      topic: { type: 'string', default: 'customer.events.v1' },
      key: { type: 'string' },
      max: { type: 'string' },
      timeout: { type: 'string', default: '30s' },
    },
  }));
} catch (error) {
  fail(/** @type {Error} */ (error).message);
}
const max = values.max === undefined ? Infinity : Number(values.max);
if (!(max >= 1)) fail('--max takes a positive number');
const timeout = /^(\d+)s$/.exec(values.timeout);
if (!timeout) fail('--timeout looks like 30s');

const kafka = new Kafka({ clientId: 'read-events', brokers: values.brokers.split(','), logLevel: logLevel.NOTHING });
// A throwaway group: start from the beginning every time, never disturb a real consumer's offsets.
const consumer = kafka.consumer({ groupId: `read-events-${randomUUID()}` });
let printed = 0;
/** @type {(code: number) => void} */
let finish = () => {};
/** @type {Promise<number>} */
const done = new Promise((resolve) => { finish = resolve; });
const timer = setTimeout(() => finish(values.max === undefined || printed >= max ? 0 : 1), Number(timeout[1]) * 1000);

await consumer.connect();
await consumer.subscribe({ topic: values.topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    const key = message.key?.toString();
    if (printed >= max || (values.key && key !== values.key)) return;
    const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString()]));
    const value = JSON.parse(/** @type {Buffer} */ (message.value).toString());
    process.stdout.write(`${JSON.stringify({ partition, offset: message.offset, key, headers, value })}\n`);
    if (++printed >= max) finish(0);
  },
});
const code = await done;
clearTimeout(timer);
await consumer.disconnect();
if (code !== 0) process.stderr.write(`events: ${printed} of ${max} events within ${values.timeout}\n`);
process.exit(code);

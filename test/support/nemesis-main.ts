// `npm run chaos -- --minutes N [--seed S] [--workers W]`: the nemesis run (nemesis.ts) as a
// command. Starts everything it needs itself (its own PostgreSQL and broker on free loopback
// ports, the service from source through ts-node), prints one line per fault and load counters
// every 5 s, then the five figures; exits 1 when any is not 0. Ctrl-C stops at once, cleaning up
// every process and temporary directory (exit 130).
import { randomBytes, randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { formatReport, NemesisInterrupted, runNemesis, ZERO_FIGURES } from './nemesis';

const MAX_MINUTES = 120;
const interrupted = new AbortController();

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run chaos -- --minutes N (0 < N ≤ ${MAX_MINUTES}) [--seed S] [--workers W (1-32)]\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  let values: { minutes?: string; seed?: string; workers?: string };
  try {
    ({ values } = parseArgs({ options: { minutes: { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' } } }));
  } catch (error) {
    usage((error as Error).message);
  }
  const minutes = Number(values.minutes ?? '');
  if (!(minutes > 0 && minutes <= MAX_MINUTES)) usage(`--minutes must be a number in (0, ${MAX_MINUTES}]`);
  const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) usage('--seed must be a non-negative integer');
  const workers = Number(values.workers ?? '4');
  if (!Number.isInteger(workers) || workers < 1 || workers > 32) usage('--workers must be an integer from 1 to 32');

  // The service processes verify tokens with it; the load mints them with it.
  process.env.AUTH_JWT_SECRET ??= randomBytes(32).toString('base64url');
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  const onSignal = (name: string) => () => {
    if (interrupted.signal.aborted) return;
    process.stderr.write(`\n${name}: stopping every process and server, deleting their data\n`);
    interrupted.abort();
  };
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));

  const report = await runNemesis({ durationMs: minutes * 60_000, seed, workers, signal: interrupted.signal, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`${formatReport(report)}\n`);
  return ZERO_FIGURES.every((figure) => report[figure] === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof NemesisInterrupted || interrupted.signal.aborted) {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(130);
    }
    process.stderr.write(`nemesis run failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);

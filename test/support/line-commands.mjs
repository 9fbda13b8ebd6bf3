// The other side of line-runner.ts, for the helper scripts it runs: one command per line on
// standard input, run one at a time in order, each answered with one JSON line on standard
// output (`{ error }` when it fails); `stop` once standard input closes.
import { createInterface } from 'node:readline';

/** @param {unknown} value */
export const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

/**
 * @param {Record<string, () => Promise<unknown>>} commands
 * @param {() => Promise<unknown>} stop
 */
export function obeyCommands(commands, stop) {
  let queue = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      const command = commands[line.trim()];
      try {
        reply(command ? await command() : { error: `unknown command ${line}` });
      } catch (error) {
        reply({ error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  lines.on('close', () => void queue.then(stop));
}

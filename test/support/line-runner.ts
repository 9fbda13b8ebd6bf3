import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A helper script run in a process of its own (dedicated-postgres.mjs, dedicated-kafka.mjs):
 * it prints one JSON line once its servers answer, then answers each command written to its
 * standard input with one JSON line (`{ error }` on failure), and stops its servers when its
 * standard input closes — also when the process that started it dies.
 */
export interface LineRunner {
  /** The first line it printed (what it started). */
  ready: Record<string, unknown>;
  /** Writes `command` and resolves with its answer (rejects on `{ error }`, on exit, after the timeout). */
  command: (command: string) => Promise<Record<string, unknown>>;
  /** Closes its standard input and resolves once it has exited. */
  stop: () => Promise<void>;
}

export async function startLineRunner(what: string, script: string, args: string[], timeoutMs: number): Promise<LineRunner> {
  const runner = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => runner.once('exit', () => resolve()));
  let stderr = '';
  runner.stderr.on('data', (chunk) => (stderr += chunk));
  // Every line on stdout answers the oldest request still waiting.
  const waiting: { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }[] = [];
  createInterface({ input: runner.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));
  void exited.then(() => waiting.splice(0).forEach(({ reject }) => reject(new Error(`${what} exited:\n${stderr}`))));
  const answer = (command?: string) => {
    const answered = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${what}: no answer to ${command ?? 'start-up'} within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
      waiting.push({
        resolve: (value) => {
          clearTimeout(timer);
          if (typeof value.error === 'string') reject(new Error(`${what}: ${command}: ${value.error}`));
          else resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    if (command) runner.stdin.write(`${command}\n`);
    return answered;
  };
  const stop = async () => {
    runner.stdin.end();
    await exited;
  };
  const ready = await answer().catch(async (error: Error) => {
    await stop();
    throw error;
  });
  return { ready, command: answer, stop };
}

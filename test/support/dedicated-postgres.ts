import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A PostgreSQL server of one test file's own, which the test may crash and start again. */
export interface DedicatedPostgres {
  /** postgres://…/customer_service on 127.0.0.1 (the same across restarts). */
  url: string;
  /** Immediate shutdown (SIGQUIT to the postmaster), resolved once it is gone. */
  crash(): Promise<void>;
  /** Starts it again on the same data and port, resolved once it accepts connections. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts one (~2 s: initdb, then the server); see dedicated-postgres.mjs. */
export async function startDedicatedPostgres(timeoutMs = 60_000): Promise<DedicatedPostgres> {
  const runner = spawn(process.execPath, [path.join(__dirname, 'dedicated-postgres.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => runner.once('exit', () => resolve()));
  let stderr = '';
  runner.stderr.on('data', (chunk) => (stderr += chunk));
  // Every line on stdout answers the oldest request still waiting.
  const waiting: { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }[] = [];
  createInterface({ input: runner.stdout }).on('line', (line) => waiting.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));
  void exited.then(() => waiting.splice(0).forEach(({ reject }) => reject(new Error(`dedicated PostgreSQL exited:\n${stderr}`))));
  const answer = (command?: string) => {
    const answered = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dedicated PostgreSQL: no answer to ${command ?? 'start-up'} within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
      waiting.push({
        resolve: (value) => {
          clearTimeout(timer);
          if (typeof value.error === 'string') reject(new Error(`dedicated PostgreSQL: ${command}: ${value.error}`));
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
  return {
    url: String(ready.url),
    crash: async () => void (await answer('crash')),
    start: async () => void (await answer('start')),
    stop,
  };
}

import path from 'node:path';
import { startLineRunner } from './line-runner';

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
  const runner = await startLineRunner('dedicated PostgreSQL', path.join(__dirname, 'dedicated-postgres.mjs'), [], timeoutMs);
  return {
    url: String(runner.ready.url),
    crash: async () => void (await runner.command('crash')),
    start: async () => void (await runner.command('start')),
    stop: runner.stop,
  };
}

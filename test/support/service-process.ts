import { ChildProcess, spawn } from 'node:child_process';
import { REPO_ROOT } from './repo-root';

const root = REPO_ROOT;

/** The service running as a separate Node process (so a test can `kill -9` it). */
export interface ServiceProcess {
  pid: number;
  /** Everything it logged so far (JSON lines). */
  output(): string;
  /**
   * Resolves when a log line matches (rejects when the process exits first or after `timeoutMs`,
   * 120 s by default: a hang guard. ts-node starts the service in 25-36 s on a loaded machine).
   */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/**
 * Starts `main.ts` through ts-node (transpile only: ~2-3 s) with the test run's environment
 * plus `env`, e.g. `{ ROLES: 'relay', DATABASE_URL: … }`. The caller kills it. `entry`: another
 * app of the monorepo (apps/ledger-example).
 */
export function startServiceProcess(env: Record<string, string>, entry = 'apps/customer-service/src/main.ts'): ServiceProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry],
    { cwd: root, env: { ...process.env, PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    listeners.forEach((listener) => listener());
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
    listeners.forEach((listener) => listener());
  });

  return {
    pid: child.pid!,
    output: () => output,
    exited,
    kill: (signal) => {
      if (running) child.kill(signal);
    },
    waitForLog: (pattern, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
        const check = () => {
          if (pattern.test(output)) finish();
          else if (!running) finish(new Error(`process exited before logging ${pattern}:\n${output.slice(-2000)}`));
        };
        function finish(error?: Error) {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        }
        listeners.add(check);
        check();
      }),
  };
}

/** SIGKILLs each process and resolves once all are gone (the afterAll of tests that start several). */
export async function killAll(processes: readonly ServiceProcess[]): Promise<void> {
  processes.forEach((child) => child.kill('SIGKILL'));
  await Promise.all(processes.map((child) => child.exited));
}

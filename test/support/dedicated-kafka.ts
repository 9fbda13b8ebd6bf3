import path from 'node:path';
import { startLineRunner } from './line-runner';

export interface DedicatedKafka {
  brokers: string;
  /** The broker JVM: SIGSTOP / SIGCONT it to simulate an outage (another after `start`). */
  readonly pid: number;
  /** kill -9 of the broker JVM, resolved once it is gone. */
  crash(): Promise<void>;
  /** Starts the broker again on the same data and ports, resolved once it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What scripts/local-stack/certificates.mjs made for a secured stack (file paths). */
export interface TestCertificates {
  caFile: string;
  otherCaFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  clientKeyPassphrase: string;
  serverHost: string;
}

/** A PostgreSQL taking only TLS with client certificates, and a broker with a SASL_SSL listener requiring them too. */
export interface SecuredStack extends DedicatedKafka {
  /** postgres://postgres:postgres@localhost:<port>/customer_service (the certificate's host name). */
  databaseUrl: string;
  certificates: TestCertificates;
  scramUsers: { mechanism: 'SCRAM-SHA-512' | 'SCRAM-SHA-256'; name: string; password: string }[];
  plainUsers: Record<string, string>;
}

/** A single-node broker for one test file, on free ports (~4 s to start on a quiet machine; the bound is only against a hang). */
export function startDedicatedKafka(timeoutMs = 300_000): Promise<DedicatedKafka> {
  return startDedicated({}, timeoutMs);
}

/** A secured PostgreSQL and broker for one test file, started together (~8 s). */
export function startSecuredStack(timeoutMs = 300_000): Promise<SecuredStack> {
  return startDedicated({ secured: true }, timeoutMs);
}

async function startDedicated<T extends DedicatedKafka>(options: { secured?: boolean }, timeoutMs: number): Promise<T> {
  const runner = await startLineRunner('dedicated servers', path.join(__dirname, 'dedicated-kafka.mjs'), [JSON.stringify(options)], timeoutMs);
  let pid = Number(runner.ready.pid);
  return {
    ...runner.ready,
    get pid() {
      return pid;
    },
    crash: async () => void (await runner.command('crash')),
    start: async () => {
      pid = Number((await runner.command('start')).started);
    },
    stop: runner.stop,
  } as unknown as T;
}

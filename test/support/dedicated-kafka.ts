import { spawn } from 'node:child_process';
import path from 'node:path';

export interface DedicatedKafka {
  brokers: string;
  /** The broker JVM: SIGSTOP / SIGCONT it to simulate an outage. */
  pid: number;
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
  const runner = spawn(process.execPath, [path.join(__dirname, 'dedicated-kafka.mjs'), JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => runner.once('exit', () => resolve()));
  let stderr = '';
  runner.stderr.on('data', (chunk) => (stderr += chunk));
  const stop = async () => {
    runner.stdin.end();
    await exited;
  };
  const started = await new Promise<Omit<T, 'stop'>>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`dedicated servers not ready within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    runner.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(stdout.split('\n')[0]) as Omit<T, 'stop'>);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`dedicated servers exited before they were ready:\n${stderr}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { ...started, stop } as T;
}

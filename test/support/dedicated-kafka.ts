import { spawn } from 'node:child_process';
import path from 'node:path';

export interface DedicatedKafka {
  brokers: string;
  /** The broker JVM: SIGSTOP / SIGCONT it to simulate an outage. */
  pid: number;
  stop(): Promise<void>;
}

/** A single-node broker for one test file, on free ports (~4 s to start). */
export async function startDedicatedKafka(timeoutMs = 60_000): Promise<DedicatedKafka> {
  const runner = spawn(process.execPath, [path.join(__dirname, 'dedicated-kafka.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => runner.once('exit', () => resolve()));
  let stderr = '';
  runner.stderr!.on('data', (chunk) => (stderr += chunk));
  const stop = async () => {
    runner.stdin!.end();
    await exited;
  };
  const started = await new Promise<{ brokers: string; pid: number }>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`dedicated Kafka not ready within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    runner.stdout!.on('data', (chunk) => {
      stdout += chunk;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(stdout.split('\n')[0]));
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`dedicated Kafka exited before it was ready:\n${stderr}`));
    });
  }).catch(async (error) => {
    await stop();
    throw error;
  });
  return { ...started, stop };
}

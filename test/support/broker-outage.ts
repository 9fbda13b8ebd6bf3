import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The test run's broker is shared by every test file, and Jest runs files in parallel workers.
 * A test that stops the broker (SIGSTOP), and a test whose timings a stopped broker would
 * falsify (failover within 5 s), hold this cross-process lock while they run, so they never
 * overlap. Others ride out a stop with their 60 s timeouts.
 */

/** The broker JVM when this test run started it (never stop someone else's). */
export const brokerPid = Number(process.env.TEST_KAFKA_PID) || undefined;

const lockDir = path.join(tmpdir(), `customer-service-broker-${brokerPid ?? 'external'}.lock`);

/** Runs `work` while no other test may stop the broker (and lets `work` stop it itself). */
export async function withBrokerExclusive<T>(work: () => Promise<T>, waitMs = 120_000): Promise<T> {
  await acquire(waitMs);
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Stops the broker until the returned function is called (which is safe to call twice). */
export function stopBroker(): () => void {
  if (!brokerPid) throw new Error('TEST_KAFKA_PID is not set: this run did not start the broker');
  process.kill(brokerPid, 'SIGSTOP');
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    process.kill(brokerPid, 'SIGCONT');
  };
}

async function acquire(waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'owner'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (ownerIsGone()) rmSync(lockDir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`the broker lock was not free within ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A lock left by a worker that died (its owner file names a process that no longer exists). */
function ownerIsGone(): boolean {
  let owner: number;
  try {
    owner = Number(readFileSync(path.join(lockDir, 'owner'), 'utf8'));
  } catch {
    return false; // being created right now
  }
  if (!owner) return false;
  try {
    process.kill(owner, 0);
    return false;
  } catch {
    return true;
  }
}

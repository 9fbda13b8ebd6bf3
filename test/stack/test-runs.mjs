// Where a test run keeps its servers' data: .local/test-runs/<pid of the Jest process>/.
// The folder name records the owner, so a later run can tell leftovers (owner gone, e.g.
// Jest killed with -9) from a run that is still going on in another terminal.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopStaleKafka } from '../../scripts/local-stack/kafka.mjs';
import { stopStalePostgres } from '../../scripts/local-stack/postgres.mjs';
import { isNodeProcess } from '../../scripts/local-stack/processes.mjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runsDir = path.join(repoRoot, '.local', 'test-runs');

export const runDirOf = (/** @type {number} */ pid) => path.join(runsDir, String(pid));

/**
 * Stops the servers of dead runs and deletes their folders; live runs are left alone.
 * @param {(line: string) => void} log
 */
export async function removeLeftoverRuns(log) {
  if (!existsSync(runsDir)) return;
  for (const name of readdirSync(runsDir)) {
    const owner = Number(name);
    // Our own pid can only be here from an earlier owner with the same pid: a leftover.
    if (owner !== process.pid && isNodeProcess(owner)) continue;
    const runDir = path.join(runsDir, name);
    try {
      await stopStalePostgres(path.join(runDir, 'postgres'), log);
      await stopStaleKafka(path.join(runDir, 'kafka'), log);
      rmSync(runDir, { recursive: true, force: true });
      log(`removed the leftovers of test run ${name} (its Jest process is gone)`);
    } catch (error) {
      log(`could not clean up ${runDir}: ${/** @type {Error} */ (error).message}`);
    }
  }
}

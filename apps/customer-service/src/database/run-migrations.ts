import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { queryRows } from './query-rows';

/** Any constant works; it only has to be the same for every instance of this service. */
const MIGRATION_LOCK_KEY = 7_316_204_551;
/** How often an instance that found the lock taken asks again. */
const LOCK_RETRY_MS = 200;

/**
 * Runs pending migrations under a session-level advisory lock so that several replicas (or
 * parallel test workers) starting at once apply each migration exactly once.
 *
 * The others ask for the lock again and again (`pg_try_advisory_lock`) instead of queueing in
 * `pg_advisory_lock`: a statement queued there holds a snapshot, and CREATE INDEX CONCURRENTLY
 * (SearchCovering1765180800000) waits for every older snapshot to end — the lock holder would
 * wait for the waiters, which wait for the lock holder, forever (PostgreSQL cannot see that
 * cycle: it runs through this process).
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  let locked = false;
  try {
    for (;;) {
      [{ locked }] = await queryRows<{ locked: boolean }>(runner, 'SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY]);
      if (locked) break;
      await sleep(LOCK_RETRY_MS);
    }
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    if (locked) await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

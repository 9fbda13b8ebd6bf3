import { EntityManager } from 'typeorm';
import type { PoolClient } from 'pg';

/**
 * Runs a hot statement as a named prepared statement on the transaction's own connection:
 * PostgreSQL parses and plans it once per connection instead of on every call (measured by
 * `npm run bench`: docs/performance.md). TypeORM's `query()` has no way to name a statement,
 * so this goes to the node-postgres client under the EntityManager's QueryRunner.
 * `name` must stand for exactly one `text` (a different text under a known name is an error).
 * Errors are node-postgres's own (`code`, `constraint` on the error itself).
 */
export async function queryPrepared<T = Record<string, unknown>>(db: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const runner = db.queryRunner;
  if (!runner) throw new Error('queryPrepared needs a transaction (an EntityManager with a QueryRunner)');
  const client = (await runner.connect()) as PoolClient;
  const result = await client.query({ name, text, values });
  return result.rows as T[];
}

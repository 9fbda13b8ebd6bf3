import { MigrationInterface, QueryRunner } from 'typeorm';

const INDEX = 'customer_list_view_created_at_idx';
/** The new index's name while it is built beside the one it replaces. */
const BUILDING = 'customer_list_view_created_at_search_idx';
const KEY = '(counterparty_guid, created_at, customer_guid)';

/**
 * Searches that stay off the heap (issue 14; docs/performance.md, round 4): the `created_at`
 * ordering index also carries `search_text`. A `search_string` list in the default ordering
 * (`-created_at`), and the capped count of a search too short for a trigram (`an`), then
 * filter the index entries themselves — an index-only scan — instead of fetching one heap row
 * per entry from a table larger than shared_buffers. The index grows (88 → 158 MB at
 * 1,000,000 customers) and every write of the read model carries the wider entry.
 *
 * Built CONCURRENTLY, so the projector keeps writing and lists keep reading while it builds
 * (minutes on a large read model): outside TypeORM's transaction (`transaction = false`), with
 * no statement timeout for this session. Each step can be repeated, so a run stopped half-way
 * (which may leave an INVALID index behind) is completed by the next start: the half-built
 * index is dropped and built again, then swapped in under the old name, which the plans and
 * docs refer to.
 */
export class SearchCovering1765180800000 implements MigrationInterface {
  name = 'SearchCovering1765180800000';
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await swap(db, 'INCLUDE (is_disabled, branch_guid, writer_xid, search_text)');
  }

  async down(db: QueryRunner): Promise<void> {
    await swap(db, 'INCLUDE (is_disabled, branch_guid, writer_xid)');
  }
}

async function swap(db: QueryRunner, include: string): Promise<void> {
  await db.query('SET statement_timeout = 0');
  try {
    await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${BUILDING}`);
    await db.query(`CREATE INDEX CONCURRENTLY ${BUILDING} ON customer_list_view ${KEY} ${include}`);
    await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${INDEX}`);
    await db.query(`ALTER INDEX ${BUILDING} RENAME TO ${INDEX}`);
  } finally {
    // Back to the pool's own limit (its connection parameter) before the connection is reused.
    await db.query('RESET statement_timeout');
  }
}

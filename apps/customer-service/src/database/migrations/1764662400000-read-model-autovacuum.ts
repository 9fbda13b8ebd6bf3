import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps customer_list_view's visibility map current, so the list orderings stay index-only
 * scans. With PostgreSQL's defaults autovacuum visits a 1,000,000-row table only after
 * 200,000 inserts or updates; until then each page written since the last vacuum costs a heap
 * fetch. The newest customers are the first ones the default ordering (created_at DESC)
 * walks, so offset=50000 on the largest counterparty did 10,143 heap fetches in 145 ms after a
 * benchmark's creates, 23 ms once vacuumed (docs/performance.md). Vacuuming after 0.2% inserted
 * or 1% changed rows is cheap: since PostgreSQL 13 it skips the pages already all-visible.
 */
export class ReadModelAutovacuum1764662400000 implements MigrationInterface {
  name = 'ReadModelAutovacuum1764662400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'ALTER TABLE customer_list_view SET (autovacuum_vacuum_insert_scale_factor = 0.002, autovacuum_vacuum_scale_factor = 0.01)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE customer_list_view RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_scale_factor)');
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

const ORDERINGS = ['created_at', 'updated_at', 'login', 'name', 'surname', 'kyc_level', 'balance_allowed'];
const NO_BRANCH = '00000000-0000-0000-0000-000000000000';

/**
 * Two changes measured by `npm run bench` (docs/performance.md):
 *  1. customer_counts also buckets by kyc_level and segment, so a total filtered only by
 *     kyc_levels and/or segments is a sum over a few count rows instead of a count(*) over
 *     every match (on a 190,000-customer counterparty: tens of ms per list);
 *  2. each ordering index carries is_disabled and branch_guid (INCLUDE), so the ids of a page
 *     far down a list (offset=50000) come from an index-only scan; the page's rows are then
 *     fetched by primary key.
 * The counts are recomputed under a lock that holds the projector back (reads go on).
 */
export class ListCountsAndCovering1764489600000 implements MigrationInterface {
  name = 'ListCountsAndCovering1764489600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('LOCK TABLE customer_list_view, customer_counts IN EXCLUSIVE MODE');
    await db.query('DELETE FROM customer_counts');
    await db.query('ALTER TABLE customer_counts DROP CONSTRAINT customer_counts_pkey');
    await db.query(`ALTER TABLE customer_counts ADD COLUMN kyc_level integer NOT NULL, ADD COLUMN segment_key varchar(2) NOT NULL`);
    await db.query('ALTER TABLE customer_counts ADD PRIMARY KEY (counterparty_guid, branch_key, kyc_level, segment_key)');
    await recount(db, ['kyc_level', "coalesce(segment, '')"]);
    for (const column of ORDERINGS) {
      await db.query(`DROP INDEX customer_list_view_${column}_idx`);
      await db.query(
        `CREATE INDEX customer_list_view_${column}_idx ON customer_list_view (counterparty_guid, ${column}, customer_guid) INCLUDE (is_disabled, branch_guid)`,
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const column of ORDERINGS) {
      await db.query(`DROP INDEX customer_list_view_${column}_idx`);
      await db.query(`CREATE INDEX customer_list_view_${column}_idx ON customer_list_view (counterparty_guid, ${column}, customer_guid)`);
    }
    await db.query('LOCK TABLE customer_list_view, customer_counts IN EXCLUSIVE MODE');
    await db.query('DELETE FROM customer_counts');
    await db.query('ALTER TABLE customer_counts DROP CONSTRAINT customer_counts_pkey');
    await db.query('ALTER TABLE customer_counts DROP COLUMN kyc_level, DROP COLUMN segment_key');
    await db.query('ALTER TABLE customer_counts ADD PRIMARY KEY (counterparty_guid, branch_key)');
    await recount(db, []);
  }
}

async function recount(db: QueryRunner, buckets: string[]): Promise<void> {
  const columns = ['counterparty_guid', 'branch_key', ...(buckets.length ? ['kyc_level', 'segment_key'] : [])];
  const keys = ['counterparty_guid', `coalesce(branch_guid, '${NO_BRANCH}'::uuid)`, ...buckets];
  await db.query(
    `INSERT INTO customer_counts (${columns.join(', ')}, enabled, disabled)
     SELECT ${keys.join(', ')}, count(*) FILTER (WHERE NOT is_disabled), count(*) FILTER (WHERE is_disabled)
       FROM customer_list_view GROUP BY ${keys.map((_, i) => i + 1).join(', ')}`,
  );
}

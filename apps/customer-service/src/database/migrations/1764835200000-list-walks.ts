import { MigrationInterface, QueryRunner } from 'typeorm';

const ORDERINGS = ['created_at', 'updated_at', 'login', 'name', 'surname', 'kyc_level', 'balance_allowed'];

/**
 * Cursor walks that return each customer at most once (issue 14; http/list-cursor.ts):
 * customer_list_view records which transaction last wrote each row (`writer_xid`). A walk keeps
 * the snapshot of its first page; its later pages leave out rows written after that snapshot,
 * so a customer that changed during the walk — its key moved past the cursor — is not
 * returned again. Exact whatever the commit order (a sequence or a timestamp taken before
 * commit would not be). Rows already there count as written long ago (xid 3, always visible).
 * The ordering indexes carry the column, so keyset pages stay index-only scans.
 */
export class ListWalks1764835200000 implements MigrationInterface {
  name = 'ListWalks1764835200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE customer_list_view ADD COLUMN writer_xid xid8 NOT NULL DEFAULT '3'`);
    await db.query(`ALTER TABLE customer_list_view ALTER COLUMN writer_xid SET DEFAULT pg_current_xact_id()`);
    for (const column of ORDERINGS) {
      await db.query(`DROP INDEX customer_list_view_${column}_idx`);
      await db.query(
        `CREATE INDEX customer_list_view_${column}_idx ON customer_list_view (counterparty_guid, ${column}, customer_guid) INCLUDE (is_disabled, branch_guid, writer_xid)`,
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const column of ORDERINGS) {
      await db.query(`DROP INDEX customer_list_view_${column}_idx`);
      await db.query(
        `CREATE INDEX customer_list_view_${column}_idx ON customer_list_view (counterparty_guid, ${column}, customer_guid) INCLUDE (is_disabled, branch_guid)`,
      );
    }
    await db.query(`ALTER TABLE customer_list_view DROP COLUMN writer_xid`);
  }
}

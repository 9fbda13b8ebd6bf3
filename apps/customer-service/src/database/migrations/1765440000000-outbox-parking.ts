import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Poison events (docs/failure-modes.md): an outbox row the broker refuses for good is parked
 * (`parked_at`, `parked_reason`: the broker's error and the message's size, never values). The
 * relay claims no row of a customer that has an unpublished parked row, so that customer's
 * later rows wait behind it while everyone else's flow. The partial index keeps that check one
 * probe of an index that holds only parked rows (normally none).
 */
export class OutboxParking1765440000000 implements MigrationInterface {
  name = 'OutboxParking1765440000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox ADD COLUMN parked_at timestamptz, ADD COLUMN parked_reason text`);
    await db.query(`CREATE INDEX outbox_parked_idx ON outbox (aggregateid) WHERE parked_at IS NOT NULL AND published_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_parked_idx`);
    await db.query(`ALTER TABLE outbox DROP COLUMN parked_at, DROP COLUMN parked_reason`);
  }
}

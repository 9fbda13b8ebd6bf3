import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Wakes the outbox relay (ADR 1): every statement that inserts outbox rows sends one NOTIFY on
 * channel `outbox`, which PostgreSQL delivers only when the transaction commits (and folds into
 * one per transaction). The relay still polls, so a lost notification only delays publishing.
 * Also indexes published rows by publish time for the retention purge.
 */
export class OutboxNotify1764403200000 implements MigrationInterface {
  name = 'OutboxNotify1764403200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox', '');
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`);
    await db.query(`CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX outbox_published_at_idx');
    await db.query('DROP TRIGGER outbox_notify ON outbox');
    await db.query('DROP FUNCTION outbox_notify()');
  }
}

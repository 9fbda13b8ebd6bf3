import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A customer's history (issue 18), owned by the projector like the rest of the read model: one
 * row per event applied, keyed by customer and version (a version happens once), never updated
 * by the projector. `changes` keeps the event's `{field: {from, to}}` as json, i.e. the event's
 * own text: money keeps its exact digits and the fields their order (jsonb would reorder them).
 * The history route reads one customer's rows by version in either direction, so the primary
 * key is its index; the filters (time, actor, fields) are applied to those rows.
 */
export class CustomerHistory1765008000000 implements MigrationInterface {
  name = 'CustomerHistory1765008000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE customer_history (
        customer_guid      uuid NOT NULL,
        version            integer NOT NULL,
        counterparty_guid  uuid NOT NULL,
        event_id           uuid NOT NULL,
        type               varchar(32) NOT NULL,
        occurred_at        timestamptz NOT NULL,
        actor_sub          varchar(255) NOT NULL,
        actor_branch_guid  uuid,
        changes            json,
        account_guid       uuid,
        account_asset_code   varchar(12),
        account_asset_issuer varchar(56),
        PRIMARY KEY (customer_guid, version)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE customer_history');
  }
}

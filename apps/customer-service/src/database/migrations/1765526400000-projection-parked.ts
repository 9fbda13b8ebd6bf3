import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events the projector parks (ADR 10): a well-formed event the read model refuses (a
 * constraint it breaks), and every later event of the same customer, which waits behind it
 * (the history needs every version, and the version guard would make the refused one stale
 * forever). Position and reason only, never values. By customer: the projector checks each
 * chunk's customers against it.
 */
export class ProjectionParked1765526400000 implements MigrationInterface {
  name = 'ProjectionParked1765526400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projection_parked (
        topic         varchar(249) NOT NULL,
        partition     integer NOT NULL,
        "offset"      bigint NOT NULL,
        customer_guid uuid NOT NULL,
        event_id      uuid NOT NULL,
        version       integer NOT NULL,
        reason        varchar(500) NOT NULL,
        parked_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition, "offset")
      )`);
    await db.query(`CREATE INDEX projection_parked_customer_idx ON projection_parked (customer_guid)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE projection_parked`);
  }
}

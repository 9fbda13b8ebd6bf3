import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read model (DESIGN §4), owned by the projector: one row per customer for the list, one
 * row per wallet account, per-branch counts so an unfiltered `total` is a lookup, the ids of
 * the events already applied, and the messages that could not be applied.
 *
 * Every list index leads with counterparty_guid (every query is scoped by it) and ends with
 * customer_guid where it serves an ordering, so "ORDER BY col, customer_guid LIMIT n" is an
 * index scan in either direction.
 */
export class ReadModel1764316800000 implements MigrationInterface {
  name = 'ReadModel1764316800000';

  async up(db: QueryRunner): Promise<void> {
    // Both are "trusted" extensions (PostgreSQL ≥ 13): a database owner may create them.
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await db.query('CREATE EXTENSION IF NOT EXISTS btree_gin');
    await db.query(`
      CREATE TABLE customer_list_view (
        customer_guid        uuid PRIMARY KEY,
        counterparty_guid    uuid NOT NULL,
        login                varchar(255),
        name                 varchar(255),
        surname              varchar(255),
        paternal_name        varchar(255),
        phone_number         varchar(20),
        kyc_level            integer NOT NULL,
        is_disabled          boolean NOT NULL,
        balance_allowed      numeric(16,7) NOT NULL,
        balance_asset_code   varchar(12),
        balance_asset_issuer varchar(56),
        branch_guid          uuid,
        segment              varchar(2),
        status               varchar(64),
        accounts_total       integer NOT NULL,
        version              integer NOT NULL,
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL,
        -- search_string matches a substring of one of these; chr(31) cannot occur in them (control
        -- characters are refused on write and in the search string), so no match spans two fields.
        search_text          text GENERATED ALWAYS AS (lower(
                               coalesce(login, '') || chr(31) || coalesce(name, '') || chr(31) ||
                               coalesce(surname, '') || chr(31) || coalesce(paternal_name, ''))) STORED
      )`);
    const orderings = ['created_at', 'updated_at', 'login', 'name', 'surname', 'kyc_level', 'balance_allowed'];
    for (const column of orderings) {
      await db.query(
        `CREATE INDEX customer_list_view_${column}_idx ON customer_list_view (counterparty_guid, ${column}, customer_guid)`,
      );
    }
    await db.query(`CREATE INDEX customer_list_view_login_ci_idx ON customer_list_view (counterparty_guid, lower(login))`);
    for (const column of ['paternal_name', 'phone_number', 'balance_asset_code', 'balance_asset_issuer', 'branch_guid', 'segment', 'status']) {
      await db.query(`CREATE INDEX customer_list_view_${column}_idx ON customer_list_view (counterparty_guid, ${column})`);
    }
    await db.query(
      `CREATE INDEX customer_list_view_search_idx ON customer_list_view USING gin (counterparty_guid, search_text gin_trgm_ops)`,
    );
    await db.query(`
      CREATE TABLE account_view (
        wallet_account_guid uuid PRIMARY KEY,
        customer_guid       uuid NOT NULL,
        counterparty_guid   uuid NOT NULL,
        iban                varchar(34),
        asset_code          varchar(12) NOT NULL,
        asset_issuer        varchar(56) NOT NULL,
        activated           boolean NOT NULL,
        registered          boolean NOT NULL,
        blocked             boolean NOT NULL,
        type                varchar(16) NOT NULL,
        created_at          timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL
      )`);
    await db.query(
      `CREATE INDEX account_view_customer_idx ON account_view (counterparty_guid, customer_guid, created_at, wallet_account_guid)`,
    );
    await db.query(`CREATE INDEX account_view_iban_idx ON account_view (counterparty_guid, iban)`);
    // One row per counterparty and branch (no branch = the nil uuid): the unfiltered total of a
    // counterparty, or of a branch-scoped employee's branch, is a sum over a handful of rows.
    await db.query(`
      CREATE TABLE customer_counts (
        counterparty_guid uuid NOT NULL,
        branch_key        uuid NOT NULL,
        enabled           bigint NOT NULL DEFAULT 0,
        disabled          bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (counterparty_guid, branch_key)
      )`);
    await db.query(`
      CREATE TABLE processed_events (
        event_id      uuid PRIMARY KEY,
        customer_guid uuid NOT NULL,
        version       integer NOT NULL,
        processed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX processed_events_processed_at_idx ON processed_events (processed_at)`);
    await db.query(`
      CREATE TABLE projection_errors (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic       varchar(249) NOT NULL,
        partition   integer NOT NULL,
        "offset"    bigint NOT NULL,
        reason      varchar(500) NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT projection_errors_message_key UNIQUE (topic, partition, "offset")
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projection_errors');
    await db.query('DROP TABLE processed_events');
    await db.query('DROP TABLE customer_counts');
    await db.query('DROP TABLE account_view');
    await db.query('DROP TABLE customer_list_view');
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/** The write side (DESIGN §4): customers, their wallet accounts, the outbox, idempotency keys. */
export class WriteTables1764057600000 implements MigrationInterface {
  name = 'WriteTables1764057600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE customers (
        guid                 uuid PRIMARY KEY,
        counterparty_guid    uuid NOT NULL,
        login                varchar(255),
        name                 varchar(255),
        surname              varchar(255),
        paternal_name        varchar(255),
        phone_number         varchar(20),
        kyc_level            integer NOT NULL DEFAULT 0 CHECK (kyc_level >= 0),
        is_disabled          boolean NOT NULL DEFAULT false,
        balance_allowed      numeric(16,7) NOT NULL DEFAULT 0
                             CHECK (balance_allowed >= 0 AND balance_allowed <= 900000000),
        balance_asset_code   varchar(12),
        balance_asset_issuer varchar(56),
        branch_guid          uuid,
        segment              varchar(2) CHECK (segment IN ('PL', 'PI')),
        status               varchar(64),
        version              integer NOT NULL CHECK (version >= 1),
        created_at           timestamptz NOT NULL,
        updated_at           timestamptz NOT NULL,
        CONSTRAINT customers_balance_asset_pair CHECK ((balance_asset_code IS NULL) = (balance_asset_issuer IS NULL))
      )`);
    // Logins are unique per counterparty regardless of case; the database decides, not a pre-read.
    await db.query(`CREATE UNIQUE INDEX customers_counterparty_login_key ON customers (counterparty_guid, lower(login))`);
    await db.query(`
      CREATE TABLE wallet_accounts (
        guid              uuid PRIMARY KEY,
        customer_guid     uuid NOT NULL REFERENCES customers (guid),
        counterparty_guid uuid NOT NULL,
        iban              varchar(34),
        asset_code        varchar(12) NOT NULL,
        asset_issuer      varchar(56) NOT NULL,
        activated         boolean NOT NULL DEFAULT true,
        registered        boolean NOT NULL DEFAULT true,
        blocked           boolean NOT NULL DEFAULT false,
        type              varchar(16) NOT NULL DEFAULT 'customer',
        created_at        timestamptz NOT NULL,
        updated_at        timestamptz NOT NULL
      )`);
    await db.query(`CREATE UNIQUE INDEX wallet_accounts_counterparty_iban_key ON wallet_accounts (counterparty_guid, iban)`);
    await db.query(`CREATE INDEX wallet_accounts_customer_idx ON wallet_accounts (customer_guid)`);
    await db.query(`
      CREATE TABLE outbox (
        id            uuid PRIMARY KEY,
        seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        aggregatetype varchar(64) NOT NULL,
        aggregateid   varchar(64) NOT NULL,
        type          varchar(128) NOT NULL,
        payload       jsonb NOT NULL,
        headers       jsonb NOT NULL DEFAULT '{}',
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz
      )`);
    // The relay claims by "not yet published" (never by a high-water mark: sequences are taken
    // before commit, so a late-committing row would be skipped); this index keeps that cheap.
    await db.query(`CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL`);
    await db.query(`
      CREATE TABLE idempotency_keys (
        counterparty_guid uuid NOT NULL,
        key               varchar(255) NOT NULL,
        fingerprint       char(64) NOT NULL,
        response_status   integer NOT NULL,
        response_body     text NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now(),
        expires_at        timestamptz NOT NULL,
        PRIMARY KEY (counterparty_guid, key)
      )`);
    await db.query(`CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE idempotency_keys');
    await db.query('DROP TABLE outbox');
    await db.query('DROP TABLE wallet_accounts');
    await db.query('DROP TABLE customers');
  }
}

import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { queryRows } from '../query-rows';

/** At most this many guids are named in the migration's report line (the rest are counted). */
const REPORTED_GUIDS = 100;

/**
 * Text rules that no longer depend on the database's default locale (issue 12; docs/read-model.md
 * "Text: case and order"). Before this, `lower()` and ORDER BY used the database default: with
 * the C locale of the local stack `lower('ИВАН')` stayed 'ИВАН' (so "ИВАН" and "иван" were two
 * logins, and search missed them) and "Zoe" sorted before "ada"; another server would answer
 * otherwise. Now every rule names an ICU collation created here:
 *  - `unicode_ci` (root locale, strength 2: letters and accents count, case does not):
 *    uniqueness of a login per counterparty and the `logins` filter;
 *  - `unicode_sort` (root locale): the text orderings (login, name, surname) sort by letter;
 *  - `unicode_fold(text)`: NFKC, lower case by the ICU root locale, final sigma read as sigma
 *    and ß as ss — the form `search_text` and a search string are compared in.
 * ICU ships with every PostgreSQL this service meets (the official image, managed services,
 * the embedded binaries of `npm start`); a server without it stops this migration with a
 * message saying so.
 *
 * Logins the old rule let in twice (equal under the new rule) are not merged or dropped: each
 * later one keeps its login and is marked `login_duplicate_of` the first (they then stay out of
 * the unique index), and the migration reports them by customer guid. docs/read-model.md says
 * how an operator resolves them.
 */
export class UnicodeText1764748800000 implements MigrationInterface {
  name = 'UnicodeText1764748800000';

  async up(db: QueryRunner): Promise<void> {
    const [{ icu }] = await queryRows<{ icu: boolean }>(db, `SELECT count(*) > 0 AS icu FROM pg_collation WHERE collprovider = 'i'`);
    if (!icu) throw new Error('this PostgreSQL server was built without ICU; the customer service needs ICU collations (docs/read-model.md)');
    await db.query(`CREATE COLLATION unicode_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`);
    await db.query(`CREATE COLLATION unicode_sort (provider = icu, locale = 'und')`);
    await db.query(`
      CREATE FUNCTION unicode_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      RETURN replace(replace(lower(normalize(value, NFKC) COLLATE unicode_sort), 'ς', 'σ'), 'ß', 'ss')`);

    await this.reportAndMarkDuplicateLogins(db);
    await db.query(`DROP INDEX customers_counterparty_login_key`);
    await db.query(
      `CREATE UNIQUE INDEX customers_counterparty_login_key ON customers (counterparty_guid, (login COLLATE unicode_ci))
        WHERE login_duplicate_of IS NULL`,
    );

    // The read model: search_text is derived from the name columns, so it goes first and
    // comes back computed by the new rule (PostgreSQL 15 cannot change a generation expression).
    await db.query(`ALTER TABLE customer_list_view DROP COLUMN search_text`);
    await db.query(`DROP INDEX customer_list_view_login_ci_idx`);
    await db.query(`
      ALTER TABLE customer_list_view
        ALTER COLUMN login TYPE varchar(255) COLLATE unicode_sort,
        ALTER COLUMN name TYPE varchar(255) COLLATE unicode_sort,
        ALTER COLUMN surname TYPE varchar(255) COLLATE unicode_sort`);
    await db.query(`CREATE INDEX customer_list_view_login_ci_idx ON customer_list_view (counterparty_guid, (login COLLATE unicode_ci))`);
    await addSearchText(db, `unicode_fold(${SEARCHED})`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE customer_list_view DROP COLUMN search_text`);
    await db.query(`DROP INDEX customer_list_view_login_ci_idx`);
    await db.query(`
      ALTER TABLE customer_list_view
        ALTER COLUMN login TYPE varchar(255) COLLATE "default",
        ALTER COLUMN name TYPE varchar(255) COLLATE "default",
        ALTER COLUMN surname TYPE varchar(255) COLLATE "default"`);
    await db.query(`CREATE INDEX customer_list_view_login_ci_idx ON customer_list_view (counterparty_guid, lower(login))`);
    await addSearchText(db, `lower(${SEARCHED})`);
    await db.query(`DROP INDEX customers_counterparty_login_key`);
    // Fails, as it should, if logins that differ only in case were created in the meantime.
    await db.query(`CREATE UNIQUE INDEX customers_counterparty_login_key ON customers (counterparty_guid, lower(login))`);
    await db.query(`ALTER TABLE customers DROP COLUMN login_duplicate_of`);
    await db.query(`DROP FUNCTION unicode_fold(text)`);
    await db.query(`DROP COLLATION unicode_sort`);
    await db.query(`DROP COLLATION unicode_ci`);
  }

  private async reportAndMarkDuplicateLogins(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE customers ADD COLUMN login_duplicate_of uuid`);
    const { records: marked }: { records: { guid: string }[] } = await db.query(
      `
      WITH ranked AS (
        SELECT guid, first_value(guid) OVER same_login AS first, row_number() OVER same_login AS n
          FROM customers WHERE login IS NOT NULL
        WINDOW same_login AS (PARTITION BY counterparty_guid, login COLLATE unicode_ci ORDER BY created_at, guid))
      UPDATE customers c SET login_duplicate_of = r.first FROM ranked r WHERE c.guid = r.guid AND r.n > 1
      RETURNING c.guid`,
      undefined,
      true, // TypeORM's structured result: an UPDATE … RETURNING otherwise comes back as [rows, count]
    );
    if (marked.length === 0) return;
    // Guids only: logins are personal data.
    const named = marked.slice(0, REPORTED_GUIDS).map((row) => row.guid).join(', ');
    const more = marked.length > REPORTED_GUIDS ? ` and ${marked.length - REPORTED_GUIDS} more` : '';
    new Logger(this.name).warn(
      `${marked.length} customers have a login equal, ignoring case, to an older customer's of the same counterparty; ` +
        `they keep it and are marked in customers.login_duplicate_of (docs/read-model.md, "Logins that were duplicates"): ${named}${more}`,
    );
  }
}

/** The fields search_string matches; chr(31) cannot occur in them, so no match spans two fields. */
const SEARCHED = `coalesce(login, '') || chr(31) || coalesce(name, '') || chr(31) || coalesce(surname, '') || chr(31) || coalesce(paternal_name, '')`;

async function addSearchText(db: QueryRunner, expression: string): Promise<void> {
  await db.query(`ALTER TABLE customer_list_view ADD COLUMN search_text text GENERATED ALWAYS AS (${expression}) STORED`);
  await db.query(`CREATE INDEX customer_list_view_search_idx ON customer_list_view USING gin (counterparty_guid, search_text gin_trgm_ops)`);
}

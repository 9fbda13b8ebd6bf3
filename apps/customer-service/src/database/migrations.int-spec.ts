import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createScratchDatabase } from '@test/support/scratch-database';
import { loadDatabaseConfig } from '../config/app-config';
import { MIGRATIONS } from './migration-list';
import { UnicodeText1764748800000 } from './migrations/1764748800000-unicode-text';
import { SearchCovering1765180800000 } from './migrations/1765180800000-search-covering';
import { queryRows } from './query-rows';
import { runMigrationsLocked } from './run-migrations';
import { typeOrmOptions } from './typeorm-options';

describe('migrations on real PostgreSQL', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = await new DataSource(typeOrmOptions(loadDatabaseConfig(process.env))).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('applies every migration once, even when several instances start together', async () => {
    await Promise.all([runMigrationsLocked(dataSource), runMigrationsLocked(dataSource), runMigrationsLocked(dataSource)]);
    const applied = await dataSource.query<{ name: string }[]>('SELECT name FROM schema_migrations ORDER BY id');
    expect(applied.map((row) => row.name)).toEqual(dataSource.migrations.map((m) => m.name));
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('vacuums the read model early, so list orderings stay index-only scans', async () => {
    await runMigrationsLocked(dataSource);
    const [{ reloptions }] = await dataSource.query<{ reloptions: string[] | null }[]>(`SELECT reloptions FROM pg_class WHERE oid = 'customer_list_view'::regclass`);
    expect(reloptions).toEqual(expect.arrayContaining(['autovacuum_vacuum_insert_scale_factor=0.002', 'autovacuum_vacuum_scale_factor=0.01']));
  });

  it('builds the search-covering created_at index concurrently while other instances wait for the lock', async () => {
    // A database one migration behind, then three instances starting together: the one that
    // wins builds the index CONCURRENTLY, which waits for every older snapshot to end. The
    // others must not hold one while they wait (they would wait for each other forever).
    const before = MIGRATIONS.filter((migration) => migration !== SearchCovering1765180800000);
    const scratch = await createScratchDatabase('search_covering', { migrations: before });
    const instances = await Promise.all([1, 2, 3].map(() => new DataSource(typeOrmOptions(loadDatabaseConfig({ DATABASE_URL: scratch.url }))).initialize()));
    try {
      const [db] = instances;
      await db.query(
        `INSERT INTO customer_list_view (customer_guid, counterparty_guid, login, name, surname, kyc_level, is_disabled, balance_allowed,
           accounts_total, version, created_at, updated_at)
         SELECT gen_random_uuid(), $1, 'user' || i || '@bank.example', 'Ἀλέξανδρος', 'Łukasiewicz', 1, false, 0, 1, 1, now(), now()
           FROM generate_series(1, 500) AS i`,
        [randomUUID()],
      );
      const applied = await Promise.all(instances.map((instance) => runMigrationsLocked(instance)));
      expect(applied.flat()).toEqual(['SearchCovering1765180800000']);
      expect(await createdAtIndexes(db)).toEqual([
        ['customer_list_view_created_at_idx', true, '(counterparty_guid, created_at, customer_guid) INCLUDE (is_disabled, branch_guid, writer_xid, search_text)'],
      ]);
    } finally {
      await Promise.all(instances.map((instance) => instance.destroy()));
      await scratch.drop();
    }
  });

  it('completes a search-covering swap that stopped half-way, and reverts it', async () => {
    const scratch = await createScratchDatabase('search_covering_rerun');
    const db = await new DataSource(typeOrmOptions(loadDatabaseConfig({ DATABASE_URL: scratch.url }))).initialize();
    const runner = db.createQueryRunner();
    try {
      const migration = new SearchCovering1765180800000();
      await migration.down(runner);
      expect(await createdAtIndexes(db)).toEqual([
        ['customer_list_view_created_at_idx', true, '(counterparty_guid, created_at, customer_guid) INCLUDE (is_disabled, branch_guid, writer_xid)'],
      ]);
      // What a stop during the build leaves: the new index under its building name, beside the old one.
      await db.query(`CREATE INDEX customer_list_view_created_at_search_idx ON customer_list_view (counterparty_guid)`);
      await migration.up(runner);
      expect(await createdAtIndexes(db)).toEqual([
        ['customer_list_view_created_at_idx', true, '(counterparty_guid, created_at, customer_guid) INCLUDE (is_disabled, branch_guid, writer_xid, search_text)'],
      ]);
      // The connection goes back to the pool with the pool's statement timeout, not the build's none.
      expect(await queryRows(runner, `SELECT current_setting('statement_timeout') AS value`)).toEqual([{ value: '10s' }]);
    } finally {
      await runner.release();
      await db.destroy();
      await scratch.drop();
    }
  });

  it('round-trips a customer row, money exact', async () => {
    const guid = randomUUID();
    const now = new Date('2026-11-25T10:00:00.123Z');
    await dataSource.query(
      `INSERT INTO customers (guid, counterparty_guid, login, balance_allowed, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 1, $5, $5)`,
      [guid, randomUUID(), 'round-trip', '899999999.9999999', now],
    );
    const [row] = await dataSource.query<Record<string, unknown>[]>(
      'SELECT login, balance_allowed::text AS balance_allowed, kyc_level, is_disabled, created_at FROM customers WHERE guid = $1',
      [guid],
    );
    expect(row).toEqual({ login: 'round-trip', balance_allowed: '899999999.9999999', kyc_level: 0, is_disabled: false, created_at: now });
  });

  it('enforces the schema rules the handlers rely on', async () => {
    const counterparty = randomUUID();
    const insert = (login: string) =>
      dataSource.query(
        `INSERT INTO customers (guid, counterparty_guid, login, version, created_at, updated_at) VALUES ($1, $2, $3, 1, now(), now())`,
        [randomUUID(), counterparty, login],
      );
    await insert('Case@Login');
    await expect(insert('case@login')).rejects.toMatchObject({ driverError: { constraint: 'customers_counterparty_login_key' } });
    await insert('Иван');
    await expect(insert('ИВАН')).rejects.toMatchObject({ driverError: { constraint: 'customers_counterparty_login_key' } });
    await expect(
      dataSource.query(
        `INSERT INTO customers (guid, counterparty_guid, balance_asset_code, version, created_at, updated_at) VALUES ($1, $2, 'EURC', 1, now(), now())`,
        [randomUUID(), counterparty],
      ),
    ).rejects.toMatchObject({ driverError: { constraint: 'customers_balance_asset_pair' } });
  });

  it('reports and marks, without merging or dropping, the logins the old ASCII-only rule let in twice', async () => {
    // A C-locale database, as the local stack's: its lower() folds ASCII only.
    const before = MIGRATIONS.filter((migration) => migration !== UnicodeText1764748800000);
    const scratch = await createScratchDatabase('unicode_migration', { locale: { locale: 'C' }, migrations: before });
    const db = await new DataSource(typeOrmOptions(loadDatabaseConfig({ DATABASE_URL: scratch.url }))).initialize();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const counterparty = randomUUID();
      const insert = async (login: string, createdAt: string) => {
        const guid = randomUUID();
        await db.query(`INSERT INTO customers (guid, counterparty_guid, login, version, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)`, [
          guid, counterparty, login, createdAt,
        ]);
        return guid;
      };
      const ivan = await insert('Иван', '2026-01-01T00:00:00Z');
      const ivanUpper = await insert('ИВАН', '2026-01-02T00:00:00Z');
      const ivanLower = await insert('иван', '2026-01-03T00:00:00Z');
      const ilgin = await insert('ılgın', '2026-01-01T00:00:00Z'); // dotless ı: another letter, not a duplicate of ilgin
      const ilginDotted = await insert('ilgin', '2026-01-02T00:00:00Z');

      await runMigrationsLocked(db);

      const rows: { guid: string; login: string; login_duplicate_of: string | null }[] = await db.query(
        `SELECT guid, login, login_duplicate_of FROM customers WHERE counterparty_guid = $1`,
        [counterparty],
      );
      const duplicateOf = Object.fromEntries(rows.map((row) => [row.guid, row.login_duplicate_of]));
      expect(duplicateOf).toEqual({ [ivan]: null, [ivanUpper]: ivan, [ivanLower]: ivan, [ilgin]: null, [ilginDotted]: null });
      expect(rows.map((row) => row.login).sort()).toEqual(['ilgin', 'ılgın', 'Иван', 'ИВАН', 'иван'].sort()); // nothing changed or dropped
      const report = warn.mock.calls.map(([message]) => String(message)).find((message) => message.includes('login_duplicate_of'));
      expect(report).toContain(`2 customers`);
      expect(report).toContain(ivanUpper);
      expect(report).toContain(ivanLower);
      expect(report).not.toContain('ИВАН'); // guids only, never logins
      await expect(insert('иВаН', '2026-01-04T00:00:00Z')).rejects.toMatchObject({ driverError: { constraint: 'customers_counterparty_login_key' } });
    } finally {
      warn.mockRestore();
      await db.destroy();
      await scratch.drop();
    }
  });
});

/** The created_at ordering index of customer_list_view, and any half-built one beside it: name, valid, columns. */
async function createdAtIndexes(db: DataSource): Promise<[string, boolean, string][]> {
  const rows = await queryRows<{ name: string; valid: boolean; definition: string }>(
    db,
    `SELECT c.relname AS name, i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'customer_list_view'::regclass AND c.relname LIKE 'customer_list_view_created_at%' ORDER BY c.relname`,
  );
  return rows.map((row) => [row.name, row.valid, row.definition.replace(/^.* USING btree /, '')]);
}

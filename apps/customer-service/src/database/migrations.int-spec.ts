import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createScratchDatabase } from '../../../../test/support/scratch-database';
import { loadDatabaseConfig } from '../config/app-config';
import { MIGRATIONS } from './migration-list';
import { UnicodeText1764748800000 } from './migrations/1764748800000-unicode-text';
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

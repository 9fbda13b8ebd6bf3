import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../config/app-config';
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
    const applied = await dataSource.query('SELECT name FROM schema_migrations ORDER BY id');
    expect(applied.map((row: { name: string }) => row.name)).toEqual(dataSource.migrations.map((m) => m.name));
    expect(await dataSource.showMigrations()).toBe(false);
  });

  it('vacuums the read model early, so list orderings stay index-only scans', async () => {
    await runMigrationsLocked(dataSource);
    const [{ reloptions }] = await dataSource.query(`SELECT reloptions FROM pg_class WHERE oid = 'customer_list_view'::regclass`);
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
    const [row] = await dataSource.query(
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
    await expect(
      dataSource.query(
        `INSERT INTO customers (guid, counterparty_guid, balance_asset_code, version, created_at, updated_at) VALUES ($1, $2, 'EURC', 1, now(), now())`,
        [randomUUID(), counterparty],
      ),
    ).rejects.toMatchObject({ driverError: { constraint: 'customers_balance_asset_pair' } });
  });
});

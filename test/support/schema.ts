import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from '../../apps/customer-service/src/config/app-config';
import { runMigrationsLocked } from '../../apps/customer-service/src/database/run-migrations';
import { typeOrmOptions } from '../../apps/customer-service/src/database/typeorm-options';

/** A data source on the run's database with every migration applied (for tests that write rows before any app starts). */
export async function migratedDataSource(): Promise<DataSource> {
  const dataSource = await new DataSource(typeOrmOptions(loadDatabaseConfig(process.env), 'tests')).initialize();
  await runMigrationsLocked(dataSource);
  return dataSource;
}

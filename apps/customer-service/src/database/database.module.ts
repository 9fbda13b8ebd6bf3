import { DynamicModule, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { runMigrationsLocked } from './run-migrations';
import { PoolOptions, typeOrmOptions } from './typeorm-options';

/** Brings the schema up to date before any role starts (roles start on application bootstrap). */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger(MigrationRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.database.migrationsRun) return;
    const applied = await runMigrationsLocked(this.dataSource);
    if (applied.length > 0) this.logger.log(`applied migrations: ${applied.join(', ')}`);
  }
}

/** The read side's pool (lists and GETs), apart from the commands': inject with @InjectDataSource(QUERIES_DATA_SOURCE). */
export const QUERIES_DATA_SOURCE = 'queries';
/** The projector's pool: one connection per partition it applies at once, plus one. */
export const PROJECTOR_DATA_SOURCE = 'projector';

/**
 * One pool per kind of work (bulkheads, docs/security.md): commands and migrations in the
 * default DataSource, the read side's queries in their own with a shorter statement timeout,
 * the projector in its own. Each exists only in a process whose roles use it; a pool opens
 * connections on demand, so its size is a ceiling, not a cost.
 */
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { database } = config;
    const pool = (name: string | undefined, applicationName: string, options: PoolOptions) =>
      TypeOrmModule.forRootAsync({
        ...(name ? { name } : {}),
        useFactory: () => ({ ...typeOrmOptions(database, applicationName, options), ...(name ? { name } : {}), retryAttempts: 3, retryDelay: 2000 }),
      });
    return {
      module: DatabaseModule,
      imports: [
        // Commands need their pool; other processes only run migrations on it.
        pool(undefined, 'customer-service', { max: config.hasRole('api') ? database.pools.commands : 2, statementTimeoutMs: database.statementTimeoutMs }),
        ...(config.hasRole('api') ? [pool(QUERIES_DATA_SOURCE, 'customer-service-queries', { max: database.pools.queries, statementTimeoutMs: database.queryTimeoutMs })] : []),
        ...(config.hasRole('projector')
          ? [pool(PROJECTOR_DATA_SOURCE, 'customer-service-projector', { max: config.projector.concurrency + 1, statementTimeoutMs: database.statementTimeoutMs })]
          : []),
      ],
      providers: [MigrationRunner],
    };
  }
}

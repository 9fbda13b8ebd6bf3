import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig, processEnvironment } from '../config/app-config';
import { typeOrmOptions } from './typeorm-options';

/** The data source of the TypeORM CLI (`npm run migration:run`, `npm run migration:generate`). */
export default new DataSource(typeOrmOptions(loadDatabaseConfig(processEnvironment()), 'customer-service-cli'));

import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';

/**
 * The one description of the database connection, shared by the application
 * (TypeOrmModule, with entities auto-loaded from the feature modules) and the
 * migration CLI (`npm run migration:run`). Migrations are the schema's only
 * author: `synchronize` is off everywhere.
 */
export function dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    applicationName: 'wtt',
    extra: { max: 20, connectionTimeoutMillis: 5000 },
    ...extra,
  } as DataSourceOptions;
}

/** Default export for the TypeORM CLI (`typeorm -d dist/src/database/data-source.js`). */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/wtt'));

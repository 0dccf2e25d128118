import 'reflect-metadata';
import { DataSource, DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';
import { boundedPg, PoolLimits } from './bounded-pool';

/** The defaults of DB_POOL_SIZE, DB_POOL_WAIT_MS and DB_RETRY_AFTER_SECONDS (AppConfig). */
export const DEFAULT_POOL: PoolLimits = { max: 20, waitMs: 2000, retryAfterSeconds: 2 };

/**
 * The one description of the database connection, shared by the application
 * (TypeOrmModule, with entities auto-loaded from the feature modules) and the
 * migration CLI (`npm run migration:run`). Migrations are the schema's only
 * author: `synchronize` is off everywhere.
 */
export function dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}, pool: PoolLimits = DEFAULT_POOL): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    applicationName: 'wtt',
    // A request waits at most pool.waitMs for a connection, then gets 503 with Retry-After (bounded-pool.ts).
    driver: boundedPg(pool),
    extra: { max: pool.max, connectionTimeoutMillis: pool.waitMs },
    ...extra,
  } as DataSourceOptions;
}

/** Default export for the TypeORM CLI (`typeorm -d dist/src/database/data-source.js`). */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/wtt'));

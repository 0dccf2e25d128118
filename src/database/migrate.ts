import { DataSource } from 'typeorm';
import { loadConfigOrExit } from '../config/app-config';
import { dataSourceOptions } from './data-source';

/** Apply pending migrations (each in its own transaction). Used by `make up` and the Dockerfile. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  const config = loadConfigOrExit();
  runMigrations(config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL)
    .then((names) => {
      console.warn(names.length ? `applied migrations: ${names.join(', ')}` : 'no pending migrations');
    })
    .catch((err: unknown) => {
      console.error(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}

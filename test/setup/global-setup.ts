import { Client } from 'pg';
import { runMigrations } from '../../src/database/migrate';
import { RunningPostgres, RunningRedis, startPostgres, startRedis } from '../support/servers';
import { createDatabaseRoles, roleUrl, TEST_ROLES } from '../support/test-db';

export const TEMPLATE_DB = 'wtt_test_template';

declare global {
  var __WTT_SERVERS__: { pg?: RunningPostgres; redis?: RunningRedis } | undefined;
}

/**
 * Integration tests run on real servers: TEST_DATABASE_URL / TEST_REDIS_URL when
 * given, otherwise throwaway ones started here. The migrated schema is built once
 * as a template database; each test file clones it (test/support/test-db.ts).
 */
export default async function globalSetup(): Promise<void> {
  const servers: NonNullable<typeof globalThis.__WTT_SERVERS__> = {};
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    servers.pg = await startPostgres();
    adminUrl = servers.pg.url;
  }
  let redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    servers.redis = await startRedis();
    redisUrl = servers.redis.url;
  }
  globalThis.__WTT_SERVERS__ = servers;

  // Least privilege, as in production: migrations run as the owner role, the app as a runtime role.
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await createDatabaseRoles(admin);
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB} OWNER ${TEST_ROLES.owner.name}`);
  await admin.end();
  const templateUrl = roleUrl(adminUrl, TEST_ROLES.owner);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  await runMigrations(templateUrl.toString());

  process.env.WTT_TEST_PG_ADMIN_URL = adminUrl;
  process.env.WTT_TEST_REDIS_URL = redisUrl;
  process.env.WTT_TEST_TEMPLATE_DB = TEMPLATE_DB;
}

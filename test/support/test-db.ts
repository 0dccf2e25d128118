import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  /** The app's runtime credentials (owns nothing; SELECT and INSERT only on the audit log). */
  url: string;
  /** The superuser, for test setup and assertions in raw SQL. */
  adminUrl: string;
  /** The owner role that ran the migrations. */
  ownerUrl: string;
  name: string;
  drop(): Promise<void>;
}

/** The two login roles, as scripts/up.sh and the README set them up (wtt_runtime is the group holding the grants). */
export const TEST_ROLES = {
  owner: { name: 'wtt_test_owner', password: 'wtt_test_owner' },
  app: { name: 'wtt_test_app', password: 'wtt_test_app' },
} as const;

export function roleUrl(base: string, role: { name: string; password: string }): URL {
  const url = new URL(base);
  url.username = role.name;
  url.password = role.password;
  return url;
}

/** Create wtt_runtime (NOLOGIN group), the owner and the app login roles, if missing. Needs a superuser. */
export async function createDatabaseRoles(admin: Client): Promise<void> {
  const { owner, app } = TEST_ROLES;
  await admin.query(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wtt_runtime') THEN CREATE ROLE wtt_runtime NOLOGIN; END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${owner.name}') THEN CREATE ROLE ${owner.name} LOGIN PASSWORD '${owner.password}'; END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${app.name}') THEN
        CREATE ROLE ${app.name} LOGIN PASSWORD '${app.password}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS IN ROLE wtt_runtime;
      END IF;
    END $$`);
}

function adminUrl(): string {
  const url = process.env.WTT_TEST_PG_ADMIN_URL;
  if (!url) throw new Error('integration tests need the global setup (jest --selectProjects integration)');
  return url;
}

/** A fresh database for one test file, cloned from the migrated template (fast: a file copy). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `wtt_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${process.env.WTT_TEST_TEMPLATE_DB} OWNER ${TEST_ROLES.owner.name}`);
  } finally {
    await admin.end();
  }
  const at = (u: URL) => {
    u.pathname = `/${name}`;
    return u.toString();
  };
  return {
    url: at(roleUrl(adminUrl(), TEST_ROLES.app)),
    adminUrl: at(new URL(adminUrl())),
    ownerUrl: at(roleUrl(adminUrl(), TEST_ROLES.owner)),
    name,
    drop: async () => {
      const c = new Client({ connectionString: adminUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

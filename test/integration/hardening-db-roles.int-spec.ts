import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { startTestApp, TestContext } from '../support/test-app';
import { TEST_ROLES } from '../support/test-db';

/**
 * Issue 17: the audit trail was append-only only against honest callers, because the app's role
 * was a superuser owning audit_log. Now the app connects as a role that owns nothing.
 */
describe('hardening: the app database role cannot rewrite the audit trail', () => {
  let ctx: TestContext;
  let app: Client;

  beforeAll(async () => {
    ctx = await startTestApp();
    app = new Client({ connectionString: ctx.db.url }); // the app's runtime credentials
    await app.connect();
    await ctx.sql.query(`INSERT INTO audit_log (actor_label, action, entity_type) VALUES ('test', 'test.row', 'test')`);
  });
  afterAll(async () => {
    await app?.end();
    await ctx?.close();
  });

  const refused = async (sql: string) => {
    await app.query('BEGIN');
    try {
      await expect(app.query(sql)).rejects.toMatchObject({ code: expect.stringMatching(/^(42501|P0001)$/) });
    } finally {
      await app.query('ROLLBACK');
    }
  };

  it('the API connects as the runtime role, which is no superuser and owns nothing', async () => {
    const [me] = await ctx.app.get(DataSource).query(`SELECT current_user AS name, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls
      FROM pg_roles r WHERE r.rolname = current_user`);
    expect(me).toEqual({ name: TEST_ROLES.app.name, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
    const owned = await app.query(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'USAGE')`);
    expect(owned.rows[0].n).toBe(0);
  });

  it('refuses the three audit-bypass routes: session_replication_role, disabling or dropping triggers, and UPDATE/DELETE/TRUNCATE', async () => {
    await refused(`SET session_replication_role = replica`);
    await refused(`ALTER TABLE audit_log DISABLE TRIGGER ALL`);
    await refused(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`);
    await refused(`DROP TRIGGER audit_log_no_truncate ON audit_log`);
    await refused(`TRUNCATE audit_log`);
    await refused(`UPDATE audit_log SET action = 'rewritten'`);
    await refused(`DELETE FROM audit_log`);
    await refused(`DROP TABLE audit_log`);
    await refused(`ALTER TABLE posts ADD COLUMN x int`);
    await refused(`CREATE TABLE sneaky (id int)`);
    await refused(`INSERT INTO schema_migrations (timestamp, name) VALUES (1, 'x')`);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.row'`)).rows[0].n).toBe(1);
  });

  it('may still append to and read the audit log, and read and write feature tables', async () => {
    await app.query(`INSERT INTO audit_log (actor_label, action, entity_type) VALUES ('app', 'test.append', 'test')`);
    expect((await app.query(`SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'test.%'`)).rows[0].n).toBe(2);
    await app.query('BEGIN');
    await app.query(`INSERT INTO smoke_jobs (status) VALUES ('queued')`);
    await app.query(`UPDATE smoke_jobs SET message = 'x'`);
    await app.query(`DELETE FROM smoke_jobs`);
    await app.query('ROLLBACK');
  });
});

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Least privilege: the API and the worker connect as a login role that is a member of
 * `wtt_runtime` and owns nothing. Migrations run as the owner role, which owns every table,
 * trigger and function, so only it can ALTER, DROP or DISABLE TRIGGER; session_replication_role
 * needs a superuser. The runtime may read and write the feature tables, and only SELECT and
 * INSERT the audit log (no UPDATE, DELETE or TRUNCATE, besides the append-only triggers).
 * Tables later migrations create get the same grants (ALTER DEFAULT PRIVILEGES, for the
 * role running migrations); the audit log is the one exception and stays as set here.
 *
 * The group role is created here when the migrating role may (CREATEROLE); on a managed
 * PostgreSQL create it first (README, "Database roles").
 */
export class GrantRuntimeRole1764100000000 implements MigrationInterface {
  name = 'GrantRuntimeRole1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wtt_runtime') THEN
          CREATE ROLE wtt_runtime NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        END IF;
      END $$`);
    await q.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await q.query(`GRANT USAGE ON SCHEMA public TO wtt_runtime`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO wtt_runtime`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO wtt_runtime`);
    await q.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO wtt_runtime`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO wtt_runtime`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO wtt_runtime`);
    // The audit log: append and read, nothing else.
    await q.query(`REVOKE ALL ON audit_log FROM wtt_runtime`);
    await q.query(`GRANT SELECT, INSERT ON audit_log TO wtt_runtime`);
    // The migrations ledger is the owner's.
    await q.query(`REVOKE ALL ON schema_migrations FROM wtt_runtime`);
    await q.query(`GRANT SELECT ON schema_migrations TO wtt_runtime`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM wtt_runtime`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM wtt_runtime`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM wtt_runtime`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM wtt_runtime`);
    await q.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM wtt_runtime`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM wtt_runtime`);
  }
}

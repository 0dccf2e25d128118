import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentityAndAudit1763800100000 implements MigrationInterface {
  name = 'CreateIdentityAndAudit1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\\s]+@[^@\\s]+$'),
        display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('admin', 'hr_officer', 'manager', 'tu_rep')),
        password_hash text,
        is_active boolean NOT NULL DEFAULT true,
        is_demo boolean NOT NULL DEFAULT false,
        token_version integer NOT NULL DEFAULT 0,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz,
        CONSTRAINT users_email_key UNIQUE (email),
        CHECK (is_active = (deactivated_at IS NULL))
      )`);

    // Managers: (programme, thematic area). Trade union reps: (programme, NULL).
    // Foreign keys to programmes and thematic areas are added by the establishment migration.
    await q.query(`
      CREATE TABLE user_scopes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        programme_id uuid NOT NULL,
        thematic_area_id uuid,
        CONSTRAINT user_scopes_unique UNIQUE NULLS NOT DISTINCT (user_id, programme_id, thematic_area_id)
      )`);
    await q.query(`CREATE INDEX user_scopes_user_idx ON user_scopes (user_id)`);

    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        token_prefix text NOT NULL,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_tokens_hash_key UNIQUE (token_hash),
        CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id uuid REFERENCES users(id),
        actor_label text NOT NULL,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        changes jsonb,
        metadata jsonb,
        request_id text,
        ip text
      )`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, id DESC)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC)`);
    await q.query(`CREATE INDEX audit_log_time_idx ON audit_log (occurred_at, id)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE api_tokens`);
    await q.query(`DROP TABLE user_scopes`);
    await q.query(`DROP TABLE users`);
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change of a user or of their scopes notifies `wtt_identity` with the user's id, in the
 * same transaction (PostgreSQL delivers it at commit). Each API process LISTENs and drops that
 * user from its identity cache (src/users/identity-cache.ts), so a deactivation, a role or scope
 * change or a password change made anywhere (another instance, the seed, psql) reaches every
 * process's next request. A statement touching many rows notifies once per user; TRUNCATE
 * notifies without a payload, which empties the caches.
 */
export class NotifyIdentityChanges1764660000000 implements MigrationInterface {
  name = 'NotifyIdentityChanges1764660000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_identity_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          PERFORM pg_notify('wtt_identity', '');
        ELSIF TG_TABLE_NAME = 'users' THEN
          PERFORM pg_notify('wtt_identity', OLD.id::text);
        ELSIF TG_OP = 'INSERT' THEN
          PERFORM pg_notify('wtt_identity', NEW.user_id::text);
        ELSE
          PERFORM pg_notify('wtt_identity', OLD.user_id::text);
          IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
            PERFORM pg_notify('wtt_identity', NEW.user_id::text);
          END IF;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER users_notify_identity AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION notify_identity_change()`);
    await q.query(`CREATE TRIGGER users_notify_identity_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION notify_identity_change()`);
    await q.query(`CREATE TRIGGER user_scopes_notify_identity AFTER INSERT OR UPDATE OR DELETE ON user_scopes FOR EACH ROW EXECUTE FUNCTION notify_identity_change()`);
    await q.query(`CREATE TRIGGER user_scopes_notify_identity_truncate AFTER TRUNCATE ON user_scopes FOR EACH STATEMENT EXECUTE FUNCTION notify_identity_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER user_scopes_notify_identity_truncate ON user_scopes`);
    await q.query(`DROP TRIGGER user_scopes_notify_identity ON user_scopes`);
    await q.query(`DROP TRIGGER users_notify_identity_truncate ON users`);
    await q.query(`DROP TRIGGER users_notify_identity ON users`);
    await q.query(`DROP FUNCTION notify_identity_change()`);
  }
}

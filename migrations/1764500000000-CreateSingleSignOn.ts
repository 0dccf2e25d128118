import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single sign-on (OpenID Connect), password resets and the sign-in settings.
 *
 * - user_identities: an account linked to a provider's subject (one subject per provider and account;
 *   a subject links one account). A user is first matched by verified email, then by this link.
 * - account_requests: someone a self-provisioning provider vouched for who has no account yet
 *   ("no role yet" until an admin creates the account with a role).
 * - password_resets: single-use, short-lived; only the SHA-256 of the secret is stored, set by the
 *   worker that sends the email (the secret itself is never written anywhere).
 * - sign_in_settings: one row; whether local passwords may be used.
 */
export class CreateSingleSignOn1764500000000 implements MigrationInterface {
  name = 'CreateSingleSignOn1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        provider_id text NOT NULL CHECK (provider_id ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
        subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT user_identities_subject_key UNIQUE (provider_id, subject),
        CONSTRAINT user_identities_user_provider_key UNIQUE (user_id, provider_id)
      )`);
    await q.query(`
      CREATE TABLE account_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id text NOT NULL,
        subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
        email text NOT NULL CHECK (email = lower(email)),
        display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT account_requests_subject_key UNIQUE (provider_id, subject)
      )`);
    await q.query(`
      CREATE TABLE password_resets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT password_resets_hash_key UNIQUE (token_hash),
        CHECK (expires_at > created_at),
        CHECK (used_at IS NULL OR token_hash IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE sign_in_settings (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        local_passwords_enabled boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES users(id) ON DELETE SET NULL
      )`);
    await q.query(`INSERT INTO sign_in_settings (id) VALUES (1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sign_in_settings`);
    await q.query(`DROP TABLE password_resets`);
    await q.query(`DROP TABLE account_requests`);
    await q.query(`DROP TABLE user_identities`);
  }
}

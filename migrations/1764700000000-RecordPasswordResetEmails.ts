import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A password reset's email is recorded like any other delivery: its attempts, when the mail server
 * took it, and, when it could not be sent (refused for good, or out of attempts), when and why, so an
 * admin can see on the sign-in settings page (and GET /api/v1/admin/password-reset-emails) that a
 * person's reset email never left, rather than only the worker's log knowing.
 */
export class RecordPasswordResetEmails1764700000000 implements MigrationInterface {
  name = 'RecordPasswordResetEmails1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE password_resets
        ADD COLUMN email_attempts integer NOT NULL DEFAULT 0 CHECK (email_attempts >= 0),
        ADD COLUMN email_sent_at timestamptz,
        ADD COLUMN email_failed_at timestamptz,
        ADD COLUMN email_last_error text CHECK (char_length(email_last_error) <= 2000),
        ADD CONSTRAINT password_resets_email_outcome CHECK (email_sent_at IS NULL OR email_failed_at IS NULL),
        ADD CONSTRAINT password_resets_email_failed_has_error CHECK (email_failed_at IS NULL OR email_last_error IS NOT NULL)`);
    await q.query(`CREATE INDEX password_resets_email_failed_idx ON password_resets (email_failed_at DESC) WHERE email_failed_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX password_resets_email_failed_idx`);
    await q.query(`
      ALTER TABLE password_resets
        DROP CONSTRAINT password_resets_email_failed_has_error, DROP CONSTRAINT password_resets_email_outcome,
        DROP COLUMN email_last_error, DROP COLUMN email_failed_at, DROP COLUMN email_sent_at, DROP COLUMN email_attempts`);
  }
}

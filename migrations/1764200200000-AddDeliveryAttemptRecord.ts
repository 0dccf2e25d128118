import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a delivery knows about its own attempts (issue 18):
 * - attempt_started_at: set just before the channel is called (the mail server or webhook
 *   receiver is about to be asked), cleared when the outcome is recorded. A job that finds it
 *   still set, older than the send lease, knows an earlier attempt died between the receiver's
 *   answer and the record: the receiver may already hold the message;
 * - possibly_delivered: how many attempts ended that way (each resend keeps the same Message-ID /
 *   X-Delivery-Id, so a receiver can drop the copy); possibly_delivered_at: the last of them.
 */
export class AddDeliveryAttemptRecord1764200200000 implements MigrationInterface {
  name = 'AddDeliveryAttemptRecord1764200200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE notifications
        ADD COLUMN attempt_started_at timestamptz,
        ADD COLUMN possibly_delivered integer NOT NULL DEFAULT 0 CONSTRAINT notifications_possibly_delivered_check CHECK (possibly_delivered >= 0),
        ADD COLUMN possibly_delivered_at timestamptz,
        ADD CONSTRAINT notifications_possibly_delivered_at_check CHECK ((possibly_delivered = 0) = (possibly_delivered_at IS NULL))`);
    await q.query(`CREATE INDEX notifications_possibly_delivered_idx ON notifications (seq) WHERE possibly_delivered > 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notifications_possibly_delivered_idx`);
    await q.query(`
      ALTER TABLE notifications DROP CONSTRAINT notifications_possibly_delivered_at_check,
        DROP COLUMN possibly_delivered_at, DROP COLUMN possibly_delivered, DROP COLUMN attempt_started_at`);
  }
}

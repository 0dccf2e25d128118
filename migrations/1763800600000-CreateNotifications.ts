import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications: what the outbox relay makes of each domain event.
 *
 * - webhook_subscriptions: integrations (Teams, anything that takes a signed JSON POST) an admin
 *   registers; each gets the events of its types (none listed = all) for one programme or all.
 * - notifications: one row per event x recipient x channel. The unique key makes each delivery
 *   happen once whatever the retries: the relay inserts with ON CONFLICT DO NOTHING and a
 *   delivery marks its row sent with a conditional UPDATE (status <> 'sent'). The rendered
 *   subject and bodies are kept, so what was sent is what the row says.
 * - notification_feed: the in-app feed, one item per in-app notification (unique), read or not.
 */
export class CreateNotifications1763800600000 implements MigrationInterface {
  name = 'CreateNotifications1763800600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        url text NOT NULL CHECK (url ~ '^https?://[^\\s/?#]+[^\\s]*$' AND char_length(url) <= 2000),
        secret text NOT NULL CHECK (char_length(secret) >= 32),
        event_types text[] NOT NULL DEFAULT '{}' CHECK (array_position(event_types, NULL) IS NULL AND cardinality(event_types) <= 50),
        programme_id uuid REFERENCES programmes(id) ON DELETE CASCADE,
        is_active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_subscriptions_name_key UNIQUE (name)
      )`);

    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        event_id uuid NOT NULL REFERENCES domain_events(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        event_occurred_at timestamptz NOT NULL,
        programme_id uuid REFERENCES programmes(id) ON DELETE CASCADE,
        recipient_key text NOT NULL CHECK (recipient_key ~ '^(user|email|webhook):'),
        channel text NOT NULL CHECK (channel IN ('email', 'webhook', 'in_app')),
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        webhook_subscription_id uuid REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
        address text CHECK (char_length(address) <= 2000),
        subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 300),
        body_text text NOT NULL,
        body_html text,
        payload jsonb,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'queued', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error text CHECK (char_length(last_error) <= 2000),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        queued_at timestamptz,
        sent_at timestamptz,
        failed_at timestamptz,
        CONSTRAINT notifications_delivery_key UNIQUE (event_id, recipient_key, channel),
        CONSTRAINT notifications_seq_key UNIQUE (seq),
        CONSTRAINT notifications_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
        CONSTRAINT notifications_failed CHECK ((status = 'failed') = (failed_at IS NOT NULL)),
        CONSTRAINT notifications_failed_has_error CHECK (status <> 'failed' OR last_error IS NOT NULL),
        CONSTRAINT notifications_email_address CHECK (channel <> 'email' OR address IS NOT NULL),
        CONSTRAINT notifications_in_app_user CHECK (channel <> 'in_app' OR user_id IS NOT NULL),
        CONSTRAINT notifications_webhook_subscription CHECK ((channel = 'webhook') = (webhook_subscription_id IS NOT NULL AND payload IS NOT NULL))
      )`);
    // The sweeper reads what has waited too long; admins read what failed; cascades need the FKs indexed.
    await q.query(`CREATE INDEX notifications_open_idx ON notifications ((coalesce(queued_at, created_at))) WHERE status IN ('pending', 'queued')`);
    await q.query(`CREATE INDEX notifications_failed_idx ON notifications (seq) WHERE status = 'failed'`);
    await q.query(`CREATE INDEX notifications_user_idx ON notifications (user_id) WHERE user_id IS NOT NULL`);
    await q.query(`CREATE INDEX notifications_webhook_idx ON notifications (webhook_subscription_id) WHERE webhook_subscription_id IS NOT NULL`);
    await q.query(`CREATE INDEX notifications_programme_idx ON notifications (programme_id) WHERE programme_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE notification_feed (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        notification_id uuid NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        programme_id uuid REFERENCES programmes(id) ON DELETE CASCADE,
        subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 300),
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        read_at timestamptz,
        CONSTRAINT notification_feed_notification_key UNIQUE (notification_id),
        CONSTRAINT notification_feed_seq_key UNIQUE (seq),
        CONSTRAINT notification_feed_read_after_created CHECK (read_at IS NULL OR read_at >= created_at)
      )`);
    await q.query(`CREATE INDEX notification_feed_user_idx ON notification_feed (user_id, seq DESC)`);
    await q.query(`CREATE INDEX notification_feed_unread_idx ON notification_feed (user_id) WHERE read_at IS NULL`);
    await q.query(`CREATE INDEX notification_feed_programme_idx ON notification_feed (programme_id) WHERE programme_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_feed`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}

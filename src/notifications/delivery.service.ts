import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { EmailChannel } from './channels/email.channel';
import { errorMessage, PermanentDeliveryError } from './channels/delivery-errors';
import { WebhookChannel } from './channels/webhook.channel';
import { Coalescer } from './coalescer';
import { DeliveryMetrics } from './delivery-metrics';
import { NotificationChannel, NotificationRow, NotificationStatus } from './notification.types';

/** Raised when the notifications row no longer exists: the job is skipped, not retried. */
export class DeliveryTargetGone extends Error {}

export type DeliveryResult = { delivered: true } | { alreadySent: true };

interface WebhookRow extends NotificationRow {
  w_url: string | null;
  w_secret: string | null;
  w_active: boolean | null;
}

/**
 * Delivers one notifications row on its channel and records the outcome:
 * - a row already sent is not sent again;
 * - success marks it sent with a conditional UPDATE (status <> 'sent'), so it turns sent once;
 * - a failure records the error and rethrows, so BullMQ retries with exponential backoff; on
 *   the last attempt, or when the receiver refused for good, the row is marked failed (and
 *   the job fails without further retries) for an admin to see and retry.
 * The in-app channel writes the feed item and marks the row sent in one transaction.
 * Loads and marks of deliveries running at the same time share one query each (Coalescer: one
 * query of each kind at a time, the requests made meanwhile going together in the next), so a
 * busy worker makes few round trips; a job still completes only once its own row is committed
 * as sent.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger('Delivery');
  private readonly rows = new Coalescer<string, WebhookRow>((ids) => this.loadRows(ids));
  private readonly sent = new Coalescer<string, Date>((ids) => this.markSentRows(ids));
  private readonly inAppSent = new Coalescer<string, Date>((ids) => this.deliverInAppRows(ids));

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly email: EmailChannel,
    private readonly webhook: WebhookChannel,
    private readonly metrics: DeliveryMetrics,
  ) {}

  async deliver(channel: NotificationChannel, notificationId: string, job?: Pick<Job, 'attemptsMade' | 'opts'>): Promise<DeliveryResult> {
    const row = await this.rows.get(notificationId);
    if (!row) throw new DeliveryTargetGone(`notification ${notificationId} no longer exists`);
    if (row.channel !== channel) throw new UnrecoverableError(`notification ${notificationId} is for ${row.channel}, not ${channel}`);
    if (row.status === NotificationStatus.Sent) return { alreadySent: true };

    try {
      if (channel === NotificationChannel.InApp) return await this.deliverInApp(row);
      if (channel === NotificationChannel.Email) await this.email.send(row);
      else await this.sendWebhook(row);
    } catch (err) {
      await this.recordFailure(row, err, job);
    }
    await this.markSent(row);
    return { delivered: true };
  }

  private async sendWebhook(row: WebhookRow): Promise<void> {
    if (!row.w_url || !row.w_secret || !row.payload) throw new PermanentDeliveryError('webhook subscription has gone');
    if (!row.w_active) throw new PermanentDeliveryError('webhook subscription is deactivated');
    await this.webhook.send({ url: row.w_url, secret: row.w_secret }, row.id, row.event_type, row.payload);
  }

  private async deliverInApp(row: NotificationRow): Promise<DeliveryResult> {
    const sentAt = await this.inAppSent.get(row.id);
    if (!sentAt) return { alreadySent: true }; // another attempt got there first
    this.recordSent(row, sentAt);
    return { delivered: true };
  }

  private async markSent(row: NotificationRow): Promise<void> {
    const sentAt = await this.sent.get(row.id);
    if (sentAt) this.recordSent(row, sentAt); // (null: another attempt got there first)
  }

  private recordSent(row: NotificationRow, sentAt: Date): void {
    this.metrics.outcome(row.channel, 'sent');
    this.metrics.latency(row.channel, (sentAt.getTime() - new Date(row.event_occurred_at).getTime()) / 1000);
  }

  private async loadRows(ids: string[]): Promise<Map<string, WebhookRow>> {
    const rows: WebhookRow[] = await this.db.query(
      `SELECT n.id, n.event_id, n.event_type, n.event_occurred_at, n.programme_id, n.recipient_key, n.channel, n.user_id,
              n.webhook_subscription_id, n.address, n.subject, n.body_text, n.body_html, n.payload, n.status, n.attempts,
              w.url AS w_url, w.secret AS w_secret, w.is_active AS w_active
       FROM notifications n LEFT JOIN webhook_subscriptions w ON w.id = n.webhook_subscription_id
       WHERE n.id = ANY ($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Mark rows sent, each only if it is not sent yet; returns the rows this call turned sent. */
  private async markSentRows(ids: string[], em: Pick<DataSource, 'query'> = this.db): Promise<Map<string, Date>> {
    // (A CTE, because TypeORM returns [rows, count] for a bare UPDATE … RETURNING.)
    const rows: { id: string; sent_at: Date }[] = await em.query(
      `WITH marked AS (
         UPDATE notifications SET status = 'sent', sent_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL, failed_at = NULL
         WHERE id = ANY ($1::uuid[]) AND status <> 'sent' RETURNING id, sent_at)
       SELECT id, sent_at FROM marked`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.sent_at]));
  }

  /** The in-app feed items and the rows' sent mark, in one transaction. */
  private deliverInAppRows(ids: string[]): Promise<Map<string, Date>> {
    return this.db.transaction(async (em) => {
      await em.query(
        `INSERT INTO notification_feed (user_id, notification_id, event_type, programme_id, subject, body)
         SELECT user_id, id, event_type, programme_id, subject, body_text FROM notifications
         WHERE id = ANY ($1::uuid[]) AND channel = 'in_app' AND status <> 'sent'
         ORDER BY seq
         ON CONFLICT (notification_id) DO NOTHING`,
        [ids],
      );
      return this.markSentRows(ids, em);
    });
  }

  /** Record the failed attempt, then rethrow: for BullMQ to retry, or (last attempt, permanent refusal) to stop. */
  private async recordFailure(row: NotificationRow, err: unknown, job?: Pick<Job, 'attemptsMade' | 'opts'>): Promise<never> {
    const permanent = err instanceof PermanentDeliveryError;
    const attempts = job?.opts.attempts ?? 1;
    const last = permanent || (job?.attemptsMade ?? 0) + 1 >= attempts;
    const message = errorMessage(err);
    await this.db.query(
      `UPDATE notifications
       SET attempts = attempts + 1, last_error = $2,
           status = CASE WHEN $3 THEN 'failed' ELSE status END,
           failed_at = CASE WHEN $3 THEN clock_timestamp() ELSE failed_at END
       WHERE id = $1 AND status <> 'sent'`,
      [row.id, message, last],
    );
    this.metrics.outcome(row.channel, last ? 'failed' : 'retried');
    if (last) this.logger.warn({ notificationId: row.id, channel: row.channel, err: message }, 'delivery failed for good; an admin can retry it');
    if (permanent) throw new UnrecoverableError(message);
    throw err;
  }
}

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
import { isTransientDatabaseError } from '../common/errors/db-unavailable';
import { RetryLaterError } from '../common/errors/retry-later';

/** Raised when the notifications row no longer exists: the job is skipped, not retried. */
export class DeliveryTargetGone extends Error {}

export type DeliveryResult = { delivered: true; possiblyDeliveredBefore?: boolean } | { alreadySent: true };

/**
 * How long an attempt may be talking to the receiver (longer than the SMTP socket timeout and the
 * webhook timeout): a second job for the same row within it waits, rather than sending in
 * parallel; past it, the earlier attempt is taken to have died, possibly after the receiver
 * accepted.
 */
export const ATTEMPT_LEASE_SECONDS = 45;
/** How long "mark sent" keeps retrying a transient database error (a restart, a failover) before the job fails. */
export const MARK_SENT_RETRY_MS = 5 * 60_000;
/** At most this many "sent" marks go in one statement (a short, bounded batch). */
export const MARK_SENT_BATCH = 16;

interface WebhookRow extends NotificationRow {
  w_url: string | null;
  w_secret: string | null;
  w_active: boolean | null;
}

/** A row as a delivery attempt claimed it: `claimed` false when another attempt holds the lease. */
interface ClaimedRow extends WebhookRow {
  claimed: boolean;
  lease_until: Date | null;
  possibly_delivered: number;
  /** This claim found an earlier attempt that started and never recorded its outcome. */
  found_unfinished: boolean;
}

/**
 * Delivers one notifications row on its channel and records the outcome, so that a message the
 * receiver accepted is recorded before anything can retry it:
 * - the attempt is claimed first (attempt_started_at, in the same statement that loads the row).
 *   A claim that finds an earlier attempt's start still set, and older than ATTEMPT_LEASE_SECONDS,
 *   knows that attempt died between the receiver and the record: it counts the row "possibly
 *   delivered" and sends again with the same Message-ID / X-Delivery-Id (at-least-once with a
 *   stable idempotency key, docs/faults.md). One still within its lease is left alone: the job
 *   runs again when the lease ends (RetryLaterError, not a failed attempt);
 * - a row already sent is not sent again (skipped with a log line);
 * - success marks it sent at once (a bounded batch of at most MARK_SENT_BATCH rows), and a
 *   transient database error (PostgreSQL restarting, a deadlock) is retried for up to
 *   MARK_SENT_RETRY_MS instead of failing the job: the job never resends a message the receiver
 *   accepted because the database blinked;
 * - a failure records the error and rethrows, so BullMQ retries with exponential backoff; on
 *   the last attempt, or when the receiver refused for good, the row is marked failed (and
 *   the job fails without further retries) for an admin to see and retry.
 * Every statement that locks more than one notifications row locks them in id order (and the
 * relay's "mark queued" skips locked rows), so relay and delivery cannot deadlock.
 * The in-app channel writes the feed item and marks the row sent in one transaction.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger('Delivery');
  private readonly rows = new Coalescer<string, ClaimedRow>((ids) => this.claimRows(ids), 200, 2);
  private readonly sent = new Coalescer<string, Date | null>((ids) => this.markSentRows(ids), MARK_SENT_BATCH, 4);
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
    if (row.status === NotificationStatus.Sent) {
      this.logger.log({ notificationId, channel }, 'delivery skipped: its row is already sent');
      return { alreadySent: true };
    }
    if (channel === NotificationChannel.InApp) return this.deliverInApp(row);
    if (!row.claimed) {
      const retryAt = (row.lease_until ?? new Date(Date.now() + ATTEMPT_LEASE_SECONDS * 1000)).getTime() + 250;
      throw new RetryLaterError(`notification ${notificationId}: another attempt may still be sending it`, retryAt);
    }
    if (row.found_unfinished) {
      this.logger.warn(
        { notificationId, channel, possiblyDelivered: row.possibly_delivered },
        'an earlier attempt died before recording its outcome: the receiver may already have it; resending with the same message id',
      );
    }

    try {
      if (channel === NotificationChannel.Email) await this.email.send(row);
      else await this.sendWebhook(row);
    } catch (err) {
      await this.recordFailure(row, err, job);
    }
    await this.markSent(row);
    return row.found_unfinished ? { delivered: true, possiblyDeliveredBefore: true } : { delivered: true };
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

  /** Record the receiver's acceptance: retried on a transient database error, never given up on quickly. */
  private async markSent(row: NotificationRow): Promise<void> {
    const sentAt = await retryTransient(() => this.sent.get(row.id), MARK_SENT_RETRY_MS, (err, n) => {
      if (n === 1 || n % 20 === 0) {
        this.logger.warn({ notificationId: row.id, attempt: n, err: errorMessage(err) }, 'could not record a delivery the receiver accepted; retrying (the message is not sent again)');
      }
    });
    if (sentAt) this.recordSent(row, sentAt); // (null: another attempt got there first)
  }

  private recordSent(row: NotificationRow, sentAt: Date): void {
    this.metrics.outcome(row.channel, 'sent');
    this.metrics.latency(row.channel, (sentAt.getTime() - new Date(row.event_occurred_at).getTime()) / 1000);
  }

  /**
   * Load the rows and claim an attempt on each email or webhook row not sent yet, in one
   * statement: rows locked in id order; an attempt is claimed when none is running
   * (attempt_started_at null) or the last one's lease has run out, which also counts the row
   * "possibly delivered" (that attempt never recorded its outcome).
   */
  private async claimRows(ids: string[]): Promise<Map<string, ClaimedRow>> {
    const rows: ClaimedRow[] = await this.db.query(
      `WITH locked AS (
         SELECT id, attempt_started_at AS before FROM notifications
         WHERE id = ANY ($1::uuid[]) AND status <> 'sent' AND channel <> 'in_app'
         ORDER BY id FOR UPDATE),
       claimed AS (
         UPDATE notifications n
         SET attempt_started_at = clock_timestamp(),
             possibly_delivered = n.possibly_delivered + CASE WHEN l.before IS NOT NULL THEN 1 ELSE 0 END,
             possibly_delivered_at = CASE WHEN l.before IS NOT NULL THEN clock_timestamp() ELSE n.possibly_delivered_at END
         FROM locked l
         WHERE n.id = l.id AND (l.before IS NULL OR l.before < clock_timestamp() - make_interval(secs => $2::int))
         RETURNING n.id, n.possibly_delivered, l.before IS NOT NULL AS found_unfinished)
       SELECT n.id, n.event_id, n.event_type, n.event_occurred_at, n.programme_id, n.recipient_key, n.channel, n.user_id,
              n.webhook_subscription_id, n.address, n.subject, n.body_text, n.body_html, n.payload, n.status, n.attempts,
              w.url AS w_url, w.secret AS w_secret, w.is_active AS w_active,
              c.id IS NOT NULL AS claimed, coalesce(c.possibly_delivered, n.possibly_delivered) AS possibly_delivered,
              coalesce(c.found_unfinished, false) AS found_unfinished,
              n.attempt_started_at + make_interval(secs => $2::int) AS lease_until
       FROM notifications n
       LEFT JOIN webhook_subscriptions w ON w.id = n.webhook_subscription_id
       LEFT JOIN claimed c ON c.id = n.id
       WHERE n.id = ANY ($1::uuid[])`,
      [ids, ATTEMPT_LEASE_SECONDS],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Mark rows sent (locked in id order), each only if it is not sent yet; returns the rows this call turned sent. */
  private async markSentRows(ids: string[], em: Pick<DataSource, 'query'> = this.db): Promise<Map<string, Date>> {
    // (A CTE, because TypeORM returns [rows, count] for a bare UPDATE … RETURNING.)
    const rows: { id: string; sent_at: Date }[] = await em.query(
      `WITH locked AS (SELECT id FROM notifications WHERE id = ANY ($1::uuid[]) AND status <> 'sent' ORDER BY id FOR UPDATE),
       marked AS (
         UPDATE notifications n SET status = 'sent', sent_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL, failed_at = NULL,
                attempt_started_at = NULL
         FROM locked WHERE n.id = locked.id RETURNING n.id, n.sent_at)
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
         ORDER BY id
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
    // The receiver did not take it: the attempt is over (attempt_started_at cleared), so the next one is not "possibly delivered".
    await retryTransient(
      () =>
        this.db.query(
          `UPDATE notifications
           SET attempts = attempts + 1, last_error = $2, attempt_started_at = NULL,
               status = CASE WHEN $3 THEN 'failed' ELSE status END,
               failed_at = CASE WHEN $3 THEN clock_timestamp() ELSE failed_at END
           WHERE id = $1 AND status <> 'sent'`,
          [row.id, message, last],
        ),
      30_000,
    );
    this.metrics.outcome(row.channel, last ? 'failed' : 'retried');
    if (last) this.logger.warn({ notificationId: row.id, channel: row.channel, err: message }, 'delivery failed for good; an admin can retry it');
    if (permanent) throw new UnrecoverableError(message);
    throw err;
  }
}

/**
 * Run a database write again while it fails for a transient reason (PostgreSQL unreachable or
 * restarting, a deadlock, a serialization failure), backing off from 100 ms to 2 s, for up to
 * `forMs`; any other error, or the last one, is thrown.
 */
export async function retryTransient<T>(fn: () => Promise<T>, forMs: number, onRetry?: (err: unknown, attempt: number) => void): Promise<T> {
  const until = Date.now() + forMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransientDatabaseError(err) || Date.now() >= until) throw err;
      onRetry?.(err, attempt);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt - 1, 5))));
    }
  }
}

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
import { AppConfig } from '../config/app-config';

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

/** An attempt's claim on a row: `claimed` false when another attempt holds the lease (or the row is sent now). */
interface Claim {
  id: string;
  status: NotificationStatus;
  claimed: boolean;
  lease_until: Date | null;
  possibly_delivered: number;
  /** This claim found an earlier attempt that started and never recorded its outcome. */
  found_unfinished: boolean;
}

/**
 * Delivers one notifications row on its channel and records the outcome, so that a message the
 * receiver accepted is recorded before anything can retry it:
 * - the attempt is claimed (attempt_started_at) as late as it can be: when the message is about to
 *   be handed to the transport, not when the job starts. Email jobs outnumber the SMTP connections
 *   (worker concurrency 4 × SMTP_POOL_SIZE), so an email job first waits for one of
 *   SMTP_POOL_SIZE send slots, then claims, then sends: a job killed while it waited for a slot
 *   has claimed nothing and is not counted "possibly delivered". A claim that finds an earlier attempt's start still set, and older than ATTEMPT_LEASE_SECONDS,
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
  private readonly rows = new Coalescer<string, WebhookRow>((ids) => this.loadRows(ids), 200, 2);
  private readonly claims = new Coalescer<string, Claim>((ids) => this.claimRows(ids), 50, 2);
  /** Email sends handed to the transport at once: as many as it has connections (so a claimed attempt is one really being sent). */
  private readonly emailSlots: Slots;
  private readonly sent = new Coalescer<string, Date | null>((ids) => this.markSentRows(ids), MARK_SENT_BATCH, 4);
  private readonly inAppSent = new Coalescer<string, Date>((ids) => this.deliverInAppRows(ids));

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly email: EmailChannel,
    private readonly webhook: WebhookChannel,
    private readonly metrics: DeliveryMetrics,
    config: AppConfig,
  ) {
    this.emailSlots = new Slots(config.SMTP_POOL_SIZE);
  }

  async deliver(channel: NotificationChannel, notificationId: string, job?: Pick<Job, 'attemptsMade' | 'opts'>): Promise<DeliveryResult> {
    const row = await this.rows.get(notificationId);
    if (!row) throw new DeliveryTargetGone(`notification ${notificationId} no longer exists`);
    if (row.channel !== channel) throw new UnrecoverableError(`notification ${notificationId} is for ${row.channel}, not ${channel}`);
    if (row.status === NotificationStatus.Sent) {
      this.logger.log({ notificationId, channel }, 'delivery skipped: its row is already sent');
      return { alreadySent: true };
    }
    if (channel === NotificationChannel.InApp) return this.deliverInApp(row);

    const release = channel === NotificationChannel.Email ? await this.emailSlots.acquire() : () => undefined;
    let claim: Claim | undefined;
    try {
      claim = await this.claims.get(notificationId);
      if (!claim) throw new DeliveryTargetGone(`notification ${notificationId} no longer exists`);
      if (claim.status === NotificationStatus.Sent) {
        this.logger.log({ notificationId, channel }, 'delivery skipped: its row is already sent');
        return { alreadySent: true };
      }
      if (!claim.claimed) {
        const retryAt = (claim.lease_until ?? new Date(Date.now() + ATTEMPT_LEASE_SECONDS * 1000)).getTime() + 250;
        throw new RetryLaterError(`notification ${notificationId}: another attempt may still be sending it`, retryAt);
      }
      if (claim.found_unfinished) {
        this.logger.warn(
          { notificationId, channel, possiblyDelivered: claim.possibly_delivered },
          'an earlier attempt died before recording its outcome: the receiver may already have it; resending with the same message id',
        );
      }
      try {
        if (channel === NotificationChannel.Email) await this.email.send(row);
        else await this.sendWebhook(row);
      } catch (err) {
        release();
        await this.recordFailure(row, err, job);
      }
    } finally {
      release();
    }
    await this.markSent(row);
    return claim.found_unfinished ? { delivered: true, possiblyDeliveredBefore: true } : { delivered: true };
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

  /** Load the rows (no lock, no claim: the claim is made just before the send). */
  private async loadRows(ids: string[]): Promise<Map<string, WebhookRow>> {
    const rows: WebhookRow[] = await this.db.query(
      `SELECT n.id, n.event_id, n.event_type, n.event_occurred_at, n.programme_id, n.recipient_key, n.channel, n.user_id,
              n.webhook_subscription_id, n.address, n.subject, n.body_text, n.body_html, n.payload, n.status, n.attempts,
              w.url AS w_url, w.secret AS w_secret, w.is_active AS w_active
       FROM notifications n
       LEFT JOIN webhook_subscriptions w ON w.id = n.webhook_subscription_id
       WHERE n.id = ANY ($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Claim an attempt on each email or webhook row not sent yet, in one statement: rows locked in
   * id order; an attempt is claimed when none is running (attempt_started_at null) or the last
   * one's lease has run out, which also counts the row "possibly delivered" (that attempt never
   * recorded its outcome).
   */
  private async claimRows(ids: string[]): Promise<Map<string, Claim>> {
    const rows: Claim[] = await this.db.query(
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
       SELECT n.id, n.status, c.id IS NOT NULL AS claimed, coalesce(c.possibly_delivered, n.possibly_delivered) AS possibly_delivered,
              coalesce(c.found_unfinished, false) AS found_unfinished,
              n.attempt_started_at + make_interval(secs => $2::int) AS lease_until
       FROM notifications n
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
    // The attempt is over (attempt_started_at cleared). When the receiver answered no, or could not be reached, it does not have
    // the message; when the failure came mid-transaction (a timeout, a reset) it may: that attempt counts as possibly delivered.
    const ambiguous = receiverMayHaveIt(err);
    await retryTransient(
      () =>
        this.db.query(
          `UPDATE notifications
           SET attempts = attempts + 1, last_error = $2, attempt_started_at = NULL,
               status = CASE WHEN $3 THEN 'failed' ELSE status END,
               failed_at = CASE WHEN $3 THEN clock_timestamp() ELSE failed_at END,
               possibly_delivered = possibly_delivered + CASE WHEN $4 THEN 1 ELSE 0 END,
               possibly_delivered_at = CASE WHEN $4 THEN clock_timestamp() ELSE possibly_delivered_at END
           WHERE id = $1 AND status <> 'sent'`,
          [row.id, message, last, ambiguous],
        ),
      30_000,
    );
    this.metrics.outcome(row.channel, last ? 'failed' : 'retried');
    if (last) this.logger.warn({ notificationId: row.id, channel: row.channel, err: message }, 'delivery failed for good; an admin can retry it');
    if (permanent) throw new UnrecoverableError(message);
    throw err;
  }
}

/** Socket errors of a receiver that was never reached: it cannot have the message. */
const UNREACHED_CODES = new Set(['ECONNREFUSED', 'ECONNECTION', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EDNS', 'ETLS', 'EAUTH']);

/**
 * Whether a failed send may nonetheless have reached the receiver: false when the receiver answered
 * (an SMTP reply code, a webhook status: it said no) or was never reached (connection refused, no
 * such host, TLS or authentication failed before any data); true otherwise (a timeout or a
 * connection lost mid-transaction: only the receiver knows). Unknown errors count as true: the
 * count may over-state, never under-state.
 */
export function receiverMayHaveIt(err: unknown): boolean {
  if (err instanceof PermanentDeliveryError) return false;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { code?: unknown; responseCode?: unknown; message?: unknown };
    if (typeof x.responseCode === 'number') return false;
    if (typeof x.code === 'string' && UNREACHED_CODES.has(x.code)) return false;
    const message = typeof x.message === 'string' ? x.message : '';
    if (/^webhook answered \d{3}/.test(message) || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|closed before it was ready/.test(message)) return false;
  }
  return true;
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

/** A counting semaphore: at most `size` holders at once, the others wait in order. Release is idempotent. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { EmailChannel, type EmailSender } from './channels/email.channel';
import { errorMessage, PermanentDeliveryError } from './channels/delivery-errors';
import { WebhookChannel } from './channels/webhook.channel';
import { Coalescer } from './coalescer';
import { DeliveryMetrics } from './delivery-metrics';
import { NotificationChannel, NotificationRow, NotificationStatus } from './notification.types';
import { isTransientDatabaseError } from '../common/errors/db-unavailable';
import { RetryLaterError } from '../common/errors/retry-later';
import { AppConfig } from '../config/app-config';
import { PreparedStatement } from '../database/prepared';
import { isLastAttempt } from '../queue/queue.contract';

/** Raised when the notifications row no longer exists: the job is skipped, not retried. */
export class DeliveryTargetGone extends Error {}

export type DeliveryResult = { delivered: true; possiblyDeliveredBefore?: boolean } | { alreadySent: true };

/** What a batch job did with its rows (each row's outcome is in its notifications row). */
export interface BatchDeliveryResult {
  sent: number;
  alreadySent: number;
  /** Rows that failed for good (refused by the server, out of attempts). */
  failed: number;
  /** Rows whose earlier attempt died unrecorded: resent, counted "possibly delivered". */
  possiblyDeliveredBefore: number;
  gone: number;
}

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
/**
 * In a batch job, the rows the server accepted are marked sent in one statement at least every
 * BATCH_MARK_MS or every BATCH_MARK_ROWS rows, whichever comes first (and the job ends only once
 * every accepted row is committed as sent): a crash loses at most that window, and each row in it
 * is then resent as "possibly delivered".
 */
export const BATCH_MARK_ROWS = 100;
export const BATCH_MARK_MS = 50;
/** A batch claims its rows this many at a time, right before sending them, the next chunk while the one before is sent (so a crash leaves at most two chunks claimed and not yet acknowledged). */
export const BATCH_CLAIM_ROWS = 20;

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
export class DeliveryService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Delivery');
  private readonly rows = new Coalescer<string, WebhookRow>((ids) => this.loadRows(ids), 200, 2);
  private readonly claims = new Coalescer<string, Claim>((ids) => this.claimRows(ids), 50, 2);
  /** Email sends handed to the transport at once: as many as it has connections (so a claimed attempt is one really being sent). */
  private readonly emailSlots: Slots;
  private readonly sent = new Coalescer<string, Date | null>((ids) => this.markSentRows(ids), MARK_SENT_BATCH, 4);
  private readonly inAppSent = new Coalescer<string, Date>((ids) => this.deliverInAppRows(ids));
  /** "Sent" marks of the batch jobs running in this worker: one statement per BATCH_MARK_ROWS rows or BATCH_MARK_MS. */
  private readonly batchSent = new SentMarks((ids) => this.markSentRows(ids), BATCH_MARK_ROWS, BATCH_MARK_MS, (err, n) => {
    if (n === 1 || n % 20 === 0) this.logger.warn({ attempt: n, err: errorMessage(err) }, 'could not record deliveries the receiver accepted; retrying (they are not sent again)');
  });

  /** Set when the process is told to stop: a running batch finishes the message it is sending, then hands its other rows back. */
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly email: EmailChannel,
    private readonly webhook: WebhookChannel,
    private readonly metrics: DeliveryMetrics,
    config: AppConfig,
  ) {
    this.emailSlots = new Slots(config.SMTP_POOL_SIZE);
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
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

  /**
   * Deliver a batch of email rows (one notice's recipients, as the relay enqueues them) in one job,
   * over one SMTP connection, each row with the same guarantees as a job of its own:
   * - rows already sent are skipped (one log line naming them), rows gone are skipped;
   * - the connection is taken first: a server that cannot be reached fails the job before anything
   *   is claimed (each row records the failed attempt; failed for good on the last one);
   * - rows are claimed BATCH_CLAIM_ROWS at a time, right before they are sent (the next chunk's
   *   claim is made while this chunk's messages are on the wire, and handed back unused when the
   *   batch stops early, so at most two chunks are claimed at once); a row whose earlier
   *   attempt died unrecorded is counted "possibly delivered" and resent with the same Message-ID;
   *   a row another attempt holds (within its lease) is left to it, and the job runs again when
   *   that lease ends (not a failed attempt);
   * - each accepted row is marked sent within BATCH_MARK_MS or BATCH_MARK_ROWS (one statement,
   *   retried on a transient database error for up to MARK_SENT_RETRY_MS), and the job ends only
   *   when all of them are committed;
   * - a row refused for good (5xx) is marked failed and the batch goes on; a row that failed
   *   otherwise records its attempt (possibly delivered when the connection broke mid-message),
   *   the rest go over a fresh connection, and the job then fails so BullMQ retries those rows
   *   (the rows sent meanwhile are skipped on the retry).
   */
  async deliverEmailBatch(notificationIds: string[], job?: Pick<Job, 'attemptsMade' | 'opts'>): Promise<BatchDeliveryResult> {
    const result: BatchDeliveryResult = { sent: 0, alreadySent: 0, failed: 0, possiblyDeliveredBefore: 0, gone: 0 };
    const rows = await this.loadRows([...new Set(notificationIds)]);
    const todo: WebhookRow[] = [];
    const skipped: string[] = [];
    for (const id of new Set(notificationIds)) {
      const row = rows.get(id);
      if (!row || row.channel !== NotificationChannel.Email) result.gone++;
      else if (row.status === NotificationStatus.Sent) skipped.push(id);
      else todo.push(row);
    }
    if (result.gone) this.logger.warn({ gone: result.gone }, 'batch: rows that no longer exist (or are not email) skipped');
    const skip = (ids: string[]) => {
      if (!ids.length) return;
      result.alreadySent += ids.length;
      this.logger.log({ notificationIds: ids, channel: NotificationChannel.Email }, 'delivery skipped: its row is already sent');
    };
    skip(skipped);
    if (!todo.length) return result;

    const marks: Promise<void>[] = [];
    let markError: unknown;
    let putOffUntil = 0;
    let retryError: unknown;
    let connected = false;
    let handedBack = false;
    /** The next chunk's claim, made while this chunk's messages are on the wire (so the connection does not wait for it). */
    let ahead: Promise<Map<string, Claim>> | undefined;
    const claimAhead = (ids: string[]) => {
      ahead = this.claimRows(ids);
      ahead.catch(() => undefined); // (awaited below: its error is the batch's)
    };
    /** A claim made ahead and not used (the batch stopped first): its rows go back as they were. */
    const releaseAhead = async () => {
      if (!ahead) return;
      const claims = ahead;
      ahead = undefined;
      const got = await claims;
      await this.releaseClaims([...got.values()].filter((c) => c.claimed).map((c) => c.id));
    };
    try {
      await this.email
        .withSender(async (send: EmailSender) => {
          connected = true;
          for (let i = 0; i < todo.length && !retryError && !handedBack; i += BATCH_CLAIM_ROWS) {
            if (this.stopping) {
              handedBack = true;
              break;
            }
            const chunk = todo.slice(i, i + BATCH_CLAIM_ROWS);
            const claims = await (ahead ?? this.claimRows(chunk.map((r) => r.id)));
            ahead = undefined;
            const mine: WebhookRow[] = [];
            const sentMeanwhile: string[] = [];
            for (const row of chunk) {
              const claim = claims.get(row.id);
              if (!claim) result.gone++;
              else if (claim.status === NotificationStatus.Sent) sentMeanwhile.push(row.id);
              else if (!claim.claimed) putOffUntil = Math.max(putOffUntil, (claim.lease_until ?? new Date(Date.now() + ATTEMPT_LEASE_SECONDS * 1000)).getTime() + 250);
              else {
                if (claim.found_unfinished) {
                  result.possiblyDeliveredBefore++;
                  this.logger.warn(
                    { notificationId: row.id, channel: row.channel, possiblyDelivered: claim.possibly_delivered },
                    'an earlier attempt died before recording its outcome: the receiver may already have it; resending with the same message id',
                  );
                }
                mine.push(row);
              }
            }
            skip(sentMeanwhile);
            if (this.stopping) {
              // Told to stop: the rest of the batch is handed back (claims returned) for the next worker.
              handedBack = true;
              await this.releaseClaims(mine.map((r) => r.id));
              break;
            }
            // The chunk's messages go out pipelined on the connection (one round trip each); outcomes are taken in order.
            const outcomes = mine.map((row) => send(row).then(() => undefined, (err: unknown) => ({ err })));
            const next = todo.slice(i + BATCH_CLAIM_ROWS, i + 2 * BATCH_CLAIM_ROWS);
            if (next.length) claimAhead(next.map((r) => r.id));
            const unreached: string[] = [];
            for (let j = 0; j < mine.length; j++) {
              const row = mine[j];
              const outcome = await outcomes[j];
              if (outcome) {
                const err = outcome.err;
                if (neverReached(err)) {
                  // The server cannot be reached now (a fresh connection failed): its claim goes back, and the batch stops after this chunk.
                  retryError ??= err;
                  unreached.push(row.id);
                  continue;
                }
                const { permanent, last } = await this.recordAttemptFailure(row, err, job);
                if (last) result.failed++;
                if (!permanent && !last) retryError ??= err;
                continue;
              }
              marks.push(
                this.batchSent.add(row.id).then(
                  (sentAt) => {
                    if (!sentAt) return; // another attempt got there first
                    result.sent++;
                    this.recordSent(row, sentAt);
                  },
                  (err: unknown) => void (markError ??= err),
                ),
              );
            }
            if (unreached.length) {
              await this.releaseClaims(unreached);
              break;
            }
          }
          await releaseAhead();
        })
        .finally(() => releaseAhead().catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'batch: could not hand back rows claimed ahead; they wait for their lease')))
        .catch(async (err: unknown) => {
          if (connected) throw err;
          // No connection to the mail server: nothing was claimed or sent.
          const last = isLastAttempt(job);
          await this.recordUnsentFailure(todo.map((r) => r.id), err, last);
          if (last) result.failed += todo.length;
          throw err;
        });
    } finally {
      // Whatever happened, every row the server accepted is recorded before the job ends.
      await Promise.all(marks);
    }
    if (markError) throw markError;
    if (retryError) throw retryError;
    if (handedBack) throw new RetryLaterError('the worker is stopping: the rest of this batch is left for the next one', Date.now());
    if (putOffUntil) throw new RetryLaterError('some rows of this batch are being sent by another attempt', putOffUntil);
    return result;
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
    const rows = await LOAD.run(this.db, [ids]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Claim an attempt on each email or webhook row not sent yet, in one statement: rows locked in
   * id order; an attempt is claimed when none is running (attempt_started_at null) or the last
   * one's lease has run out, which also counts the row "possibly delivered" (that attempt never
   * recorded its outcome).
   */
  private async claimRows(ids: string[]): Promise<Map<string, Claim>> {
    const rows = await CLAIM.run(this.db, [ids, ATTEMPT_LEASE_SECONDS]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Mark rows sent (locked in id order), each only if it is not sent yet; returns the rows this call turned sent. */
  private async markSentRows(ids: string[], em?: Pick<DataSource, 'query'>): Promise<Map<string, Date>> {
    const rows: { id: string; sent_at: Date }[] = em ? await em.query(MARK_SENT.text, [ids]) : await MARK_SENT.run(this.db, [ids]);
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
    const { permanent, message } = await this.recordAttemptFailure(row, err, job);
    if (permanent) throw new UnrecoverableError(message);
    throw err;
  }

  /** Record one failed attempt on a row (closed, counted possibly delivered when the receiver may have it; failed when it was the last). */
  private async recordAttemptFailure(row: NotificationRow, err: unknown, job?: Pick<Job, 'attemptsMade' | 'opts'>): Promise<{ permanent: boolean; last: boolean; message: string }> {
    const permanent = err instanceof PermanentDeliveryError;
    const last = permanent || isLastAttempt(job);
    const message = errorMessage(err);
    // The attempt is over (attempt_started_at cleared). When the receiver answered no, or could not be reached, it does not have
    // the message; when the failure came mid-transaction (a timeout, a reset) it may: that attempt counts as possibly delivered.
    const ambiguous = receiverMayHaveIt(err);
    await retryTransient(
      () =>
        this.db.query(
          `UPDATE notifications
           SET attempts = attempts + 1, last_error = $2, attempt_started_at = NULL,
               status = CASE WHEN $3 THEN 'failed' WHEN status = 'pending' THEN 'queued' ELSE status END,
               queued_at = coalesce(queued_at, clock_timestamp()),
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
    return { permanent, last, message };
  }

  /**
   * A failed attempt on rows none of which was sent (the mail server could not be reached before
   * anything was claimed): one statement, rows locked in id order; failed for good on the last attempt.
   */
  private async recordUnsentFailure(ids: string[], err: unknown, last: boolean): Promise<void> {
    await retryTransient(
      () =>
        this.db.query(
          `WITH locked AS (SELECT id FROM notifications WHERE id = ANY ($1::uuid[]) AND status <> 'sent' ORDER BY id FOR UPDATE)
           UPDATE notifications n
           SET attempts = n.attempts + 1, last_error = $2,
               status = CASE WHEN $3 THEN 'failed' WHEN n.status = 'pending' THEN 'queued' ELSE n.status END,
               queued_at = coalesce(n.queued_at, clock_timestamp()),
               failed_at = CASE WHEN $3 THEN clock_timestamp() ELSE n.failed_at END
           FROM locked WHERE n.id = locked.id`,
          [ids, errorMessage(err), last],
        ),
      30_000,
    );
    for (let i = 0; i < ids.length; i++) this.metrics.outcome(NotificationChannel.Email, last ? 'failed' : 'retried');
  }

  /** Give back claims that were never used (the batch stopped before sending those rows): nothing was sent, nothing counted. */
  private async releaseClaims(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await retryTransient(() => RELEASE_CLAIMS.run(this.db, [ids]), MARK_SENT_RETRY_MS);
  }
}

// The statements of every delivery, prepared once per connection (src/database/prepared.ts).
const LOAD = new PreparedStatement<WebhookRow>(
  'delivery_load',
  `SELECT n.id, n.event_id, n.event_type, n.event_occurred_at, n.programme_id, n.recipient_key, n.channel, n.user_id,
          n.webhook_subscription_id, n.address, n.subject, n.body_text, n.body_html, n.payload, n.status, n.attempts,
          w.url AS w_url, w.secret AS w_secret, w.is_active AS w_active
   FROM notifications n
   LEFT JOIN webhook_subscriptions w ON w.id = n.webhook_subscription_id
   WHERE n.id = ANY ($1::uuid[])`,
);
const CLAIM = new PreparedStatement<Claim>(
  'delivery_claim',
  `WITH locked AS (
     SELECT id, attempt_started_at AS before FROM notifications
     WHERE id = ANY ($1::uuid[]) AND status <> 'sent' AND channel <> 'in_app'
     ORDER BY id FOR UPDATE),
   claimed AS (
     UPDATE notifications n
     -- Only columns no index covers (possibly_delivered, in a partial index's predicate, changes only after a crash), so
     -- the claim is a HOT update, with no new index entries (the status stays as it is: a row's first failed attempt turns
     -- it queued, its success sent).
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
);
// (A CTE, because TypeORM returns [rows, count] for a bare UPDATE … RETURNING, and the in-app path runs it through a transaction's manager.)
const MARK_SENT = new PreparedStatement<{ id: string; sent_at: Date }>(
  'delivery_mark_sent',
  `WITH locked AS (SELECT id FROM notifications WHERE id = ANY ($1::uuid[]) AND status <> 'sent' ORDER BY id FOR UPDATE),
   marked AS (
     UPDATE notifications n SET status = 'sent', sent_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL, failed_at = NULL,
            attempt_started_at = NULL
     FROM locked WHERE n.id = locked.id RETURNING n.id, n.sent_at)
   SELECT id, sent_at FROM marked`,
);
const RELEASE_CLAIMS = new PreparedStatement(
  'delivery_release_claims',
  `WITH locked AS (SELECT id FROM notifications WHERE id = ANY ($1::uuid[]) AND status <> 'sent' ORDER BY id FOR UPDATE)
   UPDATE notifications n SET attempt_started_at = NULL FROM locked WHERE n.id = locked.id`,
);

/** Socket errors of a receiver that was never reached: it cannot have the message. */
const UNREACHED_CODES = new Set(['ENOTSENT', 'ECONNREFUSED', 'ECONNECTION', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EDNS', 'ETLS', 'EAUTH']);

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

/** A send that failed without reaching the server (no reply from it, connection refused or failed before the session): the server is away. */
function neverReached(err: unknown): boolean {
  return !(err instanceof PermanentDeliveryError) && typeof (err as { responseCode?: unknown }).responseCode !== 'number' && !receiverMayHaveIt(err);
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

/**
 * "Mark sent" for batch jobs, shared by all of them in a worker: rows the server accepted are
 * written in one statement when `maxRows` have gathered or `maxMs` after the first of them,
 * whichever comes first, each statement retried on a transient database error (retryTransient,
 * MARK_SENT_RETRY_MS). `add` resolves once its row's statement has committed: with the time this
 * call marked it sent, or undefined when another attempt had marked it first; it rejects only
 * when the statement failed for good.
 */
export class SentMarks {
  private pending: { id: string; resolve: (at: Date | undefined) => void; reject: (err: unknown) => void }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly write: (ids: string[]) => Promise<Map<string, Date>>,
    private readonly maxRows: number,
    private readonly maxMs: number,
    private readonly onRetry?: (err: unknown, attempt: number) => void,
  ) {}

  add(id: string): Promise<Date | undefined> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, resolve, reject });
      if (this.pending.length >= this.maxRows) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, this.maxRows);
    if (this.pending.length) this.timer = setTimeout(() => this.flush(), 0);
    if (!batch.length) return;
    retryTransient(() => this.write(batch.map((w) => w.id)), MARK_SENT_RETRY_MS, this.onRetry).then(
      (marked) => {
        for (const w of batch) w.resolve(marked.get(w.id));
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
      },
    );
  }
}

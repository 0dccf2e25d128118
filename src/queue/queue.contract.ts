import type { JobsOptions } from 'bullmq';

/**
 * The queue contract, in one place: queue names, job names, one discriminated
 * union of job payloads and each job's retry schedule. Features enqueue through JobProducer;
 * the worker (jobs/) must register exactly one processor per JobName or it
 * refuses to start.
 */
export enum QueueName {
  System = 'system',
  /** One queue per delivery channel, so a slow webhook receiver never holds up email. */
  NotifyEmail = 'notify-email',
  NotifyWebhook = 'notify-webhook',
  NotifyInApp = 'notify-in-app',
  /** The sweeper, milestone reminders and the overdue digest (BullMQ job schedulers). */
  NotifyMaintenance = 'notify-maintenance',
  /** Issue 15: LibreOffice conversions (heavy, slow: kept off the notification queues). */
  Documents = 'documents',
}

export enum JobName {
  /** Proves the wiring end to end: API enqueues, worker processes, API shows the result. */
  SystemSmoke = 'system.smoke',
  /** Deliver one notifications row (jobId = the row's id). */
  DeliverEmail = 'notification.deliver_email',
  DeliverWebhook = 'notification.deliver_webhook',
  DeliverInApp = 'notification.deliver_in_app',
  /** Re-enqueue deliveries that waited too long; relay events the relay loop has not reached. */
  OutboxSweep = 'outbox.sweep',
  /** Emit milestone.upcoming at each reminder offset and milestone.missed for overdue milestones. */
  MilestoneReminders = 'milestone.reminders',
  /** Emit the daily deadlines.overdue digest for HR. */
  OverdueDigest = 'deadlines.overdue_digest',
  /** Make a password reset link's secret and email it (src/auth/password-reset-mailer.ts). */
  SendPasswordReset = 'auth.send_password_reset',
  /** Issue 15: convert one generated document's DOCX to a tagged PDF (jobId = `pdf-<documentId>`). */
  DocumentPdf = 'document.pdf',
}

export interface SystemSmokeJob {
  name: JobName.SystemSmoke;
  data: { smokeJobId: string };
}

export interface DeliveryJob<N extends JobName.DeliverEmail | JobName.DeliverWebhook | JobName.DeliverInApp> {
  name: N;
  data: { notificationId: string };
}

/** Scheduled maintenance jobs carry nothing: they work from the database. */
export interface MaintenanceJob<N extends JobName.OutboxSweep | JobName.MilestoneReminders | JobName.OverdueDigest> {
  name: N;
  data: Record<string, never>;
}

/** A password reset to send: only its id (the secret is made by the worker and never stored). */
export interface PasswordResetJob {
  name: JobName.SendPasswordReset;
  data: { resetId: string };
}

/** Issue 15: the documents job carries the id of the row it works on. */
export interface DocumentPdfJob {
  name: JobName.DocumentPdf;
  data: { documentId: string };
}

/** Every job the system knows. Add a member here, then a processor in jobs/. */
export type JobItem =
  | SystemSmokeJob
  | DeliveryJob<JobName.DeliverEmail>
  | DeliveryJob<JobName.DeliverWebhook>
  | DeliveryJob<JobName.DeliverInApp>
  | MaintenanceJob<JobName.OutboxSweep>
  | MaintenanceJob<JobName.MilestoneReminders>
  | MaintenanceJob<JobName.OverdueDigest>
  | PasswordResetJob
  | DocumentPdfJob;

export type JobData<N extends JobName> = Extract<JobItem, { name: N }>['data'];

/** Which queue each job runs on. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.SystemSmoke]: QueueName.System,
  [JobName.DeliverEmail]: QueueName.NotifyEmail,
  [JobName.DeliverWebhook]: QueueName.NotifyWebhook,
  [JobName.DeliverInApp]: QueueName.NotifyInApp,
  [JobName.OutboxSweep]: QueueName.NotifyMaintenance,
  [JobName.MilestoneReminders]: QueueName.NotifyMaintenance,
  [JobName.OverdueDigest]: QueueName.NotifyMaintenance,
  [JobName.SendPasswordReset]: QueueName.NotifyEmail,
  [JobName.DocumentPdf]: QueueName.Documents,
};

/**
 * Backoff type of a delay that doubles from `delay` and stops growing at BACKOFF_CAP_MS.
 * BullMQ has no cap of its own: the worker computes it with `backoffDelay` (WorkerHost
 * passes it as the workers' backoffStrategy).
 */
export const CAPPED_EXPONENTIAL = 'capped-exponential';
export const BACKOFF_CAP_MS = 10 * 60_000;

/** The wait before the next attempt after `attemptsMade` failed ones (1 after the first failure). */
export function backoffDelay(attemptsMade: number, baseMs: number): number {
  return Math.min(Math.round(baseMs * 2 ** Math.max(0, attemptsMade - 1)), BACKOFF_CAP_MS);
}

/**
 * Per-job options on top of JobProducer's defaults (5 attempts, exponential from 1 s, kept a
 * day when completed and 30 days when failed); JobProducer.enqueue/enqueueMany apply them.
 *
 * - Email and webhook deliveries outlast a real outage of a mail server or a receiver:
 *   13 attempts, waiting 5, 10, 20, 40, 80, 160 and 320 s, then 10 min five times — the last
 *   attempt is ≈ 61 min after the first (3,635 s of waiting), and only then is the row marked
 *   failed (DeliveryService reads the attempt count from job.opts.attempts). A refusal for good
 *   (an SMTP 5xx reply; a webhook 3xx, or 4xx other than 408 and 429) fails at once.
 *   NOTIFY_RETRY_ATTEMPTS and NOTIFY_RETRY_BASE_MS change this schedule (tests use short ones).
 * - In-app deliveries are a database write, so they fail only while PostgreSQL does: 8 attempts,
 *   1, 2, 4 … 64 s apart (≈ 2 min). (A failure that could not be recorded, the database being
 *   down, leaves the row queued, and the sweeper enqueues it again.)
 */
export const JOB_OPTIONS: Partial<Record<JobName, JobsOptions>> = {
  [JobName.DeliverEmail]: { attempts: 13, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 } },
  [JobName.DeliverWebhook]: { attempts: 13, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 } },
  [JobName.DeliverInApp]: { attempts: 8, backoff: { type: CAPPED_EXPONENTIAL, delay: 1000 } },
  // A reset link lasts 30 minutes: retry for about 10, and keep no finished job around.
  [JobName.SendPasswordReset]: { attempts: 6, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 }, removeOnComplete: true, removeOnFail: { age: 3600 } },
  // Issue 15: a conversion that failed (LibreOffice timed out or crashed) is tried again a few times.
  [JobName.DocumentPdf]: { attempts: 4, backoff: { type: CAPPED_EXPONENTIAL, delay: 2000 } },
};

import { createHash } from 'node:crypto';
import type { Job, JobsOptions } from 'bullmq';
import type { AppConfig } from '../config/app-config';

/**
 * The queue contract, in one place: queue names, job names, one discriminated union of job
 * payloads, the default and per-job options, the job schedulers and each queue's concurrency.
 * Features enqueue through JobProducer (which never hands out a BullMQ Queue); the worker (jobs/)
 * must register exactly one processor per JobName or it refuses to start, and runs each queue at
 * the concurrency given here.
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
  /** Issue 20: posts imports (long, one transaction each: kept off every other queue). */
  Imports = 'imports',
}

export enum JobName {
  /** Proves the wiring end to end: API enqueues, worker processes, API shows the result. */
  SystemSmoke = 'system.smoke',
  /** Deliver one notifications row (jobId = the row's id). */
  DeliverEmail = 'notification.deliver_email',
  /** Deliver a batch of email rows, usually one notice's recipients (jobId = `emails-<digest of the ids>`; see emailBatchJobs). */
  DeliverEmailBatch = 'notification.deliver_email_batch',
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
  /** Issue 15: make one ELI schedule (XLSX, draft or final) HR asked for (jobId = `eli-<buildId>`). */
  EliBuild = 'eli.build',
  /** Issue 15: build a consultation's evidence pack, both copies (jobId = `evidence-<packId>`). */
  EvidencePack = 'evidence.pack',
  /** Issue 20: run one uploaded posts import (jobId = `import-<importId>`). */
  PostsImport = 'posts.import',
  /** Issue 15: email one issued document's PDF to one recipient (jobId = `doc-email-<deliveryId>`). */
  DocumentEmail = 'document.email',
  /** Issue 15: re-enqueue every document whose PDF is still pending, and every email not sent (worker start, and every DOCUMENT_SWEEP_EVERY_MS). */
  DocumentSweep = 'document.sweep',
}

export interface SystemSmokeJob {
  name: JobName.SystemSmoke;
  data: { smokeJobId: string };
}

export interface DeliveryJob<N extends JobName.DeliverEmail | JobName.DeliverWebhook | JobName.DeliverInApp> {
  name: N;
  data: { notificationId: string };
}

/** Up to EMAIL_BATCH_ROWS email rows, delivered over one SMTP connection with per-row recording (DeliveryService.deliverEmailBatch). */
export interface EmailBatchJob {
  name: JobName.DeliverEmailBatch;
  data: { notificationIds: string[] };
}

/** Scheduled maintenance jobs carry nothing: they work from the database. */
export interface MaintenanceJob<N extends JobName.OutboxSweep | JobName.MilestoneReminders | JobName.OverdueDigest | JobName.DocumentSweep> {
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

/** Issue 15: the ELI build carries the id of its eli_builds row (the cases are fixed on the row). */
export interface EliBuildJob {
  name: JobName.EliBuild;
  data: { buildId: string };
}

/** Issue 15: the evidence pack build row the worker fills in (evidence_packs.id). */
export interface EvidencePackJob {
  name: JobName.EvidencePack;
  data: { packId: string };
}

/** Issue 20: the import job carries the id of its `imports` row; the file is in import_chunks. */
export interface PostsImportJob {
  name: JobName.PostsImport;
  data: { importId: string };
}

/** Issue 15: one row of document_deliveries to send. */
export interface DocumentEmailJob {
  name: JobName.DocumentEmail;
  data: { deliveryId: string };
}

/** Every job the system knows. Add a member here, then a processor in jobs/. */
export type JobItem =
  | SystemSmokeJob
  | DeliveryJob<JobName.DeliverEmail>
  | EmailBatchJob
  | DeliveryJob<JobName.DeliverWebhook>
  | DeliveryJob<JobName.DeliverInApp>
  | MaintenanceJob<JobName.OutboxSweep>
  | MaintenanceJob<JobName.MilestoneReminders>
  | MaintenanceJob<JobName.OverdueDigest>
  | PasswordResetJob
  | DocumentPdfJob
  | EliBuildJob
  | EvidencePackJob
  | PostsImportJob
  | DocumentEmailJob
  | MaintenanceJob<JobName.DocumentSweep>;

export type JobData<N extends JobName> = Extract<JobItem, { name: N }>['data'];

/** Which queue each job runs on. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.SystemSmoke]: QueueName.System,
  [JobName.DeliverEmail]: QueueName.NotifyEmail,
  [JobName.DeliverEmailBatch]: QueueName.NotifyEmail,
  [JobName.DeliverWebhook]: QueueName.NotifyWebhook,
  [JobName.DeliverInApp]: QueueName.NotifyInApp,
  [JobName.OutboxSweep]: QueueName.NotifyMaintenance,
  [JobName.MilestoneReminders]: QueueName.NotifyMaintenance,
  [JobName.OverdueDigest]: QueueName.NotifyMaintenance,
  [JobName.SendPasswordReset]: QueueName.NotifyEmail,
  [JobName.DocumentPdf]: QueueName.Documents,
  [JobName.EliBuild]: QueueName.Documents,
  [JobName.EvidencePack]: QueueName.Documents,
  [JobName.PostsImport]: QueueName.Imports,
  [JobName.DocumentEmail]: QueueName.Documents,
  [JobName.DocumentSweep]: QueueName.Documents,
};

/**
 * Backoff type of a delay that doubles from `delay` and stops growing at BACKOFF_CAP_MS.
 * BullMQ has no cap of its own: the worker computes it with `backoffDelay` (WorkerHost
 * passes it as the workers' backoffStrategy).
 */
export const CAPPED_EXPONENTIAL = 'capped-exponential';
export const BACKOFF_CAP_MS = 10 * 60_000;

/** Whether the attempt running now is a job's last (BullMQ will not retry it if it fails); a job run outside BullMQ has one attempt. */
export function isLastAttempt(job?: Pick<Job, 'attemptsMade' | 'opts'>): boolean {
  return (job?.attemptsMade ?? 0) + 1 >= (job?.opts.attempts ?? 1);
}

/** The wait before the next attempt after `attemptsMade` failed ones (1 after the first failure). */
export function backoffDelay(attemptsMade: number, baseMs: number): number {
  return Math.min(Math.round(baseMs * 2 ** Math.max(0, attemptsMade - 1)), BACKOFF_CAP_MS);
}

/** What every job is added with unless its name says otherwise (JOB_OPTIONS). */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** BullMQ priority of bulk PDF conversions: a job without one (priority 0) is taken before any job with one. */
export const DOCUMENTS_BULK_PRIORITY = 10;

/**
 * Per-job options on top of DEFAULT_JOB_OPTIONS (5 attempts, exponential from 1 s, kept a
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
  // A batch is retried on the same schedule; each retry delivers only the rows not sent yet.
  [JobName.DeliverEmailBatch]: { attempts: 13, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 } },
  [JobName.DeliverWebhook]: { attempts: 13, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 } },
  [JobName.DeliverInApp]: { attempts: 8, backoff: { type: CAPPED_EXPONENTIAL, delay: 1000 } },
  // A reset link lasts 30 minutes: retry for about 10, and keep no finished job around.
  [JobName.SendPasswordReset]: { attempts: 6, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 }, removeOnComplete: true, removeOnFail: { age: 3600 } },
  // Issue 15: a conversion that failed (LibreOffice timed out or crashed) is tried again a few times.
  // PDF conversions come in bulk (every demo letter after a seed), so they carry a BullMQ priority
  // (DOCUMENTS_BULK_PRIORITY): the documents queue hands out the jobs without one first, so an ELI
  // build or an evidence pack someone is waiting for takes the next free slot instead of queueing
  // behind hundreds of letters. Conversions keep their order among themselves (FIFO within a priority).
  [JobName.DocumentPdf]: { attempts: 4, backoff: { type: CAPPED_EXPONENTIAL, delay: 2000 }, priority: DOCUMENTS_BULK_PRIORITY },
  // ELI builds and evidence packs: no priority, i.e. ahead of every prioritised (bulk) job on the queue.
  [JobName.EliBuild]: { attempts: 4, backoff: { type: CAPPED_EXPONENTIAL, delay: 2000 } },
  // Issue 15: a pack build that failed (LibreOffice, the database) is tried again twice, then recorded as failed.
  [JobName.EvidencePack]: { attempts: 3, backoff: { type: CAPPED_EXPONENTIAL, delay: 2000 } },
  // Issue 20: an import is all or nothing, so a retry after a crash or a lost database starts again cleanly;
  // a file with errors is a result, not a failure (the processor records it and completes the job).
  [JobName.PostsImport]: { attempts: 3, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 } },
  // Issue 15: an issued document's email outlasts a mail server's outage as a notification's does.
  [JobName.DocumentEmail]: { attempts: 13, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 } },
};

/** Jobs whose retry schedule NOTIFY_RETRY_ATTEMPTS / NOTIFY_RETRY_BASE_MS change. */
export const NOTIFY_RETRY_JOBS: ReadonlySet<JobName> = new Set([JobName.DeliverEmail, JobName.DeliverEmailBatch, JobName.DeliverWebhook, JobName.DocumentEmail]);

export const LONDON = 'Europe/London';

/** A BullMQ job scheduler: a maintenance job repeated every n ms or on a cron pattern (Europe/London). */
export interface JobSchedulerSpec {
  id: string;
  job: MaintenanceJob<JobName.OutboxSweep | JobName.MilestoneReminders | JobName.OverdueDigest | JobName.DocumentSweep>['name'];
  repeat: { every: number } | { pattern: string; tz: string };
  opts: JobsOptions;
}

const SCHEDULED_JOB_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } };

/**
 * The job schedulers: the sweeper (every OUTBOX_SWEEP_EVERY_MS), milestone reminders and the
 * overdue digest (cron, Europe/London). JobProducer.ensureSchedulers keeps BullMQ in step.
 */
export function jobSchedulers(config: Pick<AppConfig, 'OUTBOX_SWEEP_EVERY_MS' | 'MILESTONE_REMINDER_CRON' | 'OVERDUE_DIGEST_CRON' | 'DOCUMENT_SWEEP_EVERY_MS'>): JobSchedulerSpec[] {
  return [
    { id: 'outbox-sweep', job: JobName.OutboxSweep, repeat: { every: config.OUTBOX_SWEEP_EVERY_MS }, opts: SCHEDULED_JOB_OPTIONS },
    { id: 'milestone-reminders', job: JobName.MilestoneReminders, repeat: { pattern: config.MILESTONE_REMINDER_CRON, tz: LONDON }, opts: SCHEDULED_JOB_OPTIONS },
    { id: 'overdue-digest', job: JobName.OverdueDigest, repeat: { pattern: config.OVERDUE_DIGEST_CRON, tz: LONDON }, opts: SCHEDULED_JOB_OPTIONS },
    { id: 'document-sweep', job: JobName.DocumentSweep, repeat: { every: config.DOCUMENT_SWEEP_EVERY_MS }, opts: SCHEDULED_JOB_OPTIONS },
  ];
}

/**
 * Jobs each worker process runs at once on a queue. The email queue runs EMAIL_JOB_CONCURRENCY
 * (default 2 × SMTP_POOL_SIZE): a batch job holds one SMTP connection while it sends (so at most
 * SMTP_POOL_SIZE send at once), and as many again load their rows and wait for a connection, so a
 * connection is never idle between batches (measured in docs/benchmarks.md, issue 20). A worker told
 * to stop finishes every job it holds. Imports run IMPORT_CONCURRENCY (1). The other queues run 10.
 */
export function queueConcurrency(
  queue: QueueName,
  config: Pick<AppConfig, 'SMTP_POOL_SIZE'> & Partial<Pick<AppConfig, 'EMAIL_JOB_CONCURRENCY' | 'IMPORT_CONCURRENCY'>>,
): number {
  if (queue === QueueName.NotifyEmail) return config.EMAIL_JOB_CONCURRENCY || Math.max(2, 2 * config.SMTP_POOL_SIZE);
  // Issue 20: each import holds a connection and a long transaction, and uses a core while it parses.
  if (queue === QueueName.Imports) return config.IMPORT_CONCURRENCY ?? 1;
  return 10;
}

/** Email rows in one batch job at most: a notice to a forum goes out as a few jobs rather than one per recipient. */
export const EMAIL_BATCH_ROWS = 100;

/** How an email batch job's id starts (deliveryJobs). */
export const EMAIL_BATCH_JOB_PREFIX = 'emails-';

/**
 * The delivery jobs for rows to enqueue: email rows in batch jobs of up to EMAIL_BATCH_ROWS, in
 * the order given (the relay gives them notice by notice), each under an id made from its rows'
 * ids (the same rows enqueued again make the same id: a no-op while BullMQ holds that job); a
 * webhook or in-app row gets a job of its own under its row id. An email row that already names
 * its batch job (`job_id`, written with the row by the relay) goes back under that id, with the
 * other rows given here that name it, so re-enqueueing rows whose job BullMQ still holds is a
 * no-op however they were read. `rowIds` says which rows a job carries.
 */
export function deliveryJobs(
  rows: readonly { id: string; channel: 'email' | 'webhook' | 'in_app'; job_id?: string | null }[],
): { item: JobItem; jobId: string; rowIds: string[] }[] {
  const jobs: { item: JobItem; jobId: string; rowIds: string[] }[] = [];
  const emails: string[] = [];
  const named = new Map<string, string[]>();
  for (const r of rows) {
    if (r.channel === 'email') {
      if (r.job_id?.startsWith(EMAIL_BATCH_JOB_PREFIX)) {
        const ids = named.get(r.job_id);
        if (ids) ids.push(r.id);
        else named.set(r.job_id, [r.id]);
      } else emails.push(r.id);
    } else if (r.channel === 'webhook') jobs.push({ item: { name: JobName.DeliverWebhook, data: { notificationId: r.id } }, jobId: r.id, rowIds: [r.id] });
    else jobs.push({ item: { name: JobName.DeliverInApp, data: { notificationId: r.id } }, jobId: r.id, rowIds: [r.id] });
  }
  for (const [jobId, ids] of named) jobs.push({ item: { name: JobName.DeliverEmailBatch, data: { notificationIds: ids } }, jobId, rowIds: ids });
  for (let i = 0; i < emails.length; i += EMAIL_BATCH_ROWS) {
    const ids = emails.slice(i, i + EMAIL_BATCH_ROWS);
    jobs.push({ item: { name: JobName.DeliverEmailBatch, data: { notificationIds: ids } }, jobId: emailBatchJobId(ids), rowIds: ids });
  }
  return jobs;
}

/** The id of the email batch job that carries these rows (the same rows, the same id). */
export function emailBatchJobId(rowIds: readonly string[]): string {
  return `${EMAIL_BATCH_JOB_PREFIX}${createHash('sha1').update(rowIds.join(',')).digest('hex')}`;
}

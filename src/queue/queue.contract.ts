/**
 * The queue contract, in one place: queue names, job names, and one
 * discriminated union of job payloads. Features enqueue through JobProducer;
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

/** Every job the system knows. Add a member here, then a processor in jobs/. */
export type JobItem =
  | SystemSmokeJob
  | DeliveryJob<JobName.DeliverEmail>
  | DeliveryJob<JobName.DeliverWebhook>
  | DeliveryJob<JobName.DeliverInApp>
  | MaintenanceJob<JobName.OutboxSweep>
  | MaintenanceJob<JobName.MilestoneReminders>
  | MaintenanceJob<JobName.OverdueDigest>;

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
};

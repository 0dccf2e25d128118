import { JobName } from '../queue/queue.contract';

export enum NotificationChannel {
  Email = 'email',
  Webhook = 'webhook',
  InApp = 'in_app',
}

/**
 * pending: written by the relay (with the id of the job that carries it, enqueued right after the
 * commit); queued: seen on its queue (an attempt failed and its job will retry, or the sweeper
 * found it waiting on a live job, or an admin retried it); sent: delivered (once); failed: out of attempts,
 * an admin may retry.
 */
export enum NotificationStatus {
  Pending = 'pending',
  Queued = 'queued',
  Sent = 'sent',
  Failed = 'failed',
}

/** The delivery job of each channel. */
export const CHANNEL_JOB = {
  [NotificationChannel.Email]: JobName.DeliverEmail,
  [NotificationChannel.Webhook]: JobName.DeliverWebhook,
  [NotificationChannel.InApp]: JobName.DeliverInApp,
} as const satisfies Record<NotificationChannel, JobName>;

/** The notifications row as the delivery processors read it. */
export interface NotificationRow {
  id: string;
  event_id: string;
  event_type: string;
  event_occurred_at: Date;
  programme_id: string | null;
  recipient_key: string;
  channel: NotificationChannel;
  user_id: string | null;
  webhook_subscription_id: string | null;
  address: string | null;
  subject: string;
  body_text: string;
  body_html: string | null;
  payload: Record<string, unknown> | null;
  status: NotificationStatus;
  attempts: number;
}

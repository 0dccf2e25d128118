import type { Job } from 'bullmq';
import { DeliveryResult, DeliveryService, DeliveryTargetGone } from '../../src/notifications/delivery.service';
import { NotificationChannel } from '../../src/notifications/notification.types';
import { JobTargetGone } from '../job-processor';

/** Shared by the three delivery processors: deliver the row; a row that has gone is skipped. */
export async function deliverOrSkip(delivery: DeliveryService, channel: NotificationChannel, notificationId: string, job: Job): Promise<DeliveryResult> {
  try {
    return await delivery.deliver(channel, notificationId, job);
  } catch (err) {
    if (err instanceof DeliveryTargetGone) throw new JobTargetGone(err.message);
    throw err;
  }
}

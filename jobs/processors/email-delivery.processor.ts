import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { BatchDeliveryResult, DeliveryResult, DeliveryService } from '../../src/notifications/delivery.service';
import { NotificationChannel } from '../../src/notifications/notification.types';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor } from '../job-processor';
import { deliverOrSkip } from './notification-delivery';

/** One email row (an admin's retry, or a job enqueued before batches). */
@Injectable()
export class EmailDeliveryProcessor implements JobProcessor<JobName.DeliverEmail> {
  readonly jobName = JobName.DeliverEmail;

  constructor(private readonly delivery: DeliveryService) {}

  process({ notificationId }: JobData<JobName.DeliverEmail>, job: Job): Promise<DeliveryResult> {
    return deliverOrSkip(this.delivery, NotificationChannel.Email, notificationId, job);
  }
}

/** A batch of email rows, as the relay and the sweeper enqueue them (one SMTP connection, each row recorded on its own). */
@Injectable()
export class EmailBatchDeliveryProcessor implements JobProcessor<JobName.DeliverEmailBatch> {
  readonly jobName = JobName.DeliverEmailBatch;

  constructor(private readonly delivery: DeliveryService) {}

  process({ notificationIds }: JobData<JobName.DeliverEmailBatch>, job: Job): Promise<BatchDeliveryResult> {
    return this.delivery.deliverEmailBatch(notificationIds, job);
  }
}

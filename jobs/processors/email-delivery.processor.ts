import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DeliveryResult, DeliveryService } from '../../src/notifications/delivery.service';
import { NotificationChannel } from '../../src/notifications/notification.types';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor } from '../job-processor';
import { deliverOrSkip } from './notification-delivery';

@Injectable()
export class EmailDeliveryProcessor implements JobProcessor<JobName.DeliverEmail> {
  readonly jobName = JobName.DeliverEmail;

  constructor(private readonly delivery: DeliveryService) {}

  process({ notificationId }: JobData<JobName.DeliverEmail>, job: Job): Promise<DeliveryResult> {
    return deliverOrSkip(this.delivery, NotificationChannel.Email, notificationId, job);
  }
}

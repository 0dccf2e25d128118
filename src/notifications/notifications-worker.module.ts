import { Module } from '@nestjs/common';
import { PeopleModule } from '../people/people.module';
import { EmailChannel } from './channels/email.channel';
import { WebhookChannel } from './channels/webhook.channel';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliveryService } from './delivery.service';
import { JobSchedules } from './job-schedules.service';
import { MilestoneRemindersService } from './milestone-reminders.service';
import { NoticeRenderer } from './notice-renderer.service';
import { OutboxRelayService } from './outbox-relay.service';
import { OutboxSweeper } from './outbox-sweeper.service';
import { OverdueDigestService } from './overdue-digest.service';
import { RecipientsService } from './recipients.service';
import { RedisPreflight } from './redis-preflight';
import { RelayLoop } from './relay-loop.service';

/**
 * The worker side of notifications: the Redis preflight, the outbox relay loop, the job
 * schedulers, and what the delivery, sweep, reminder and digest processors call.
 * Needs the global Config, Redis, Queue and Events modules.
 */
@Module({
  // EmployeesService: the names of the people an event names by id, for the notices of those allowed to see them.
  imports: [PeopleModule],
  providers: [
    RedisPreflight,
    NoticeRenderer,
    RecipientsService,
    OutboxRelayService,
    OutboxSweeper,
    JobSchedules,
    RelayLoop,
    DeliveryMetrics,
    EmailChannel,
    WebhookChannel,
    DeliveryService,
    MilestoneRemindersService,
    OverdueDigestService,
  ],
  exports: [DeliveryService, OutboxSweeper, OutboxRelayService, MilestoneRemindersService, OverdueDigestService, JobSchedules, DeliveryMetrics],
})
export class NotificationsWorkerModule {}

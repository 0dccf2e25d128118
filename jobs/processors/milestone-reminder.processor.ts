import { Injectable } from '@nestjs/common';
import { MilestoneRemindersService } from '../../src/notifications/milestone-reminders.service';
import { JobName } from '../../src/queue/queue.contract';
import { JobProcessor } from '../job-processor';

/** Runs on MILESTONE_REMINDER_CRON in Europe/London (a BullMQ job scheduler). */
@Injectable()
export class MilestoneReminderProcessor implements JobProcessor<JobName.MilestoneReminders> {
  readonly jobName = JobName.MilestoneReminders;

  constructor(private readonly reminders: MilestoneRemindersService) {}

  process(): Promise<{ upcoming: number; missed: number }> {
    return this.reminders.run();
  }
}

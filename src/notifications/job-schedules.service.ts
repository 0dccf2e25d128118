import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobProducer } from '../queue/job-producer.service';
import { JOB_QUEUE, JobName } from '../queue/queue.contract';

export const LONDON = 'Europe/London';

export interface ScheduleSpec {
  id: string;
  job: JobName.OutboxSweep | JobName.MilestoneReminders | JobName.OverdueDigest;
  repeat: { every: number } | { pattern: string; tz: string };
}

/**
 * The BullMQ job schedulers of the notifications feature: the sweeper (every
 * OUTBOX_SWEEP_EVERY_MS), milestone reminders and the overdue digest (cron, Europe/London).
 * `ensure` upserts a scheduler only when it is missing or its timing changed, so calling it
 * often neither duplicates nor delays runs.
 */
@Injectable()
export class JobSchedules {
  private readonly logger = new Logger('JobSchedules');

  constructor(
    private readonly producer: JobProducer,
    private readonly config: AppConfig,
  ) {}

  specs(): ScheduleSpec[] {
    return [
      { id: 'outbox-sweep', job: JobName.OutboxSweep, repeat: { every: this.config.OUTBOX_SWEEP_EVERY_MS } },
      { id: 'milestone-reminders', job: JobName.MilestoneReminders, repeat: { pattern: this.config.MILESTONE_REMINDER_CRON, tz: LONDON } },
      { id: 'overdue-digest', job: JobName.OverdueDigest, repeat: { pattern: this.config.OVERDUE_DIGEST_CRON, tz: LONDON } },
    ];
  }

  async ensure(): Promise<void> {
    for (const s of this.specs()) {
      const queue = this.producer.queue(JOB_QUEUE[s.job]);
      const existing = await queue.getJobScheduler(s.id);
      const same =
        existing &&
        ('every' in s.repeat
          ? Number(existing.every) === s.repeat.every
          : existing.pattern === s.repeat.pattern && (existing.tz ?? undefined) === s.repeat.tz);
      if (same) continue;
      await queue.upsertJobScheduler(s.id, s.repeat, {
        name: s.job,
        data: {},
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } },
      });
      this.logger.log(`job scheduler ${s.id} ${existing ? 'updated' : 'created'}: ${JSON.stringify(s.repeat)}`);
    }
  }
}

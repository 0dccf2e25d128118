import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobProducer } from '../queue/job-producer.service';
import { JobSchedulerSpec, jobSchedulers } from '../queue/queue.contract';

export { LONDON } from '../queue/queue.contract';
export type ScheduleSpec = JobSchedulerSpec;

/**
 * The notifications feature's job schedulers (the sweeper, milestone reminders, the overdue
 * digest), as the queue contract defines them (jobSchedulers); JobProducer keeps them in BullMQ.
 */
@Injectable()
export class JobSchedules {
  constructor(
    private readonly producer: JobProducer,
    private readonly config: AppConfig,
  ) {}

  specs(): ScheduleSpec[] {
    return jobSchedulers(this.config);
  }

  ensure(): Promise<void> {
    return this.producer.ensureSchedulers();
  }
}

import { Injectable } from '@nestjs/common';
import { OverdueDigestService } from '../../src/notifications/overdue-digest.service';
import { JobName } from '../../src/queue/queue.contract';
import { JobProcessor } from '../job-processor';

/** Runs on OVERDUE_DIGEST_CRON in Europe/London (a BullMQ job scheduler). */
@Injectable()
export class OverdueDigestProcessor implements JobProcessor<JobName.OverdueDigest> {
  readonly jobName = JobName.OverdueDigest;

  constructor(private readonly digest: OverdueDigestService) {}

  process(): Promise<{ programmes: number }> {
    return this.digest.run();
  }
}

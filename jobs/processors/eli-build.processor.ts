import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { EliBuildGone, EliBuildService } from '../../src/documents/eli/eli-build.service';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor, JobTargetGone } from '../job-processor';

/** One ELI schedule (XLSX, draft or final) for the cases fixed on its build row (issue 15). */
@Injectable()
export class EliBuildProcessor implements JobProcessor<JobName.EliBuild> {
  readonly jobName = JobName.EliBuild;

  constructor(private readonly eli: EliBuildService) {}

  async process(data: JobData<JobName.EliBuild>, job: Job): Promise<unknown> {
    try {
      return await this.eli.build(data.buildId);
    } catch (err) {
      if (err instanceof EliBuildGone) throw new JobTargetGone(err.message);
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await this.eli.markFailed(data.buildId, (err as Error).message);
      throw err;
    }
  }
}

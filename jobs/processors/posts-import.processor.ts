import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { ImportGone, ImportRunner } from '../../src/establishment/imports/import-runner.service';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor, JobTargetGone } from '../job-processor';

/** One uploaded posts import: staged, checked and merged in one transaction (issue 20). */
@Injectable()
export class PostsImportProcessor implements JobProcessor<JobName.PostsImport> {
  readonly jobName = JobName.PostsImport;

  constructor(private readonly runner: ImportRunner) {}

  async process(data: JobData<JobName.PostsImport>, job: Job): Promise<unknown> {
    try {
      return await this.runner.run(data.importId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
    } catch (err) {
      if (err instanceof ImportGone) throw new JobTargetGone(err.message);
      throw err;
    }
  }
}

import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { EvidencePackBuilder, EvidencePackGone } from '../../src/documents/evidence/evidence-builder.service';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor, JobTargetGone } from '../job-processor';

/** A consultation's evidence pack, both copies (issue 15). Failures are rethrown for BullMQ to retry; the last is recorded. */
@Injectable()
export class EvidencePackProcessor implements JobProcessor<JobName.EvidencePack> {
  readonly jobName = JobName.EvidencePack;

  constructor(private readonly builder: EvidencePackBuilder) {}

  async process(data: JobData<JobName.EvidencePack>, job: Job): Promise<unknown> {
    try {
      return await this.builder.build(data.packId);
    } catch (err) {
      if (err instanceof EvidencePackGone) throw new JobTargetGone(err.message);
      const attempts = job.opts.attempts ?? 1;
      const message = (err as Error).message || String(err);
      if (job.attemptsMade + 1 >= attempts) await this.builder.markFailed(data.packId, message);
      else await this.builder.recordAttemptFailed(data.packId, message, job.attemptsMade + 1, attempts);
      throw err;
    }
  }
}

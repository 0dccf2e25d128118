import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DeliveryGone, DocumentMailer } from '../../src/documents/delivery/document-mailer';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor, JobTargetGone } from '../job-processor';

/** Email one issued document's PDF to one recipient (issue 15). */
@Injectable()
export class DocumentEmailProcessor implements JobProcessor<JobName.DocumentEmail> {
  readonly jobName = JobName.DocumentEmail;

  constructor(private readonly mailer: DocumentMailer) {}

  async process(data: JobData<JobName.DocumentEmail>, job: Job): Promise<unknown> {
    try {
      return await this.mailer.send(data.deliveryId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
    } catch (err) {
      if (err instanceof DeliveryGone) throw new JobTargetGone(err.message);
      throw err;
    }
  }
}

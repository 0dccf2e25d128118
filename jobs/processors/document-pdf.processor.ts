import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DocumentGone, DocumentPdfService } from '../../src/documents/document-pdf.service';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { JobProcessor, JobTargetGone } from '../job-processor';

/** DOCX → tagged PDF by LibreOffice, for one generated document (issue 15). */
@Injectable()
export class DocumentPdfProcessor implements JobProcessor<JobName.DocumentPdf> {
  readonly jobName = JobName.DocumentPdf;

  constructor(private readonly pdf: DocumentPdfService) {}

  async process(data: JobData<JobName.DocumentPdf>, job: Job): Promise<unknown> {
    try {
      return await this.pdf.makePdf(data.documentId);
    } catch (err) {
      if (err instanceof DocumentGone) throw new JobTargetGone(err.message);
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await this.pdf.markFailed(data.documentId, (err as Error).message);
      throw err;
    }
  }
}

import { Injectable } from '@nestjs/common';
import { DocumentSweep } from '../../src/documents/delivery/document-sweep';
import { JobName } from '../../src/queue/queue.contract';
import { JobProcessor } from '../job-processor';

/** Re-enqueue pending PDFs and unsent document emails (issue 15; the `document-sweep` scheduler). */
@Injectable()
export class DocumentSweepProcessor implements JobProcessor<JobName.DocumentSweep> {
  readonly jobName = JobName.DocumentSweep;

  constructor(private readonly documents: DocumentSweep) {}

  process(): Promise<unknown> {
    return this.documents.sweep();
  }
}

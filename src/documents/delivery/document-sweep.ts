import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobProducer } from '../../queue/job-producer.service';
import { JobName } from '../../queue/queue.contract';
import { deliveryJobId, pdfJobId } from './document-deliveries';

const BATCH = 5000;

/**
 * The worker's sweep of documents (issue 15): every document whose PDF is still pending (the demo
 * seed's letters after `make seed` on a running stack, a job lost with Redis) and every email of an
 * issued document not sent yet is enqueued again, under the job id it always has (`pdf-<id>`,
 * `doc-email-<id>`), so a job BullMQ still holds is never doubled. Runs when the worker starts and
 * on the `document-sweep` job scheduler (DOCUMENT_SWEEP_EVERY_MS).
 */
@Injectable()
export class DocumentSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger('DocumentSweep');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: JobProducer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.sweep();
    } catch (err) {
      // The scheduler runs it again; a worker that cannot reach Redis at start still starts.
      this.logger.warn({ err: (err as Error).message }, 'document sweep at start failed');
    }
  }

  async sweep(): Promise<{ pdfs: number; emails: number }> {
    const pending: { id: string }[] = await this.db.query(`SELECT id FROM documents WHERE pdf_status = 'pending' ORDER BY created_at, id LIMIT ${BATCH}`);
    const unsent: { id: string }[] = await this.db.query(`SELECT id FROM document_deliveries WHERE status = 'queued' ORDER BY created_at, id LIMIT ${BATCH}`);
    const res = await this.jobs.enqueueMany([
      ...pending.map((p) => ({ item: { name: JobName.DocumentPdf as const, data: { documentId: p.id } }, jobId: pdfJobId(p.id) })),
      ...unsent.map((d) => ({ item: { name: JobName.DocumentEmail as const, data: { deliveryId: d.id } }, jobId: deliveryJobId(d.id) })),
    ]);
    if (res.error) throw res.error;
    if (pending.length || unsent.length) this.logger.log(`document sweep: ${pending.length} pending PDFs, ${unsent.length} unsent emails enqueued (idempotent by job id)`);
    return { pdfs: pending.length, emails: unsent.length };
  }
}

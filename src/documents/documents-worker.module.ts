import { DocumentStoreModule } from './document-store.module';
import { Module } from '@nestjs/common';
import { DocumentPdfService } from './document-pdf.service';
import { EliBuildService } from './eli/eli-build.service';
import { EvidencePackBuilder } from './evidence/evidence-builder.service';
import { DocumentMailer } from './delivery/document-mailer';
import { DocumentSweep } from './delivery/document-sweep';

/** What the worker needs to make documents: PDFs (one LibreOffice converter per worker process), ELI schedules, evidence packs. */
@Module({
  imports: [DocumentStoreModule],
  providers: [DocumentPdfService, EliBuildService, EvidencePackBuilder, DocumentMailer, DocumentSweep],
  exports: [DocumentPdfService, EliBuildService, EvidencePackBuilder, DocumentMailer, DocumentSweep],
})
export class DocumentsWorkerModule {}

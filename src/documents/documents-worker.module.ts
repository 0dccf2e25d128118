import { Module } from '@nestjs/common';
import { DocumentPdfService } from './document-pdf.service';
import { EvidencePackBuilder } from './evidence/evidence-builder.service';

/** What the worker needs to make documents' PDFs (one LibreOffice converter per worker process). */
@Module({
  providers: [DocumentPdfService, EvidencePackBuilder],
  exports: [DocumentPdfService, EvidencePackBuilder],
})
export class DocumentsWorkerModule {}

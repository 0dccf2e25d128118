import { Module } from '@nestjs/common';
import { DocumentPdfService } from './document-pdf.service';
import { EliBuildService } from './eli/eli-build.service';
import { EvidencePackBuilder } from './evidence/evidence-builder.service';

/** What the worker needs to make documents: PDFs (one LibreOffice converter per worker process), ELI schedules, evidence packs. */
@Module({
  providers: [DocumentPdfService, EliBuildService, EvidencePackBuilder],
  exports: [DocumentPdfService, EliBuildService, EvidencePackBuilder],
})
export class DocumentsWorkerModule {}

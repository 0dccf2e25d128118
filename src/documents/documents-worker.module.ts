import { Module } from '@nestjs/common';
import { DocumentPdfService } from './document-pdf.service';
import { EliBuildService } from './eli/eli-build.service';

/** What the worker needs to make documents' PDFs (one LibreOffice converter per worker process). */
@Module({
  providers: [DocumentPdfService, EliBuildService],
  exports: [DocumentPdfService, EliBuildService],
})
export class DocumentsWorkerModule {}

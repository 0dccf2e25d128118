import { Module } from '@nestjs/common';
import { DocumentPdfService } from './document-pdf.service';

/** What the worker needs to make documents' PDFs (one LibreOffice converter per worker process). */
@Module({
  providers: [DocumentPdfService],
  exports: [DocumentPdfService],
})
export class DocumentsWorkerModule {}

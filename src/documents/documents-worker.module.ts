import { Module } from '@nestjs/common';
import { DocumentPdfService } from './document-pdf.service';
import { DocumentMailer } from './delivery/document-mailer';
import { DocumentSweep } from './delivery/document-sweep';

/** What the worker needs to make documents' PDFs (one LibreOffice converter per worker process). */
@Module({
  providers: [DocumentPdfService, DocumentMailer, DocumentSweep],
  exports: [DocumentPdfService, DocumentMailer, DocumentSweep],
})
export class DocumentsWorkerModule {}

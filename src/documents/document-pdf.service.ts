import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { documentStoreFor } from './configured-store';
import { DocumentStore, MEDIA } from './document-store';
import { LibreOfficeConverter } from './libreoffice';

export class DocumentGone extends Error {}

/** The worker's side of a document: its DOCX becomes a tagged PDF by LibreOffice (one converter, one profile, per worker). */
@Injectable()
export class DocumentPdfService implements OnApplicationShutdown {
  readonly converter: LibreOfficeConverter;
  private readonly store: DocumentStore;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: AppConfig,
  ) {
    this.store = documentStoreFor(config);
    this.converter = new LibreOfficeConverter({ sofficePath: config.SOFFICE_PATH, timeoutMs: config.LIBREOFFICE_TIMEOUT_MS });
  }

  /** Make the PDF of a draft; a document that already has one is left as it is. */
  async makePdf(documentId: string): Promise<{ pdfSha256: string } | { skipped: string }> {
    const [doc]: { docx_file_id: string; pdf_file_id: string | null; kind: string }[] = await this.db.query(
      `SELECT docx_file_id, pdf_file_id, kind FROM documents WHERE id = $1`,
      [documentId],
    );
    if (!doc) throw new DocumentGone(`document ${documentId} no longer exists`);
    if (doc.pdf_file_id) return { skipped: 'the PDF exists already' };
    const docx = (await this.store.load(this.db.manager, doc.docx_file_id))!;
    const pdf = await this.converter.convert(docx.bytes);
    return this.db.transaction(async (em) => {
      const [locked] = await em.query(`SELECT pdf_file_id FROM documents WHERE id = $1 FOR UPDATE`, [documentId]);
      if (!locked) throw new DocumentGone(`document ${documentId} no longer exists`);
      if (locked.pdf_file_id) return { skipped: 'the PDF exists already' };
      const file = await this.store.save(em, { bytes: pdf, mediaType: MEDIA.pdf, filename: `${doc.kind}.pdf` });
      await em.query(`UPDATE documents SET pdf_file_id = $2, pdf_status = 'ready', pdf_error = NULL WHERE id = $1`, [documentId, file.id]);
      return { pdfSha256: file.sha256 };
    });
  }

  /** After the last attempt: the draft shows the failure (HR can generate again). */
  async markFailed(documentId: string, error: string): Promise<void> {
    await this.db.query(`UPDATE documents SET pdf_status = 'failed', pdf_error = $2 WHERE id = $1 AND pdf_file_id IS NULL AND issued_at IS NULL`, [documentId, error.slice(0, 2000)]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.converter.dispose();
  }
}

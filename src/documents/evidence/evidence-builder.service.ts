import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { DocumentPdfService } from '../document-pdf.service';
import { DOCUMENT_STORE, DocumentStore, MEDIA } from '../document-store';
import { EvidenceContent, forCopy, loadEvidence } from './evidence-data';
import { evidenceDocx } from './evidence-docx';
import { evidenceZip } from './evidence-zip';

export const EVIDENCE_PACK_ENTITY = 'evidence_pack';

export class EvidencePackGone extends Error {}

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, affected count]: the rows. */
export function returnedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/** What a ready pack holds, kept with it (the API and the page show it; no personal data). */
export interface PackContents {
  meetings: number;
  milestones: number;
  representations: number;
  unanswered: number;
  actions: number;
  documents: number;
  rules: number;
}

export function contentsOf(e: EvidenceContent): PackContents {
  return {
    meetings: e.meetings.length,
    milestones: e.timeline.filter((t) => t.kind === 'milestone').length,
    representations: e.representations.length,
    unanswered: e.representations.filter((r) => !r.response).length,
    actions: e.actions.length,
    documents: e.documents.length,
    rules: e.rules.length,
  };
}

/**
 * The worker's side of an evidence pack (job evidence.pack): read the consultation, write both
 * copies' DOCX, make their tagged PDFs with the worker's one LibreOffice converter (both in one
 * run), pack the originals, then store the four files and mark the build ready in one transaction.
 * Each stage is recorded (step and percent) as it starts. A build that fails keeps the previous
 * ready pack as the one to download.
 */
@Injectable()
export class EvidencePackBuilder {
  private readonly logger = new Logger('EvidencePack');
  @Inject(DOCUMENT_STORE) private readonly store!: DocumentStore;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly pdf: DocumentPdfService,
    private readonly audit: AuditService,
  ) {}

  private async progress(packId: string, percent: number, step: string): Promise<void> {
    await this.db.query(`UPDATE evidence_packs SET progress = $2, step = $3 WHERE id = $1 AND status = 'running'`, [packId, percent, step]);
  }

  async build(packId: string): Promise<{ skipped: string } | { pdfSha256: string; zipSha256: string }> {
    const [row] = returnedRows<{ consultation_id: string; requested_by_label: string }>(
      await this.db.query(
      `UPDATE evidence_packs SET status = 'running', started_at = coalesce(started_at, now()), progress = 5, step = 'Reading the consultation'
        WHERE id = $1 AND status IN ('queued', 'running') RETURNING consultation_id, requested_by_label`,
        [packId],
      ),
    );
    if (!row) {
      const [exists] = await this.db.query(`SELECT status FROM evidence_packs WHERE id = $1`, [packId]);
      if (!exists) throw new EvidencePackGone(`evidence pack ${packId} no longer exists`);
      return { skipped: `the build is ${exists.status} already` };
    }
    const full = await loadEvidence(this.db.manager, row.consultation_id, row.requested_by_label);
    if (!full) throw new EvidencePackGone(`the consultation of evidence pack ${packId} no longer exists`);
    const rep = forCopy(full, 'rep');

    await this.progress(packId, 15, 'Writing the full copy and the representatives’ copy');
    const [fullDocx, repDocx] = [await evidenceDocx(full), await evidenceDocx(rep)];

    await this.progress(packId, 30, 'Making the tagged PDFs (LibreOffice)');
    const [fullPdf, repPdf] = await Promise.all([this.pdf.converter.convert(fullDocx), this.pdf.converter.convert(repDocx)]);

    await this.progress(packId, 70, 'Packing the originals (ZIP with manifest)');
    const source = {
      load: async (fileId: string) => {
        const f = await this.store.load(this.db.manager, fileId);
        if (!f) throw new Error(`stored file ${fileId} is missing`);
        return { bytes: f.bytes, sha256: f.sha256 };
      },
    };
    const fullZip = await evidenceZip(full, source);
    const repZip = await evidenceZip(rep, source);

    await this.progress(packId, 90, 'Storing the pack');
    const stamp = full.builtAt.slice(0, 10);
    return this.db.transaction(async (em) => {
      const [locked] = await em.query(`SELECT status FROM evidence_packs WHERE id = $1 FOR UPDATE`, [packId]);
      if (!locked) throw new EvidencePackGone(`evidence pack ${packId} no longer exists`);
      if (locked.status !== 'running') return { skipped: `the build is ${locked.status} already` };
      const files = {
        pdf: await this.store.save(em, { bytes: fullPdf, mediaType: MEDIA.pdf, filename: `evidence-pack-${stamp}.pdf` }),
        zip: await this.store.save(em, { bytes: fullZip, mediaType: MEDIA.zip, filename: `evidence-pack-${stamp}-originals.zip` }),
        repPdf: await this.store.save(em, { bytes: repPdf, mediaType: MEDIA.pdf, filename: `evidence-pack-${stamp}-reps.pdf` }),
        repZip: await this.store.save(em, { bytes: repZip, mediaType: MEDIA.zip, filename: `evidence-pack-${stamp}-reps-originals.zip` }),
      };
      const contents = contentsOf(full);
      await em.query(
        `UPDATE evidence_packs SET status = 'ready', progress = 100, step = 'Ready', error = NULL, finished_at = now(), contents = $6,
                pdf_file_id = $2, zip_file_id = $3, rep_pdf_file_id = $4, rep_zip_file_id = $5 WHERE id = $1`,
        [packId, files.pdf.id, files.zip.id, files.repPdf.id, files.repZip.id, JSON.stringify(contents)],
      );
      await this.audit.record(em, {
        action: 'evidence_pack.build',
        entityType: EVIDENCE_PACK_ENTITY,
        entityId: packId,
        after: {
          consultationId: row.consultation_id,
          status: 'ready',
          ...contents,
          sha256: { pdf: files.pdf.sha256, zip: files.zip.sha256, repPdf: files.repPdf.sha256, repZip: files.repZip.sha256 },
        },
        actor: null,
        actorLabel: `worker (requested by ${row.requested_by_label})`,
      });
      return { pdfSha256: files.pdf.sha256, zipSha256: files.zip.sha256 };
    });
  }

  /** An attempt failed: its reason is shown while the job is retried. */
  async recordAttemptFailed(packId: string, error: string, attempt: number, attempts: number): Promise<void> {
    await this.db.query(`UPDATE evidence_packs SET error = $2, step = $3 WHERE id = $1 AND status = 'running'`, [
      packId,
      error.slice(0, 2000),
      `Attempt ${attempt} of ${attempts} failed; trying again`,
    ]);
  }

  /** After the last attempt: the build is failed with its reason; the previous ready pack stays the one to download. */
  async markFailed(packId: string, error: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const rows = returnedRows<{ consultation_id: string }>(
        await em.query(
          `UPDATE evidence_packs SET status = 'failed', error = $2, step = 'Failed', finished_at = now() WHERE id = $1 AND status IN ('queued', 'running') RETURNING consultation_id`,
          [packId, error.slice(0, 2000)],
        ),
      );
      if (!rows.length) return;
      await this.audit.record(em, {
        action: 'evidence_pack.build',
        entityType: EVIDENCE_PACK_ENTITY,
        entityId: packId,
        after: { consultationId: rows[0].consultation_id, status: 'failed', error: error.slice(0, 500) },
        actor: null,
        actorLabel: 'worker',
      });
    });
    this.logger.warn({ packId, error }, 'evidence pack build failed');
  }
}

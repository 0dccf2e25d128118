import { Inject, HttpStatus, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import type { AuthUser } from '../../common/access/auth-user';
import { Role } from '../../common/access/role.enum';
import { isStaff } from '../../common/access/programme-access';
import { ApiException } from '../../common/errors/api-error';
import { assertProgrammeVisible } from '../../cases/case-access';
import { JobProducer } from '../../queue/job-producer.service';
import { JobName } from '../../queue/queue.contract';
import { DOCUMENT_STORE, DocumentStore, StoredFile } from '../document-store';
import { EVIDENCE_PACK_ENTITY, PackContents } from './evidence-builder.service';
import type { PackCopy } from './evidence-data';
import type { EvidencePackResponse, EvidencePackStatusResponse, PackFileResponse } from './evidence-pack.dto';

interface PackRow {
  id: string;
  consultation_id: string;
  status: 'queued' | 'running' | 'ready' | 'failed';
  progress: number;
  step: string | null;
  error: string | null;
  requested_by_label: string;
  created_at: Date;
  finished_at: Date | null;
  contents: PackContents | null;
  pdf_file_id: string | null;
  zip_file_id: string | null;
  rep_pdf_file_id: string | null;
  rep_zip_file_id: string | null;
}

interface FileMeta {
  id: string;
  filename: string;
  sha256: string;
  size_bytes: number;
}

const FILE_COLUMN: Record<PackCopy, Record<'pdf' | 'zip', keyof PackRow>> = {
  full: { pdf: 'pdf_file_id', zip: 'zip_file_id' },
  rep: { pdf: 'rep_pdf_file_id', zip: 'rep_zip_file_id' },
};

/** The copy a caller may download: HR and admins either (full by default); a tu_rep the reps' copy only. */
export function copyFor(user: Pick<AuthUser, 'role'>, asked: PackCopy | undefined): PackCopy {
  if (user.role === Role.TuRep) {
    if (asked === 'full') throw new ApiException(HttpStatus.FORBIDDEN, 'Representatives may download only the representatives’ copy', [{ field: 'copy', reason: 'must be rep for a trade union representative' }]);
    return 'rep';
  }
  return asked ?? 'full';
}

/**
 * The API's side of evidence packs: ask the worker for a build (one under way per consultation at
 * most), read the newest build and the newest ready one, download a copy's PDF or ZIP. Every
 * request and download is audited. HR and admins build and download both copies; tu_reps of the
 * programme download the reps' copy; managers have no access (the controller's roles).
 */
@Injectable()
export class EvidencePacksService {
  private readonly logger = new Logger('EvidencePacks');
  @Inject(DOCUMENT_STORE) private readonly store!: DocumentStore;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly jobs: JobProducer,
  ) {}

  private async consultation(em: EntityManager, user: AuthUser, consultationId: string): Promise<{ id: string; title: string }> {
    const [k]: { programme_id: string; title: string }[] = await em.query(`SELECT programme_id, title FROM consultations WHERE id = $1`, [consultationId]);
    if (!k) throw new NotFoundException('Consultation not found');
    try {
      await assertProgrammeVisible(em, user, k.programme_id);
    } catch {
      throw new NotFoundException('Consultation not found');
    }
    return { id: consultationId, title: k.title };
  }

  private async enqueue(packId: string): Promise<void> {
    try {
      await this.jobs.enqueue({ name: JobName.EvidencePack, data: { packId } }, { jobId: `evidence-${packId}` });
    } catch (err) {
      // The build stays queued; reading it again after a minute asks the worker again (latest).
      this.logger.warn({ packId, err: (err as Error).message }, 'could not enqueue the evidence pack build');
    }
  }

  /** Ask for a build; while one is queued or running, that one is returned (202 either way). */
  async start(user: AuthUser, consultationId: string): Promise<EvidencePackResponse> {
    return (await this.request(user, consultationId)).pack;
  }

  /**
   * As start(), and whether this request made the build (`created`) or found one under way. The pack's
   * status cannot tell: the worker may have taken a new build (running) before it is read back.
   */
  async request(user: AuthUser, consultationId: string): Promise<{ pack: EvidencePackResponse; created: boolean }> {
    const { id, created } = await this.db.transaction(async (em) => {
      await this.consultation(em, user, consultationId);
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO evidence_packs (consultation_id, requested_by, requested_by_label) VALUES ($1, $2, $3)
         ON CONFLICT (consultation_id) WHERE status IN ('queued', 'running') DO NOTHING RETURNING id`,
        [consultationId, user.id, user.email],
      );
      if (!row) {
        const [busy]: { id: string }[] = await em.query(`SELECT id FROM evidence_packs WHERE consultation_id = $1 AND status IN ('queued', 'running')`, [consultationId]);
        return { id: busy.id, created: false };
      }
      await this.audit.record(em, { action: 'evidence_pack.request', entityType: EVIDENCE_PACK_ENTITY, entityId: row.id, after: { consultationId, status: 'queued' } });
      return { id: row.id, created: true };
    });
    if (created) await this.enqueue(id);
    const [row]: PackRow[] = await this.db.query(`SELECT * FROM evidence_packs WHERE id = $1`, [id]);
    return { pack: await this.toResponse(user, row), created };
  }

  async status(user: AuthUser, consultationId: string): Promise<EvidencePackStatusResponse> {
    const consultation = await this.consultation(this.db.manager, user, consultationId);
    const [latest]: PackRow[] = await this.db.query(`SELECT * FROM evidence_packs WHERE consultation_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [consultationId]);
    const [ready]: PackRow[] = await this.db.query(`SELECT * FROM evidence_packs WHERE consultation_id = $1 AND status = 'ready' ORDER BY created_at DESC, id DESC LIMIT 1`, [consultationId]);
    if (latest?.status === 'queued' && Date.now() - latest.created_at.getTime() > 60_000) await this.enqueue(latest.id);
    return { consultation, latest: latest ? await this.toResponse(user, latest) : null, lastReady: ready ? await this.toResponse(user, ready) : null };
  }

  /** A copy's PDF or ZIP; audited (the full copy holds personal data). */
  async file(user: AuthUser, consultationId: string, packId: string, format: 'pdf' | 'zip', asked: PackCopy | undefined): Promise<StoredFile> {
    const copy = copyFor(user, asked);
    return this.db.transaction(async (em) => {
      await this.consultation(em, user, consultationId);
      const [row]: PackRow[] = await em.query(`SELECT * FROM evidence_packs WHERE id = $1 AND consultation_id = $2`, [packId, consultationId]);
      if (!row) throw new NotFoundException('Evidence pack not found');
      const fileId = row[FILE_COLUMN[copy][format]] as string | null;
      if (row.status !== 'ready' || !fileId) {
        throw new ApiException(HttpStatus.CONFLICT, 'This evidence pack is not ready', [{ field: 'packId', reason: `the build is ${row.status}` }]);
      }
      const file = (await this.store.load(em, fileId))!;
      await this.audit.record(em, {
        action: 'evidence_pack.download',
        entityType: EVIDENCE_PACK_ENTITY,
        entityId: packId,
        metadata: { consultationId, copy, format, sha256: file.sha256, personalData: copy === 'full' },
      });
      return file;
    });
  }

  private async toResponse(user: AuthUser, r: PackRow): Promise<EvidencePackResponse> {
    const copies: PackCopy[] = user.role === Role.TuRep ? ['rep'] : ['full', 'rep'];
    const files: PackFileResponse[] = [];
    if (r.status === 'ready') {
      const ids = copies.flatMap((copy) => (['pdf', 'zip'] as const).map((format) => ({ copy, format, id: r[FILE_COLUMN[copy][format]] as string })));
      const metas: FileMeta[] = await this.db.query(`SELECT id, filename, sha256, size_bytes FROM stored_files WHERE id = ANY($1::uuid[])`, [ids.map((i) => i.id)]);
      for (const i of ids) {
        const m = metas.find((x) => x.id === i.id)!;
        files.push({
          copy: i.copy,
          format: i.format,
          filename: m.filename,
          sha256: m.sha256,
          bytes: m.size_bytes,
          href: `/api/v1/consultations/${r.consultation_id}/evidence-packs/${r.id}/${i.format}?copy=${i.copy}`,
        });
      }
    }
    return {
      id: r.id,
      consultationId: r.consultation_id,
      status: r.status,
      progress: r.progress,
      step: r.step,
      error: r.error,
      requestedBy: isStaff(user) ? r.requested_by_label : null,
      createdAt: r.created_at.toISOString(),
      finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
      contents: r.contents,
      files,
    };
  }
}

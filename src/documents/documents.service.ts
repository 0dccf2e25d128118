import { Inject, HttpStatus, Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { todayInLondon } from '../common/dates';
import { ApiException } from '../common/errors/api-error';
import { JobProducer } from '../queue/job-producer.service';
import { JobName } from '../queue/queue.contract';
import { assertProgrammeVisible } from '../cases/case-access';
import { caseLetterKind, DOCUMENT_KINDS, DocumentKind, KIND_SUBJECT, KIND_TITLE } from './document-kinds';
import { DOCUMENT_STORE, DocumentStore, MEDIA, StoredFile } from './document-store';
import type { DocumentDetailResponse, DocumentResponse, GenerateConsultationDocumentDto, IssueDocumentDto, TemplateVersionResponse } from './dto/document.dto';
import { caseLetterData, consultationLetterData, loadCaseLetterFacts, loadConsultationFacts, loadRepresentatives } from './letter-data';
import { inspectTemplate, renderTemplate, TemplateError } from './template-render';
import { DeliveryView, deliveriesOf, emailRecipients, enqueueEmailDeliveries, recordEmailDeliveries } from './delivery/document-deliveries';

export const DOCUMENT_ENTITY = 'document';
export const TEMPLATE_ENTITY = 'document_template';
const SHIPPED_BY = 'shipped with the product';
export const TEMPLATE_MAX_BYTES = 5 * 1024 * 1024;

/** The folder of the default templates, from the source tree or the built one. */
export function defaultTemplatesDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'documents', 'templates');
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, 'templates')) && dir.endsWith('documents')) return join(dir, 'templates');
    dir = dirname(dir);
  }
  throw new Error('default letter templates not found (src/documents/templates)');
}

interface DocumentRow {
  id: string;
  programme_id: string;
  case_id: string | null;
  consultation_id: string | null;
  kind: DocumentKind;
  title: string;
  template_version: number;
  data: Record<string, unknown>;
  docx_file_id: string;
  pdf_file_id: string | null;
  pdf_status: string;
  pdf_error: string | null;
  docx_sha256: string;
  pdf_sha256: string | null;
  created_by_label: string;
  created_at: Date;
  issued_at: Date | null;
  issued_by_label: string | null;
  delivery: string | null;
  recipients: { name: string; email?: string; role: string }[] | null;
}

const DOC_SELECT = `
  SELECT d.*, fd.sha256 AS docx_sha256, fp.sha256 AS pdf_sha256
    FROM documents d JOIN stored_files fd ON fd.id = d.docx_file_id LEFT JOIN stored_files fp ON fp.id = d.pdf_file_id`;

export function toResponse(r: DocumentRow): DocumentResponse {
  return {
    id: r.id,
    programmeId: r.programme_id,
    caseId: r.case_id,
    consultationId: r.consultation_id,
    kind: r.kind,
    title: r.title,
    templateVersion: r.template_version,
    status: r.issued_at ? 'issued' : 'draft',
    pdfStatus: r.pdf_status,
    pdfError: r.pdf_error,
    docxSha256: r.docx_sha256,
    pdfSha256: r.pdf_sha256,
    createdBy: r.created_by_label,
    createdAt: r.created_at.toISOString(),
    issuedAt: r.issued_at ? r.issued_at.toISOString() : null,
    issuedBy: r.issued_by_label,
    delivery: r.delivery,
    recipients: r.recipients,
  };
}

/**
 * Letters: templates (versioned DOCX), generation (a draft to preview: DOCX at once, PDF by the
 * worker), issue (once, then immutable), the register. Staff only (admins and HR officers).
 */
@Injectable()
export class DocumentsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Documents');
  @Inject(DOCUMENT_STORE) readonly store!: DocumentStore;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly jobs: JobProducer,
  ) {}

  /** Version 1 of each kind is the template shipped in src/documents/templates (inserted once). */
  async onModuleInit(): Promise<void> {
    await ensureDefaultTemplates(this.db.manager, this.store);
  }

  /**
   * Documents still waiting for their PDF when the API starts (letters the demo seed recorded as
   * issued, a draft whose job was lost): the worker is asked for each (idempotent by job id).
   */
  async onApplicationBootstrap(): Promise<void> {
    const pending: { id: string }[] = await this.db.query(`SELECT id FROM documents WHERE pdf_status = 'pending' ORDER BY created_at LIMIT 5000`);
    for (const p of pending) await this.enqueuePdf(p.id);
  }

  // ---- templates ------------------------------------------------------------------------

  async templates(): Promise<TemplateVersionResponse[]> {
    const rows: { id: string; kind: DocumentKind; version: number; filename: string; sha256: string; fields: string[]; note: string | null; uploaded_by_label: string; created_at: Date; current: boolean }[] =
      await this.db.query(
        `SELECT t.id, t.kind, t.version, f.filename, f.sha256, t.fields, t.note, t.uploaded_by_label, t.created_at,
                t.version = max(t.version) OVER (PARTITION BY t.kind) AS current
           FROM document_templates t JOIN stored_files f ON f.id = t.file_id ORDER BY t.kind, t.version DESC`,
      );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      version: r.version,
      filename: r.filename,
      sha256: r.sha256,
      fields: r.fields,
      note: r.note,
      uploadedBy: r.uploaded_by_label,
      createdAt: r.created_at.toISOString(),
      current: r.current,
    }));
  }

  async templateFile(kind: DocumentKind, version: number): Promise<StoredFile> {
    const [row]: { file_id: string }[] = await this.db.query(`SELECT file_id FROM document_templates WHERE kind = $1 AND version = $2`, [kind, version]);
    if (!row) throw new NotFoundException('Template version not found');
    return (await this.store.load(this.db.manager, row.file_id))!;
  }

  /** A new version of a kind's template: checked first (422 naming the field or part), never changing what was issued. */
  async uploadTemplate(user: AuthUser, kind: DocumentKind, upload: { buffer: Buffer; filename: string }, note?: string): Promise<TemplateVersionResponse> {
    const fields = checkTemplate(kind, upload.buffer);
    const id = await this.db.transaction(async (em) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('document_templates:' || $1))`, [kind]);
      const [{ next }]: { next: number }[] = await em.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM document_templates WHERE kind = $1`, [kind]);
      const file = await this.store.save(em, { bytes: upload.buffer, mediaType: MEDIA.docx, filename: upload.filename });
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO document_templates (kind, version, file_id, fields, note, uploaded_by, uploaded_by_label) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [kind, next, file.id, fields, note ?? null, user.id, user.email],
      );
      await this.audit.record(em, {
        action: 'document_template.upload',
        entityType: TEMPLATE_ENTITY,
        entityId: row.id,
        after: { kind, version: next, filename: upload.filename, sha256: file.sha256, fields },
      });
      return row.id;
    });
    return (await this.templates()).find((t) => t.id === id)!;
  }

  // ---- documents ------------------------------------------------------------------------

  private createDraft(em: EntityManager, user: AuthUser, d: DraftInput): Promise<string> {
    return createDraft(em, this.audit, this.store, { id: user.id, email: user.email }, d);
  }

  /** After the transaction: the worker makes the PDF (idempotent by job id). */
  async enqueuePdf(documentId: string): Promise<void> {
    try {
      await this.jobs.enqueue({ name: JobName.DocumentPdf, data: { documentId } }, { jobId: `pdf-${documentId}` });
    } catch (err) {
      // The draft stays "pending"; opening it again re-enqueues (see get).
      this.logger.warn({ documentId, err: (err as Error).message }, 'could not enqueue the PDF conversion');
    }
  }

  async generateForCase(user: AuthUser, caseId: string, kind: DocumentKind): Promise<DocumentResponse> {
    const id = await this.db.transaction(async (em) => {
      const facts = await loadCaseLetterFacts(em, caseId);
      await assertProgrammeVisible(em, user, facts.programmeId);
      const data = caseLetterData(kind, facts, todayInLondon(), user.email);
      return this.createDraft(em, user, {
        programmeId: facts.programmeId,
        caseId,
        consultationId: null,
        kind,
        title: `${KIND_TITLE[kind]}: ${facts.employeeName} (${facts.staffNumber})`,
        data,
      });
    });
    await this.enqueuePdf(id);
    return this.get(user, id);
  }

  async generateForConsultation(user: AuthUser, consultationId: string, dto: GenerateConsultationDocumentDto): Promise<DocumentResponse> {
    const id = await this.db.transaction(async (em) => {
      const facts = await loadConsultationFacts(em, consultationId);
      await assertProgrammeVisible(em, user, facts.programmeId);
      const reps = await loadRepresentatives(em, facts.programmeId);
      const data = consultationLetterData(facts, reps, dto, todayInLondon(), user.email);
      return this.createDraft(em, user, { programmeId: facts.programmeId, caseId: null, consultationId, kind: dto.kind, title: `${KIND_TITLE[dto.kind]}: ${facts.title}`, data });
    });
    await this.enqueuePdf(id);
    return this.get(user, id);
  }

  private async row(em: EntityManager, user: AuthUser, id: string, lock = false): Promise<DocumentRow> {
    const [row]: DocumentRow[] = await em.query(`${DOC_SELECT} WHERE d.id = $1${lock ? ' FOR UPDATE OF d' : ''}`, [id]);
    if (!row) throw new NotFoundException('Document not found');
    await assertProgrammeVisible(em, user, row.programme_id);
    return row;
  }

  async get(user: AuthUser, id: string): Promise<DocumentDetailResponse> {
    const row = await this.row(this.db.manager, user, id);
    if (row.pdf_status === 'pending' && Date.now() - row.created_at.getTime() > 60_000) await this.enqueuePdf(id);
    return { ...toResponse(row), data: row.data };
  }

  /** The DOCX or PDF of a document; every download of a case letter (personal data) is audited. */
  async file(user: AuthUser, id: string, format: 'docx' | 'pdf'): Promise<StoredFile & { title: string }> {
    return this.db.transaction(async (em) => {
      const row = await this.row(em, user, id);
      const fileId = format === 'docx' ? row.docx_file_id : row.pdf_file_id;
      if (!fileId) throw new ApiException(HttpStatus.CONFLICT, 'The PDF is not ready yet', [{ field: 'format', reason: `the PDF is ${row.pdf_status}` }]);
      const file = (await this.store.load(em, fileId))!;
      await this.audit.record(em, {
        action: 'document.download',
        entityType: DOCUMENT_ENTITY,
        entityId: id,
        metadata: { format, sha256: file.sha256, kind: row.kind, caseId: row.case_id, personalData: row.case_id !== null },
      });
      return { ...file, title: row.title };
    });
  }

  /**
   * Issue a draft: it becomes immutable, with who issued it, when, and to whom it went. A case
   * (or consultation) has one issued document of a kind: issuing again returns that one.
   */
  async issue(user: AuthUser, id: string, dto: IssueDocumentDto): Promise<DocumentResponse> {
    let emails: string[] = [];
    const issuedId = await this.db.transaction(async (em) => {
      const row = await this.row(em, user, id, true);
      if (row.issued_at) return row.id;
      const [already]: { id: string }[] = await em.query(
        KIND_SUBJECT[row.kind] === 'case'
          ? `SELECT id FROM documents WHERE case_id = $1 AND kind = $2 AND issued_at IS NOT NULL`
          : `SELECT id FROM documents WHERE consultation_id = $1 AND kind = $2 AND case_id IS NULL AND issued_at IS NOT NULL AND kind <> 'eli_cover_letter'`,
        [KIND_SUBJECT[row.kind] === 'case' ? row.case_id : row.consultation_id, row.kind],
      );
      if (already) return already.id;
      if (row.pdf_status !== 'ready') {
        throw new ApiException(HttpStatus.CONFLICT, 'The document cannot be issued before its PDF is ready', [{ field: 'pdfStatus', reason: `is ${row.pdf_status}` }]);
      }
      const recipients = await this.recipientsOf(em, row);
      const toEmail = emailRecipients(row.kind, dto.delivery, recipients);
      await em.query(
        `UPDATE documents SET issued_at = now(), issued_by = $2, issued_by_label = $3, delivery = $4, recipients = $5 WHERE id = $1`,
        [id, user.id, user.email, dto.delivery, JSON.stringify(recipients)],
      );
      await this.audit.record(em, {
        action: 'document.issue',
        entityType: DOCUMENT_ENTITY,
        entityId: id,
        after: { kind: row.kind, caseId: row.case_id, consultationId: row.consultation_id, delivery: dto.delivery, recipients: recipients.length, pdfSha256: row.pdf_sha256, docxSha256: row.docx_sha256 },
        metadata: dto.note ? { note: dto.note } : undefined,
      });
      emails = await recordEmailDeliveries(em, id, toEmail);
      return id;
    });
    await enqueueEmailDeliveries(this.jobs, emails).catch((err: Error) => this.logger.warn({ id, err: err.message }, 'could not enqueue the emails: the sweep will'));
    const [row]: DocumentRow[] = await this.db.query(`${DOC_SELECT} WHERE d.id = $1`, [issuedId]);
    return toResponse(row);
  }

  private async recipientsOf(em: EntityManager, row: DocumentRow): Promise<{ name: string; email?: string; role: string }[]> {
    if (row.case_id) {
      const [p]: { name: string; email: string | null }[] = await em.query(
        `SELECT e.first_name || ' ' || e.last_name AS name, e.work_email AS email FROM transition_cases c JOIN employees e ON e.id = c.employee_id WHERE c.id = $1`,
        [row.case_id],
      );
      return [{ name: p.name, ...(p.email ? { email: p.email } : {}), role: 'employee' }];
    }
    if (row.consultation_id) {
      const reps = await loadRepresentatives(em, row.programme_id);
      if (!reps.length) {
        throw new ApiException(HttpStatus.CONFLICT, 'The forum has no union members to give the reg. 13 information to', [{ field: 'recipients', reason: 'the forum has no current union members' }]);
      }
      return reps.map((r) => ({ name: r.name, email: r.email, role: `representative (${r.union})` }));
    }
    return [];
  }

  /** The email deliveries of documents the caller has already read (their access was checked loading them). */
  emailDeliveries(documentIds: string[]): Promise<DeliveryView[]> {
    return deliveriesOf(this.db.manager, documentIds);
  }

  /** Documents of a case, newest first. */
  async forCase(user: AuthUser, caseId: string): Promise<DocumentResponse[]> {
    const [c]: { programme_id: string }[] = await this.db.query(`SELECT programme_id FROM transition_cases WHERE id = $1`, [caseId]);
    if (!c) throw new NotFoundException('Case not found');
    await assertProgrammeVisible(this.db.manager, user, c.programme_id);
    const rows: DocumentRow[] = await this.db.query(`${DOC_SELECT} WHERE d.case_id = $1 ORDER BY d.created_at DESC, d.id`, [caseId]);
    return rows.map(toResponse);
  }

  async forConsultation(user: AuthUser, consultationId: string): Promise<DocumentResponse[]> {
    const [k]: { programme_id: string }[] = await this.db.query(`SELECT programme_id FROM consultations WHERE id = $1`, [consultationId]);
    if (!k) throw new NotFoundException('Consultation not found');
    await assertProgrammeVisible(this.db.manager, user, k.programme_id);
    const rows: DocumentRow[] = await this.db.query(`${DOC_SELECT} WHERE d.consultation_id = $1 ORDER BY d.created_at DESC, d.id`, [consultationId]);
    return rows.map(toResponse);
  }

  /** The register: every issued document of a programme, by date of issue. */
  async register(user: AuthUser, programmeId: string): Promise<DocumentResponse[]> {
    await assertProgrammeVisible(this.db.manager, user, programmeId);
    const rows: DocumentRow[] = await this.db.query(`${DOC_SELECT} WHERE d.programme_id = $1 AND d.issued_at IS NOT NULL ORDER BY d.issued_at, d.id`, [programmeId]);
    return rows.map(toResponse);
  }
}

/** The fields of an uploaded template, or 422 naming the unknown field or the broken part. */
export function checkTemplate(kind: DocumentKind, bytes: Buffer): string[] {
  try {
    return inspectTemplate(kind, bytes).fields;
  } catch (err) {
    if (err instanceof TemplateError) throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, err.message, err.problems);
    throw err;
  }
}

/** Version 1 of each kind from src/documents/templates, inserted once (the API at start, the demo seed). */
export async function ensureDefaultTemplates(manager: EntityManager, store: DocumentStore): Promise<void> {
  const dir = defaultTemplatesDir();
  const inTransaction = manager.queryRunner?.isTransactionActive === true;
  for (const kind of DOCUMENT_KINDS) {
    const once = async (em: EntityManager) => {
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('document_templates:' || $1))`, [kind]);
      const [exists] = await em.query(`SELECT 1 FROM document_templates WHERE kind = $1 LIMIT 1`, [kind]);
      if (exists) return;
      const bytes = await readFile(join(dir, `${kind}.docx`));
      const { fields } = inspectTemplate(kind, bytes);
      const file = await store.save(em, { bytes, mediaType: MEDIA.docx, filename: `${kind}.docx` });
      await em.query(
        `INSERT INTO document_templates (kind, version, file_id, fields, note, uploaded_by_label) VALUES ($1, 1, $2, $3, 'Default template', $4)`,
        [kind, file.id, fields, SHIPPED_BY],
      );
    };
    if (inTransaction) await once(manager);
    else await manager.transaction(once);
  }
}

export interface DraftInput {
  programmeId: string;
  caseId: string | null;
  consultationId: string | null;
  kind: DocumentKind;
  title: string;
  data: Record<string, unknown>;
}

async function currentTemplate(em: EntityManager, store: DocumentStore, kind: DocumentKind): Promise<{ id: string; version: number; file: StoredFile }> {
  const [row]: { id: string; version: number; file_id: string }[] = await em.query(
    `SELECT id, version, file_id FROM document_templates WHERE kind = $1 ORDER BY version DESC LIMIT 1`,
    [kind],
  );
  if (!row) throw new ApiException(HttpStatus.CONFLICT, `No ${kind} template has been uploaded`, [{ field: 'kind', reason: 'has no template' }]);
  return { id: row.id, version: row.version, file: (await store.load(em, row.file_id))! };
}

/**
 * A draft from the kind's current template and the data it is made from (422 naming the field or
 * part when the template cannot be rendered); audited. `actor.id` null: the system (the demo seed).
 */
export async function createDraft(em: EntityManager, audit: AuditService, store: DocumentStore, actor: { id: string | null; email: string }, d: DraftInput): Promise<string> {
  const template = await currentTemplate(em, store, d.kind);
  let bytes: Buffer;
  try {
    bytes = renderTemplate(d.kind, template.file.bytes, d.data);
  } catch (err) {
    if (err instanceof TemplateError) throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, `${err.message} (template ${d.kind} version ${template.version})`, err.problems);
    throw err;
  }
  const file = await store.save(em, { bytes, mediaType: MEDIA.docx, filename: `${d.kind}.docx` });
  const [row]: { id: string }[] = await em.query(
    `INSERT INTO documents (programme_id, case_id, consultation_id, kind, template_id, template_version, title, data, docx_file_id, created_by, created_by_label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [d.programmeId, d.caseId, d.consultationId, d.kind, template.id, template.version, d.title, JSON.stringify(d.data), file.id, actor.id, actor.email],
  );
  await audit.record(em, {
    action: 'document.generate',
    entityType: DOCUMENT_ENTITY,
    entityId: row.id,
    after: { kind: d.kind, caseId: d.caseId, consultationId: d.consultationId, templateVersion: template.version, docxSha256: file.sha256 },
    ...(actor.id ? { actor: { id: actor.id, email: actor.email } } : { actor: null, actorLabel: actor.email }),
  });
  return row.id;
}

/**
 * The demo seed's letters: a case's letter generated from the current template and recorded as
 * issued (handed over) on a date in the past, in the seed's transaction. Its PDF is left for the
 * worker (the API asks for it at start); the DOCX is what was issued, with its SHA-256.
 */
export async function issueHistoricCaseLetter(
  em: EntityManager,
  audit: AuditService,
  store: DocumentStore,
  c: { caseId: string; issuedAt: string; actorLabel: string; today: string; signatory: string },
): Promise<string | null> {
  const facts = await loadCaseLetterFacts(em, c.caseId);
  const kind = caseLetterKind(facts.route);
  if (!kind) return null;
  const id = await createDraft(em, audit, store, { id: null, email: c.actorLabel }, {
    programmeId: facts.programmeId,
    caseId: c.caseId,
    consultationId: null,
    kind,
    title: `${KIND_TITLE[kind]}: ${facts.employeeName} (${facts.staffNumber})`,
    data: caseLetterData(kind, facts, c.today, c.signatory),
  });
  const recipients = [{ name: facts.employeeName, ...(facts.workEmail ? { email: facts.workEmail } : {}), role: 'employee' }];
  await em.query(`UPDATE documents SET created_at = $2, issued_at = $2, issued_by_label = $3, delivery = 'handed_over', recipients = $4 WHERE id = $1`, [
    id,
    c.issuedAt,
    c.actorLabel,
    JSON.stringify(recipients),
  ]);
  await audit.record(em, {
    action: 'document.issue',
    entityType: DOCUMENT_ENTITY,
    entityId: id,
    after: { kind, caseId: c.caseId, delivery: 'handed_over', recipients: 1, issuedAt: c.issuedAt },
    actor: null,
    actorLabel: c.actorLabel,
  });
  return id;
}

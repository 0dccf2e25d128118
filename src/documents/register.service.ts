import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type AuthUser, visibleProgrammeIds } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { ApiException } from '../common/errors/api-error';
import { showCount } from '../common/small-counts';
import { assertProgrammeVisible, isStaff } from '../cases/case-access';
import { DOCUMENT_KINDS, DocumentKind, KIND_SUBJECT } from './document-kinds';
import type { RegisterEntryResponse, RegisterPageResponse, RegisterQuery, RepRegisterEntryResponse } from './register.dto';

/** The kinds a tu_rep may see in the register: what the representatives themselves were given (reg. 13). */
export const REP_KINDS: readonly DocumentKind[] = DOCUMENT_KINDS.filter((k) => KIND_SUBJECT[k] === 'consultation');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 25;

interface Cursor {
  at: string;
  id: string;
}

export function encodeRegisterCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id]), 'utf8').toString('base64url');
}

export function decodeRegisterCursor(text: string, field: 'after' | 'before'): Cursor {
  const invalid = () => ApiException.validation([{ field, reason: 'is not a cursor this register issued' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/.test(at) || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  return { at, id };
}

interface Row {
  id: string;
  kind: DocumentKind;
  title: string;
  case_id: string | null;
  consultation_id: string | null;
  template_version: number;
  issued_at: Date;
  issued_key: string;
  issued_by_label: string;
  delivery: string;
  recipients: { name: string; email?: string; role: string }[];
  pdf_status: string;
  docx_sha256: string;
  pdf_sha256: string | null;
  post_reference: string | null;
  person: string | null;
  consultation_title: string | null;
  deliveries: { address: string; status: string; attempts: number; sent_at: string | null; last_error: string | null }[] | null;
}

/**
 * The register of issued documents of a programme, by role: HR officers and admins see every
 * issued document with the person and each recipient (and the email delivery of each); a tu_rep
 * sees the reg. 13 information and measures letters only, with how many representatives were
 * given it ("<5" under five), never a personal letter, a person or an address. Filtered by kind
 * and case, newest first, keyset pages.
 */
@Injectable()
export class DocumentRegisterService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async page(user: AuthUser, programmeId: string, q: RegisterQuery): Promise<RegisterPageResponse> {
    await assertProgrammeVisible(this.db.manager, user, programmeId);
    const staff = isStaff(user);
    if (!staff && user.role !== Role.TuRep) throw ApiException.validation([{ field: 'role', reason: 'has no register' }]);
    if (!staff && q.caseId) throw ApiException.validation([{ field: 'caseId', reason: 'is not a filter a trade union rep can use: the register shows them no case letters' }]);
    const allowed = staff ? DOCUMENT_KINDS : REP_KINDS;
    const refused = (q.kind ?? []).filter((k) => !allowed.includes(k));
    if (refused.length) throw ApiException.validation([{ field: 'kind', reason: `must be one of: ${allowed.join(', ')}` }]);
    if (q.after && q.before) throw ApiException.validation([{ field: 'before', reason: 'cannot be used with after' }]);
    const kinds = q.kind?.length ? q.kind : allowed;
    const limit = q.limit ?? PAGE;
    const after = q.after ? decodeRegisterCursor(q.after, 'after') : null;
    const before = q.before ? decodeRegisterCursor(q.before, 'before') : null;

    const params: unknown[] = [programmeId, kinds, q.caseId ?? null];
    const where = [`d.programme_id = $1`, `d.issued_at IS NOT NULL`, `d.kind = ANY($2::text[])`, `($3::uuid IS NULL OR d.case_id = $3)`];
    const [{ total }]: { total: number }[] = await this.db.query(`SELECT count(*)::int AS total FROM documents d WHERE ${where.join(' AND ')}`, params);
    const cursor = after ?? before;
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(after ? `(d.issued_at, d.id) < ($4::timestamptz, $5::uuid)` : `(d.issued_at, d.id) > ($4::timestamptz, $5::uuid)`);
    }
    params.push(limit + 1);
    const rows: Row[] = await this.db.query(
      `SELECT d.id, d.kind, d.title, d.case_id, d.consultation_id, d.template_version, d.issued_at, d.issued_at::text AS issued_key,
              d.issued_by_label, d.delivery, d.recipients, d.pdf_status, fd.sha256 AS docx_sha256, fp.sha256 AS pdf_sha256,
              p.reference AS post_reference, e.first_name || ' ' || e.last_name AS person, k.title AS consultation_title,
              (SELECT json_agg(json_build_object('address', x.address, 'status', x.status, 'attempts', x.attempts, 'sent_at', x.sent_at, 'last_error', x.last_error))
                 FROM document_deliveries x WHERE x.document_id = d.id) AS deliveries
         FROM documents d
         JOIN stored_files fd ON fd.id = d.docx_file_id
         LEFT JOIN stored_files fp ON fp.id = d.pdf_file_id
         LEFT JOIN transition_cases c ON c.id = d.case_id
         LEFT JOIN posts p ON p.id = c.post_id
         LEFT JOIN employees e ON e.id = c.employee_id
         LEFT JOIN consultations k ON k.id = d.consultation_id
        WHERE ${where.join(' AND ')}
        ORDER BY d.issued_at ${before ? 'ASC' : 'DESC'}, d.id ${before ? 'ASC' : 'DESC'}
        LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > limit;
    const shown = rows.slice(0, limit);
    if (before) shown.reverse();
    const first = shown[0];
    const last = shown[shown.length - 1];
    const hasNewer = before ? more : Boolean(after);
    const hasOlder = before ? true : more;
    return {
      items: shown.map((r) => (staff ? staffEntry(r) : repEntry(r))),
      total,
      next: hasOlder && last ? encodeRegisterCursor({ at: last.issued_key, id: last.id }) : null,
      previous: hasNewer && first ? encodeRegisterCursor({ at: first.issued_key, id: first.id }) : null,
    };
  }

  /** The programmes whose register the caller may read, with how many documents each has issued (the letters landing page). */
  async programmes(user: AuthUser): Promise<{ id: string; name: string; issued: number }[]> {
    const visible = visibleProgrammeIds(user);
    const kinds = isStaff(user) ? DOCUMENT_KINDS : REP_KINDS;
    return this.db.query(
      `SELECT p.id, p.name, (SELECT count(*)::int FROM documents d WHERE d.programme_id = p.id AND d.issued_at IS NOT NULL AND d.kind = ANY($2::text[])) AS issued
         FROM programmes p WHERE $1::uuid[] IS NULL OR p.id = ANY($1::uuid[]) ORDER BY p.name`,
      [visible === 'all' ? null : visible, kinds],
    );
  }

  /** The programme's name, for the register's page (404 when the caller may not see it). */
  async programme(user: AuthUser, programmeId: string): Promise<{ id: string; name: string }> {
    await assertProgrammeVisible(this.db.manager, user, programmeId);
    const [p]: { id: string; name: string }[] = await this.db.query(`SELECT id, name FROM programmes WHERE id = $1`, [programmeId]);
    return p;
  }

  /** The cases with an issued document in the programme, for the register's case filter (staff only). */
  async caseOptions(user: AuthUser, programmeId: string): Promise<{ id: string; text: string }[]> {
    if (!isStaff(user)) return [];
    await assertProgrammeVisible(this.db.manager, user, programmeId);
    const rows: { id: string; reference: string; person: string }[] = await this.db.query(
      `SELECT DISTINCT c.id, p.reference, e.first_name || ' ' || e.last_name AS person
         FROM documents d JOIN transition_cases c ON c.id = d.case_id JOIN posts p ON p.id = c.post_id JOIN employees e ON e.id = c.employee_id
        WHERE d.programme_id = $1 AND d.issued_at IS NOT NULL ORDER BY p.reference, person`,
      [programmeId],
    );
    return rows.map((r) => ({ id: r.id, text: `${r.reference}: ${r.person}` }));
  }
}

function staffEntry(r: Row): RegisterEntryResponse {
  const byAddress = new Map((r.deliveries ?? []).map((d) => [d.address, d]));
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    caseId: r.case_id,
    consultationId: r.consultation_id,
    postReference: r.post_reference,
    person: r.person,
    consultationTitle: r.consultation_title,
    templateVersion: r.template_version,
    issuedAt: r.issued_at.toISOString(),
    issuedBy: r.issued_by_label,
    delivery: r.delivery,
    recipients: r.recipients.map((x) => {
      const d = x.email ? byAddress.get(x.email) : undefined;
      return {
        name: x.name,
        ...(x.email ? { email: x.email } : {}),
        role: x.role,
        emailDelivery: d ? { status: d.status, attempts: d.attempts, sentAt: d.sent_at ? new Date(d.sent_at).toISOString() : null, lastError: d.last_error } : null,
      };
    }),
    docxSha256: r.docx_sha256,
    pdfSha256: r.pdf_sha256,
    pdfStatus: r.pdf_status,
  };
}

function repEntry(r: Row): RepRegisterEntryResponse {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    consultationId: r.consultation_id,
    consultationTitle: r.consultation_title,
    templateVersion: r.template_version,
    issuedAt: r.issued_at.toISOString(),
    delivery: r.delivery,
    representatives: showCount(r.recipients.length),
    docxSha256: r.docx_sha256,
    pdfSha256: r.pdf_sha256,
    pdfStatus: r.pdf_status,
  };
}

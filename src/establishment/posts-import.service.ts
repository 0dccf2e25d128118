import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException } from '../common/errors/api-error';
import { refusedTextReason } from '../common/input-safety';
import { toHundredths, tryHundredths } from './decimal';
import { ImportResult, ImportRowError } from './dto/import.dto';
import { REFERENCE } from './dto/post.dto';
import { ESTABLISHMENT_STATUSES, EstablishmentStatus, IMPORT_MAX_ERRORS, IMPORT_MAX_ROWS, Scope, SCOPES } from './establishment.constants';
import { notFound } from './establishment-errors';
import { columnKey, enumValue, POST_COLUMNS, PostColumnKey } from './post-columns';
import { detectSheetFormat, parseCsv, parseXlsx, Sheet, SheetFormat, tooManyRows, unescapeFormula } from './spreadsheet';

export interface UploadedSheet {
  buffer: Buffer;
  filename: string;
}

/** A row that passed validation, resolved to ids. */
interface ValidRow {
  row: number;
  organisationId: string;
  reference: string;
  title: string;
  areaId: string;
  gradeId: string;
  fte: string; // 'x.yy'
  status: EstablishmentStatus;
  /** null: not given (area default for a new post, unchanged for an existing one). */
  scope: Scope | null;
  reason: string | null;
}

interface ExistingPost {
  id: string;
  programme_id: string;
  organisation_id: string;
  reference: string;
  title: string;
  thematic_area_id: string;
  grade_id: string;
  fte: string;
  establishment_status: EstablishmentStatus;
  scope: Scope;
  scope_reason: string | null;
}

interface Plan {
  format: SheetFormat;
  rows: number;
  errors: ImportRowError[];
  creates: ValidRow[];
  /** Existing posts that change, with the scope to set (null: scope unchanged). */
  updates: { id: string; row: ValidRow; scopeChange: Scope | null }[];
  unchanged: number;
}

interface Reference {
  orgs: Map<string, { id: string; label: string }[]>;
  areas: Map<string, { id: string; defaultScope: Scope }>;
  grades: Map<string, string>; // `${orgId}|${code lower}` -> grade id
}

/**
 * Posts from a spreadsheet, the way HR keeps them. Every row is validated and every error given
 * with its row, column and message; a dry run stops there. A real import writes all rows or none,
 * in one transaction, and is audited as one event. A row whose (organisation, reference) exists
 * in the programme updates that post; any other row creates one.
 */
@Injectable()
export class PostsImportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async import(user: AuthUser, programmeId: string, file: UploadedSheet, dryRun: boolean): Promise<ImportResult> {
    const programme: { name: string }[] = await this.ds.query(`SELECT name FROM programmes WHERE id = $1`, [programmeId]);
    if (!programme.length) throw notFound('Programme', programmeId);
    const format = detectSheetFormat(file.buffer, file.filename);
    const sheet = format === 'xlsx' ? await parseXlsx(file.buffer, IMPORT_MAX_ROWS) : await parseCsv(file.buffer, IMPORT_MAX_ROWS);
    if (sheet.rows.length > IMPORT_MAX_ROWS) throw tooManyRows(IMPORT_MAX_ROWS);

    if (dryRun) {
      const plan = await this.plan(this.ds.manager, programmeId, sheet, format, false);
      return result(plan, true);
    }
    return this.ds.transaction(async (em) => {
      // One import per programme at a time; posts are locked as they are read.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('posts-import'), hashtext($1))`, [programmeId]);
      const plan = await this.plan(em, programmeId, sheet, format, true);
      if (plan.errors.length) {
        // Every error (up to IMPORT_MAX_ERRORS) is a detail with its row and column; the count is in the message.
        const res = result(plan, false);
        throw new ApiException(
          HttpStatus.UNPROCESSABLE_ENTITY,
          `The file has ${plan.errors.length} error(s); nothing was imported`,
          res.errors.map((e) => ({ field: `row[${e.row}].${e.column}`, reason: e.message, row: e.row, column: e.column, ...(e.relatedRows ? { relatedRows: e.relatedRows } : {}) })),
        );
      }
      await this.write(em, user, programmeId, plan, file.filename);
      await this.audit.record(em, {
        action: AuditAction.Import,
        entityType: 'post_import',
        entityId: programmeId,
        after: { created: plan.creates.length, updated: plan.updates.length, unchanged: plan.unchanged },
        metadata: { programmeId, fileName: file.filename, format, rows: plan.rows, bytes: file.buffer.length },
      });
      return result(plan, false);
    });
  }

  private async plan(em: EntityManager, programmeId: string, sheet: Sheet, format: SheetFormat, lock: boolean): Promise<Plan> {
    const errors: ImportRowError[] = [];
    const columns = this.headerColumns(sheet, errors);
    const plan: Plan = { format, rows: sheet.rows.length, errors, creates: [], updates: [], unchanged: 0 };
    if (!columns) return plan;

    const ref = await this.referenceData(em, programmeId);
    const valid: ValidRow[] = [];
    const firstRowOf = new Map<string, number>();
    for (const [i, r] of sheet.rows.entries()) {
      if (i % 1000 === 999) await nextTurn(); // 100,000 rows never hold the event loop for long
      const v = this.validateRow(r.row, r.cells, columns, ref, errors);
      if (!v) continue;
      const key = `${v.organisationId}|${v.reference}`;
      const first = firstRowOf.get(key);
      if (first !== undefined) {
        errors.push({
          row: v.row,
          column: 'reference',
          message: `duplicate reference "${v.reference}" for ${orgLabel(ref, v.organisationId)}: rows ${first} and ${v.row}`,
          relatedRows: [first],
        });
        continue;
      }
      firstRowOf.set(key, v.row);
      valid.push(v);
    }

    const existing = await this.existing(em, valid, lock);
    for (const v of valid) {
      const e = existing.get(`${v.organisationId}|${v.reference}`);
      if (!e) {
        plan.creates.push(v);
        continue;
      }
      if (e.programme_id !== programmeId) {
        errors.push({ row: v.row, column: 'reference', message: `"${v.reference}" is already a post of ${orgLabel(ref, v.organisationId)} in another programme` });
        continue;
      }
      const scopeChange = v.scope !== null && v.scope !== e.scope ? v.scope : null;
      const same =
        scopeChange === null &&
        // surrounding whitespace a spreadsheet keeps but the import trims is no change
        (e.title === v.title || e.title.trim() === v.title.trim()) &&
        e.thematic_area_id === v.areaId &&
        e.grade_id === v.gradeId &&
        toHundredths(e.fte) === toHundredths(v.fte) &&
        e.establishment_status === v.status;
      if (same) plan.unchanged++;
      else plan.updates.push({ id: e.id, row: v, scopeChange });
    }
    errors.sort((a, b) => a.row - b.row);
    return plan;
  }

  /** Header cell -> column; unknown, duplicate and missing required columns are errors on row 1. */
  private headerColumns(sheet: Sheet, errors: ImportRowError[]): Map<number, PostColumnKey> | null {
    const cols = new Map<number, PostColumnKey>();
    const seen = new Map<PostColumnKey, number>();
    sheet.header.cells.forEach((text, i) => {
      if (text.trim() === '') return;
      const key = columnKey(text);
      if (!key) {
        errors.push({ row: sheet.header.row, column: text.trim(), message: `unknown column; the columns are: ${POST_COLUMNS.map((c) => c.key).join(', ')}` });
      } else if (seen.has(key)) {
        errors.push({ row: sheet.header.row, column: key, message: `column appears twice (columns ${seen.get(key)! + 1} and ${i + 1})` });
      } else {
        seen.set(key, i);
        cols.set(i, key);
      }
    });
    for (const c of POST_COLUMNS) {
      if (c.required && !seen.has(c.key)) errors.push({ row: sheet.header.row, column: c.key, message: 'required column is missing' });
    }
    return errors.length ? null : cols;
  }

  private async referenceData(em: EntityManager, programmeId: string): Promise<Reference> {
    const orgRows: { id: string; name: string; short_name: string | null }[] = await em.query(
      `SELECT o.id, o.name, o.short_name FROM organisations o
       WHERE o.id IN (SELECT organisation_id FROM programme_source_organisations WHERE programme_id = $1
                      UNION SELECT destination_organisation_id FROM programmes WHERE id = $1)`,
      [programmeId],
    );
    const orgs = new Map<string, { id: string; label: string }[]>();
    const addOrg = (k: string, v: { id: string; label: string }) => {
      const list = orgs.get(k) ?? [];
      if (!list.some((x) => x.id === v.id)) list.push(v);
      orgs.set(k, list);
    };
    for (const o of orgRows) {
      const label = o.short_name ?? o.name;
      addOrg(o.name.trim().toLowerCase(), { id: o.id, label });
      if (o.short_name) addOrg(o.short_name.trim().toLowerCase(), { id: o.id, label });
    }
    const areaRows: { id: string; name: string; default_scope: Scope }[] = await em.query(`SELECT id, name, default_scope FROM thematic_areas WHERE programme_id = $1`, [
      programmeId,
    ]);
    const areas = new Map(areaRows.map((a) => [normaliseName(a.name), { id: a.id, defaultScope: a.default_scope }]));
    const gradeRows: { id: string; organisation_id: string; code: string }[] = orgRows.length
      ? await em.query(`SELECT id, organisation_id, code FROM grades WHERE organisation_id = ANY($1::uuid[])`, [orgRows.map((o) => o.id)])
      : [];
    const grades = new Map(gradeRows.map((g) => [`${g.organisation_id}|${g.code.toLowerCase()}`, g.id]));
    return { orgs, areas, grades };
  }

  private validateRow(row: number, cells: string[], columns: Map<number, PostColumnKey>, ref: Reference, errors: ImportRowError[]): ValidRow | null {
    const before = errors.length;
    const err = (column: string, message: string) => errors.push({ row, column, message });
    const raw: Partial<Record<PostColumnKey, string>> = {};
    const refusedKeys = new Set<string>();
    cells.forEach((text, i) => {
      const key = columns.get(i);
      const refused = refusedTextReason(text);
      if (refused) {
        err(key ?? `cell ${i + 1}`, refused);
        if (key) refusedKeys.add(key);
        return;
      }
      if (key) raw[key] = unescapeFormula(text.trim());
      else if (text.trim() !== '') err('file', `cell ${i + 1} has a value but no column header`);
    });
    const need = (k: PostColumnKey): string => {
      const v = raw[k] ?? '';
      if (v === '' && !refusedKeys.has(k)) err(k, 'is required');
      return v;
    };

    const reference = need('reference');
    if (reference && (reference.length > 50 || !REFERENCE.test(reference))) {
      err('reference', reference.length > 50 ? 'must be at most 50 characters' : 'may hold letters, digits, spaces and . _ / - and must start with a letter or digit');
    }
    const title = need('title');
    if (title.length > 200) err('title', 'must be at most 200 characters');

    const orgText = need('organisation');
    let organisationId = '';
    if (orgText) {
      const matches = ref.orgs.get(orgText.toLowerCase()) ?? [];
      if (matches.length === 1) organisationId = matches[0].id;
      else if (matches.length > 1) err('organisation', `"${orgText}" matches several organisations: use the full name`);
      else err('organisation', `"${orgText}" is not a source or destination organisation of the programme`);
    }

    const areaText = need('thematic_area');
    const area = areaText ? ref.areas.get(normaliseName(areaText)) : undefined;
    if (areaText && !area) err('thematic_area', `"${areaText}" is not a thematic area of the programme`);

    const gradeText = need('grade');
    let gradeId = '';
    if (gradeText && organisationId) {
      gradeId = ref.grades.get(`${organisationId}|${gradeText.toLowerCase()}`) ?? '';
      if (!gradeId) err('grade', `"${gradeText}" is not a grade of ${orgLabel(ref, organisationId)}`);
    }

    const fteText = need('fte');
    let fte = '';
    if (fteText) {
      const h = tryHundredths(fteText);
      if (h === null) err('fte', `"${fteText}" must be a number with at most two decimals`);
      else if (h <= 0) err('fte', 'must be greater than 0');
      else if (h > 100) err('fte', 'must not be greater than 1');
      else fte = `${Math.trunc(h / 100)}.${String(h % 100).padStart(2, '0')}`;
    }

    const statusText = need('establishment_status');
    const status = enumValue(statusText) as EstablishmentStatus;
    if (statusText && !ESTABLISHMENT_STATUSES.includes(status)) err('establishment_status', `"${statusText}" must be one of: ${ESTABLISHMENT_STATUSES.join(', ')}`);

    const scopeText = raw.scope ?? '';
    const scope = scopeText ? (enumValue(scopeText) as Scope) : null;
    if (scope && !SCOPES.includes(scope)) err('scope', `"${scopeText}" must be one of: ${SCOPES.join(', ')}`);
    const reason = raw.scope_reason ? raw.scope_reason : null;
    if (reason && reason.length > 2000) err('scope_reason', 'must be at most 2000 characters');

    if (errors.length > before) return null;
    return { row, organisationId, reference, title, areaId: area!.id, gradeId, fte, status, scope, reason };
  }

  private async existing(em: EntityManager, rows: ValidRow[], lock: boolean): Promise<Map<string, ExistingPost>> {
    const out = new Map<string, ExistingPost>();
    if (!rows.length) return out;
    const found: ExistingPost[] = await em.query(
      `SELECT p.id, p.programme_id, p.organisation_id, p.reference, p.title, p.thematic_area_id, p.grade_id, p.fte::text AS fte,
              p.establishment_status, p.scope, p.scope_reason
       FROM posts p JOIN unnest($1::uuid[], $2::text[]) AS k(organisation_id, reference)
         ON p.organisation_id = k.organisation_id AND p.reference = k.reference
       ${lock ? 'FOR UPDATE OF p' : ''}`,
      [rows.map((r) => r.organisationId), rows.map((r) => r.reference)],
    );
    for (const e of found) out.set(`${e.organisation_id}|${e.reference}`, e);
    return out;
  }

  private async write(em: EntityManager, user: AuthUser, programmeId: string, plan: Plan, filename: string): Promise<void> {
    const defaultReason = `Imported from ${filename}`.slice(0, 2000);
    const areaScope = new Map<string, Scope>(
      (await em.query(`SELECT id, default_scope FROM thematic_areas WHERE programme_id = $1`, [programmeId]) as { id: string; default_scope: Scope }[]).map((a) => [
        a.id,
        a.default_scope,
      ]),
    );
    const CHUNK = 50_000;
    for (let i = 0; i < plan.creates.length; i += CHUNK) {
      const c = plan.creates.slice(i, i + CHUNK);
      await em.query(
        `INSERT INTO posts (programme_id, organisation_id, reference, title, thematic_area_id, grade_id, fte, establishment_status,
                            scope, scope_reason, scope_decided_by, scope_decided_at)
         SELECT $1, v.organisation_id, v.reference, v.title, v.area_id, v.grade_id, v.fte, v.status, v.scope, v.reason, $2, now()
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::numeric[], $9::text[], $10::text[], $11::text[])
           AS v(organisation_id, reference, title, area_id, grade_id, fte, status, scope, reason)`,
        [
          programmeId,
          user.id,
          c.map((r) => r.organisationId),
          c.map((r) => r.reference),
          c.map((r) => r.title),
          c.map((r) => r.areaId),
          c.map((r) => r.gradeId),
          c.map((r) => r.fte),
          c.map((r) => r.status),
          c.map((r) => r.scope ?? areaScope.get(r.areaId)!),
          c.map((r) => r.reason ?? (r.scope ? defaultReason : 'Default scope of the thematic area')),
        ],
      );
    }
    for (let i = 0; i < plan.updates.length; i += CHUNK) {
      const u = plan.updates.slice(i, i + CHUNK);
      await em.query(
        `UPDATE posts p SET title = v.title, thematic_area_id = v.area_id, grade_id = v.grade_id, fte = v.fte, establishment_status = v.status,
                scope = COALESCE(v.scope, p.scope),
                scope_reason = CASE WHEN v.scope IS NULL THEN p.scope_reason ELSE v.reason END,
                scope_decided_by = CASE WHEN v.scope IS NULL THEN p.scope_decided_by ELSE $1::uuid END,
                scope_decided_at = CASE WHEN v.scope IS NULL THEN p.scope_decided_at ELSE now() END,
                version = p.version + 1, updated_at = now()
         FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::numeric[], $7::text[], $8::text[], $9::text[])
           AS v(id, title, area_id, grade_id, fte, status, scope, reason)
         WHERE p.id = v.id`,
        [
          user.id,
          u.map((x) => x.id),
          u.map((x) => x.row.title),
          u.map((x) => x.row.areaId),
          u.map((x) => x.row.gradeId),
          u.map((x) => x.row.fte),
          u.map((x) => x.row.status),
          u.map((x) => x.scopeChange),
          u.map((x) => (x.scopeChange ? (x.row.reason ?? defaultReason) : null)),
        ],
      );
    }
  }
}

function normaliseName(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/&amp;/g, '&')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

function orgLabel(ref: Reference, id: string): string {
  for (const list of ref.orgs.values()) for (const o of list) if (o.id === id) return o.label;
  return id;
}

function result(plan: Plan, dryRun: boolean): ImportResult {
  return {
    dryRun,
    format: plan.format,
    rows: plan.rows,
    valid: plan.errors.length === 0,
    created: plan.creates.length,
    updated: plan.updates.length,
    unchanged: plan.unchanged,
    errorCount: plan.errors.length,
    errors: plan.errors.slice(0, IMPORT_MAX_ERRORS),
  };
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { refusedTextReason } from '../common/input-safety';
import { tryHundredths } from './decimal';
import { ImportResult, ImportRowError } from './dto/import.dto';
import { REFERENCE } from './dto/post.dto';
import { ESTABLISHMENT_STATUSES, EstablishmentStatus, IMPORT_MAX_ERRORS, Scope, SCOPES } from './establishment.constants';
import { notFound } from './establishment-errors';
import { columnKey, enumValue, POST_COLUMNS, PostColumnKey } from './post-columns';
import { csvRows, detectSheetFormat, parseXlsx, Sheet, SheetFormat, SheetRow, tooManyRows, unescapeFormula } from './spreadsheet';

export interface UploadedSheet {
  buffer: Buffer;
  filename: string;
}

/** A sheet to import, read as a stream of byte chunks (from memory, or from the stored upload). */
export interface SheetSource {
  filename: string;
  /** The first bytes at least (the format is told from them). */
  head: Buffer;
  /** Size of the whole file. */
  bytes: number;
  chunks(): AsyncIterable<Buffer> | Iterable<Buffer>;
}

export interface RunHooks {
  /** Row cap (default IMPORT_MAX_ROWS). */
  maxRows?: number;
  /** The import record this run belongs to (worker path): named in the audit row. */
  importId?: string;
  /** Rows and bytes read so far; called every few thousand rows, and once at the end. */
  progress?: (rows: number, bytes: number) => Promise<void> | void;
  /** The file has no errors and the merge begins. */
  phase?: (phase: 'merging') => Promise<void> | void;
  /** In the import's transaction, just before it commits (not for a dry run: it writes nothing). */
  beforeCommit?: (em: EntityManager, result: ImportResult) => Promise<void>;
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

/** What a row is, as far as it could be read: its post's identity even when another cell is wrong. */
interface RowIdentity {
  organisationId: string;
  reference: string;
}

interface Counts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errorCount: number;
  /** The first IMPORT_MAX_ERRORS errors in row order. */
  errors: ImportRowError[];
}

interface Reference {
  orgs: Map<string, { id: string; label: string }[]>;
  areas: Map<string, { id: string; defaultScope: Scope }>;
  grades: Map<string, string>; // `${orgId}|${code lower}` -> grade id
}

/** The staging table of one import: a temporary table of the transaction (gone at its end). */
const STAGE = 'posts_import_stage';
const STAGE_COLUMNS = ['row', 'ok', 'organisation_id', 'reference', 'title', 'area_id', 'grade_id', 'fte', 'status', 'scope', 'reason'] as const;
/** Rows of COPY text sent in one write. */
const COPY_BATCH = 2000;
/** Rows between two progress reports (about every 20,000). */
const PROGRESS_EVERY = 20_000;

/** A value in COPY's text format: \N for null; backslash, tab, CR and LF escaped. */
function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\r\n]/.test(v) ? v.replace(/[\\\t\r\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : '\\n')) : v;
}

/**
 * Posts from a spreadsheet, the way HR keeps them. Every row is validated and every error given
 * with its row, column and message; a dry run stops there. A real import writes all rows or none,
 * in one transaction, and is audited as one event. A row whose (organisation, reference) exists
 * in the programme updates that post; any other row creates one.
 *
 * How a million rows fit: the sheet is parsed as a stream and each row checked on its own (cells,
 * and names resolved against the programme's organisations, areas and grades, held in memory) as
 * it is read, then sent with PostgreSQL COPY into a temporary staging table; what needs the whole
 * file or the database (duplicate references, a post of another programme, create / update /
 * unchanged) is worked out set-wise in SQL on the staging table; then one UPDATE and one INSERT
 * merge it into posts. Nothing is held per row in Node but the first IMPORT_MAX_ERRORS errors.
 */
@Injectable()
export class PostsImportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** The largest upload the worker path accepts (IMPORT_MAX_BYTES). */
  get maxBytes(): number {
    return this.config.IMPORT_MAX_BYTES;
  }

  /** The largest upload the synchronous path accepts (IMPORT_SYNC_MAX_BYTES). */
  get syncMaxBytes(): number {
    return this.config.IMPORT_SYNC_MAX_BYTES;
  }

  /** The most data rows a sheet imported by the worker may hold (IMPORT_MAX_ROWS). */
  get maxRows(): number {
    return this.config.IMPORT_MAX_ROWS;
  }

  /**
   * The small synchronous path (POST /programmes/:id/posts/import): the file is in memory, capped at
   * IMPORT_SYNC_MAX_ROWS rows and IMPORT_SYNC_MAX_BYTES bytes. Anything bigger goes through
   * POST /programmes/:id/imports, which runs `run` in the worker.
   */
  async import(user: AuthUser, programmeId: string, file: UploadedSheet, dryRun: boolean): Promise<ImportResult> {
    const maxRows = this.config.IMPORT_SYNC_MAX_ROWS;
    const format = detectSheetFormat(file.buffer, file.filename);
    // A CSV that may be over the row cap is counted first (parse only), so it is refused as fast as before
    // staging began; below the cap (fewer lines than rows allowed) nothing is read twice.
    if (format === 'csv' && lineCount(file.buffer) > maxRows + 1) for await (const _ of csvRows(file.buffer, maxRows)) void _;
    return this.run(user, programmeId, { filename: file.filename, head: file.buffer, bytes: file.buffer.length, chunks: () => [file.buffer] }, dryRun, { maxRows });
  }

  /**
   * One import, all or nothing: the sheet streamed from `source` (never held whole, but for XLSX,
   * bounded by its unzipped-size cap) into the staging table, checked, then merged. `hooks.progress`
   * hears rows and bytes read as it goes, `hooks.phase` when it starts merging, and
   * `hooks.beforeCommit` runs in the import's transaction (the worker marks its import done there).
   */
  async run(user: Pick<AuthUser, 'id' | 'email'>, programmeId: string, source: SheetSource, dryRun: boolean, hooks: RunHooks = {}): Promise<ImportResult> {
    const programme: { name: string }[] = await this.ds.query(`SELECT name FROM programmes WHERE id = $1`, [programmeId]);
    if (!programme.length) throw notFound('Programme', programmeId);
    const format = detectSheetFormat(source.head, source.filename);
    const maxRows = hooks.maxRows ?? this.maxRows;
    let bytesRead = 0;
    const counted = async function* (): AsyncGenerator<Buffer> {
      for await (const b of source.chunks()) {
        bytesRead += b.length;
        yield b;
      }
    };
    // XLSX is read whole (bounded by its unzipped-size cap); CSV row by row.
    const rows: AsyncIterable<SheetRow> = format === 'xlsx' ? sheetRows(await parseXlsx(await gather(counted()), maxRows)) : csvRows(counted(), maxRows);
    const progress = hooks.progress ? (n: number) => hooks.progress!(n, bytesRead) : undefined;

    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const em = qr.manager;
      // One import per programme at a time; the posts it changes are locked by its UPDATE.
      if (!dryRun) await em.query(`SELECT pg_advisory_xact_lock(hashtext('posts-import'), hashtext($1))`, [programmeId]);
      const counts = await this.stageAndCheck(qr, programmeId, rows, maxRows, progress);
      await progress?.(counts.rows);
      if (dryRun) {
        await qr.rollbackTransaction();
        return result(counts, format, true);
      }
      if (counts.errorCount) {
        // Every error (up to IMPORT_MAX_ERRORS) is a detail with its row and column; the count is in the message.
        throw new ApiException(
          HttpStatus.UNPROCESSABLE_ENTITY,
          `The file has ${counts.errorCount} error(s); nothing was imported`,
          counts.errors.map((e) => ({ field: `row[${e.row}].${e.column}`, reason: e.message, row: e.row, column: e.column, ...(e.relatedRows ? { relatedRows: e.relatedRows } : {}) })),
        );
      }
      await hooks.phase?.('merging');
      await this.merge(em, user, programmeId, source.filename);
      await this.audit.record(em, {
        action: AuditAction.Import,
        entityType: 'post_import',
        entityId: programmeId,
        after: { created: counts.created, updated: counts.updated, unchanged: counts.unchanged },
        metadata: { programmeId, fileName: source.filename, format, rows: counts.rows, bytes: source.bytes, ...(hooks.importId ? { importId: hooks.importId } : {}) },
        ...(hooks.importId ? { actor: user } : {}),
      });
      const done = result(counts, format, false);
      await hooks.beforeCommit?.(em, done);
      await qr.commitTransaction();
      return done;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  /**
   * Reads the sheet into the staging table (COPY), then finds the errors only the whole file or
   * the database can show, and counts what a merge would do.
   */
  private async stageAndCheck(
    qr: QueryRunner,
    programmeId: string,
    rows: AsyncIterable<SheetRow>,
    maxRows: number,
    progress?: (rows: number) => Promise<void> | void,
  ): Promise<Counts> {
    const em = qr.manager;
    const maxErrors = IMPORT_MAX_ERRORS;
    const rowErrors: ImportRowError[] = [];
    let rowErrorCount = 0;
    let dataRows = 0;
    const ref = await this.referenceData(em, programmeId);

    await em.query(
      `CREATE TEMP TABLE ${STAGE} (
         row int NOT NULL, ok boolean NOT NULL, organisation_id uuid NOT NULL, reference text NOT NULL,
         title text, area_id uuid, grade_id uuid, fte numeric(3,2), status text, scope text, reason text
       ) ON COMMIT DROP`,
    );
    const client = (qr as unknown as { databaseConnection: PoolClient }).databaseConnection;
    const copy = client.query(copyFrom(`COPY ${STAGE} (${STAGE_COLUMNS.join(', ')}) FROM STDIN`));
    const readHeader = (r: SheetRow, errors: ImportRowError[]) => this.headerColumns(r, errors);
    const checkRow = (r: SheetRow, cols: Map<number, PostColumnKey>, errors: ImportRowError[], ident: Partial<RowIdentity>) =>
      this.validateRow(r.row, r.cells, cols, ref, errors, ident);
    let headerSeen = false;
    let columns: Map<number, PostColumnKey> | null = null;

    async function* lines(): AsyncGenerator<string> {
      let batch: string[] = [];
      for await (const r of rows) {
        if (r.cells.every((c) => c.trim() === '')) continue; // blank rows are skipped, as in a spreadsheet
        if (!headerSeen) {
          headerSeen = true;
          const headerErrors: ImportRowError[] = [];
          columns = readHeader(r, headerErrors);
          rowErrorCount += headerErrors.length;
          rowErrors.push(...headerErrors.slice(0, maxErrors));
          continue;
        }
        dataRows++;
        if (!columns) continue; // header errors: rows are counted, not checked
        const errors: ImportRowError[] = [];
        const ident: Partial<RowIdentity> = {};
        const v = checkRow(r, columns, errors, ident);
        if (errors.length) {
          rowErrorCount += errors.length;
          for (const e of errors) if (rowErrors.length < maxErrors) rowErrors.push(e);
        }
        if (v) {
          batch.push(
            `${v.row}\tt\t${v.organisationId}\t${copyText(v.reference)}\t${copyText(v.title)}\t${v.areaId}\t${v.gradeId}\t${v.fte}\t${v.status}\t${copyText(v.scope)}\t${copyText(v.reason)}\n`,
          );
        } else if (ident.organisationId && ident.reference) {
          // Kept for the duplicate check only: a reference repeated after a wrong row is still a duplicate.
          batch.push(`${r.row}\tf\t${ident.organisationId}\t${copyText(ident.reference)}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n`);
        }
        if (batch.length >= COPY_BATCH) {
          yield batch.join('');
          batch = [];
          if (progress && dataRows % PROGRESS_EVERY < COPY_BATCH) await progress(dataRows);
        }
      }
      if (batch.length) yield batch.join('');
    }
    await pipeline(Readable.from(lines()), copy);
    if (!headerSeen) throw ApiException.validation([{ field: 'file', reason: 'is empty: the first row must be the header' }], 'The file is empty');
    if (dataRows > maxRows) throw tooManyRows(maxRows);
    if (!columns) return { rows: dataRows, created: 0, updated: 0, unchanged: 0, errorCount: rowErrorCount, errors: rowErrors };

    await em.query(`ANALYZE ${STAGE}`);
    await em.query(`CREATE INDEX ON ${STAGE} (organisation_id, reference, row)`);
    // Set-wise: a repeated reference (every row after the first), and a post of another programme.
    const found: { row: number; reference: string; organisation_id: string; first_row: number | null; total: number }[] = await em.query(
      `WITH k AS (
         SELECT s.row, s.ok, s.organisation_id, s.reference, min(s.row) OVER (PARTITION BY s.organisation_id, s.reference) AS first_row FROM ${STAGE} s
       ), e AS (
         SELECT k.row, k.reference, k.organisation_id, k.first_row FROM k WHERE k.row > k.first_row
         UNION ALL
         SELECT k.row, k.reference, k.organisation_id, NULL FROM k
           JOIN posts p ON p.organisation_id = k.organisation_id AND p.reference = k.reference
         WHERE k.ok AND k.row = k.first_row AND p.programme_id <> $1
       )
       SELECT e.*, count(*) OVER ()::int AS total FROM e ORDER BY e.row LIMIT $2`,
      [programmeId, maxErrors],
    );
    const setErrors: ImportRowError[] = found.map((f) =>
      f.first_row !== null
        ? {
            row: f.row,
            column: 'reference',
            message: `duplicate reference "${f.reference}" for ${orgLabel(ref, f.organisation_id)}: rows ${f.first_row} and ${f.row}`,
            relatedRows: [f.first_row],
          }
        : { row: f.row, column: 'reference', message: `"${f.reference}" is already a post of ${orgLabel(ref, f.organisation_id)} in another programme` },
    );
    const [c]: { created: number; updated: number; unchanged: number }[] = await em.query(
      `WITH k AS (
         SELECT s.*, min(s.row) OVER (PARTITION BY s.organisation_id, s.reference) AS first_row FROM ${STAGE} s
       )
       SELECT count(*) FILTER (WHERE p.id IS NULL)::int AS created,
              count(*) FILTER (WHERE p.id IS NOT NULL AND ${CHANGED})::int AS updated,
              count(*) FILTER (WHERE p.id IS NOT NULL AND NOT ${CHANGED})::int AS unchanged
       FROM k s LEFT JOIN posts p ON p.organisation_id = s.organisation_id AND p.reference = s.reference
       WHERE s.ok AND s.row = s.first_row AND (p.id IS NULL OR p.programme_id = $1)`,
      [programmeId],
    );
    return { rows: dataRows, ...c, errorCount: rowErrorCount + (found[0]?.total ?? 0), errors: mergeByRow(rowErrors, setErrors, maxErrors) };
  }

  /** One UPDATE of the posts that change, then one INSERT of the new ones (the file has no errors). */
  private async merge(em: EntityManager, user: Pick<AuthUser, 'id'>, programmeId: string, filename: string): Promise<void> {
    const defaultReason = `Imported from ${filename}`.slice(0, 2000);
    await em.query(
      `UPDATE posts p SET title = s.title, thematic_area_id = s.area_id, grade_id = s.grade_id, fte = s.fte, establishment_status = s.status,
              scope = CASE WHEN ${SCOPE_CHANGES} THEN s.scope ELSE p.scope END,
              scope_reason = CASE WHEN ${SCOPE_CHANGES} THEN COALESCE(s.reason, $3) ELSE p.scope_reason END,
              scope_decided_by = CASE WHEN ${SCOPE_CHANGES} THEN $2::uuid ELSE p.scope_decided_by END,
              scope_decided_at = CASE WHEN ${SCOPE_CHANGES} THEN now() ELSE p.scope_decided_at END,
              version = p.version + 1, updated_at = now()
       FROM ${STAGE} s
       WHERE s.ok AND p.organisation_id = s.organisation_id AND p.reference = s.reference AND p.programme_id = $1 AND ${CHANGED}`,
      [programmeId, user.id, defaultReason],
    );
    await em.query(
      `INSERT INTO posts (programme_id, organisation_id, reference, title, thematic_area_id, grade_id, fte, establishment_status,
                          scope, scope_reason, scope_decided_by, scope_decided_at)
       SELECT $1, s.organisation_id, s.reference, s.title, s.area_id, s.grade_id, s.fte, s.status,
              COALESCE(s.scope, a.default_scope), COALESCE(s.reason, CASE WHEN s.scope IS NOT NULL THEN $3 ELSE 'Default scope of the thematic area' END), $2, now()
       FROM ${STAGE} s JOIN thematic_areas a ON a.id = s.area_id
       WHERE s.ok AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.organisation_id = s.organisation_id AND p.reference = s.reference)
       ORDER BY s.row`,
      [programmeId, user.id, defaultReason],
    );
  }

  /** Header cell -> column; unknown, duplicate and missing required columns are errors on row 1. */
  private headerColumns(header: SheetRow, errors: ImportRowError[]): Map<number, PostColumnKey> | null {
    const cols = new Map<number, PostColumnKey>();
    const seen = new Map<PostColumnKey, number>();
    header.cells.forEach((text, i) => {
      if (text.trim() === '') return;
      const key = columnKey(text);
      if (!key) {
        errors.push({ row: header.row, column: text.trim(), message: `unknown column; the columns are: ${POST_COLUMNS.map((c) => c.key).join(', ')}` });
      } else if (seen.has(key)) {
        errors.push({ row: header.row, column: key, message: `column appears twice (columns ${seen.get(key)! + 1} and ${i + 1})` });
      } else {
        seen.set(key, i);
        cols.set(i, key);
      }
    });
    for (const c of POST_COLUMNS) {
      if (c.required && !seen.has(c.key)) errors.push({ row: header.row, column: c.key, message: 'required column is missing' });
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

  private validateRow(row: number, cells: string[], columns: Map<number, PostColumnKey>, ref: Reference, errors: ImportRowError[], ident: Partial<RowIdentity>): ValidRow | null {
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

    if (organisationId && reference) {
      ident.organisationId = organisationId;
      ident.reference = reference;
    }
    if (errors.length > before) return null;
    return { row, organisationId, reference, title, areaId: area!.id, gradeId, fte, status, scope, reason };
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

/** The file's own errors (in row order) and the set-wise ones (in row order), merged by row, the first max kept. */
function mergeByRow(a: ImportRowError[], b: ImportRowError[], max: number): ImportRowError[] {
  const out: ImportRowError[] = [];
  let i = 0;
  let j = 0;
  while (out.length < max && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && a[i].row <= b[j].row)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

/** Line feeds in the file, plus one: never fewer than its records. */
function lineCount(buf: Buffer): number {
  let n = 1;
  for (let at = buf.indexOf(10); at !== -1; at = buf.indexOf(10, at + 1)) n++;
  return n;
}

async function gather(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const c of chunks) all.push(c);
  return Buffer.concat(all);
}

async function* sheetRows(sheet: Sheet): AsyncGenerator<SheetRow> {
  yield sheet.header;
  yield* sheet.rows;
}

/** The SQL test "the staged row s differs from its post p" (surrounding whitespace in a title is no change). */
const SCOPE_CHANGES = `(s.scope IS NOT NULL AND s.scope <> p.scope)`;
const CHANGED = `(${SCOPE_CHANGES} OR NOT (p.title = s.title OR btrim(p.title, E' \\t\\r\\n') = s.title)
  OR p.thematic_area_id <> s.area_id OR p.grade_id <> s.grade_id OR p.fte <> s.fte OR p.establishment_status <> s.status)`;

function result(c: Counts, format: SheetFormat, dryRun: boolean): ImportResult {
  return {
    dryRun,
    format,
    rows: c.rows,
    valid: c.errorCount === 0,
    created: c.created,
    updated: c.updated,
    unchanged: c.unchanged,
    errorCount: c.errorCount,
    errors: c.errors,
  };
}

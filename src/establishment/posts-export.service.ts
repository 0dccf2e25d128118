import { Injectable, StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import { PassThrough, Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { hundredthsToText, toHundredths } from './decimal';
import { canSeeProgramme, postAreaFilter } from './establishment-access';
import { MIME } from './establishment.constants';
import { notFound } from './establishment-errors';
import { POST_COLUMNS } from './post-columns';
import { ReportSlots } from './report-slots';
import { Cell, CSV_OPTIONS, escapeFormula, loadExcelJs, slug, toCsv, toXlsx } from './spreadsheet';

interface ExportRow {
  id: string;
  reference: string;
  title: string;
  organisation: string;
  thematic_area: string;
  grade: string;
  fte: string;
  establishment_status: string;
  scope: string;
  scope_reason: string | null;
}

const BATCH = 5000;

/**
 * Posts out as the same columns the import reads, so an exported sheet imports back unchanged.
 * Streams in keyset batches (a million posts never sit in memory). Every cell that a spreadsheet
 * would run as a formula is escaped.
 */
@Injectable()
export class PostsExportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly slots: ReportSlots,
  ) {}

  async export(user: AuthUser, programmeId: string, format: 'csv' | 'xlsx'): Promise<StreamableFile> {
    if (!canSeeProgramme(user, programmeId)) throw notFound('Programme', programmeId);
    const programme: { name: string }[] = await this.ds.query(`SELECT name FROM programmes WHERE id = $1`, [programmeId]);
    if (!programme.length) throw notFound('Programme', programmeId);
    const areas = postAreaFilter(user);
    // A heavy report: the slot is held until the file has been sent (or the stream is given up).
    const release = await this.slots.acquire();
    try {
      const stream = await this.startExport(programmeId, programme[0].name, areas, format);
      stream.stream.once('close', release);
      return stream.file;
    } catch (err) {
      release();
      throw err;
    }
  }

  private async startExport(programmeId: string, name: string, areas: string[] | null, format: 'csv' | 'xlsx'): Promise<{ stream: Readable; file: StreamableFile }> {
    await this.audit.recordAlone({ action: AuditAction.Export, entityType: 'post_export', entityId: programmeId, metadata: { programmeId, format } });
    const filename = `posts-${slug(name)}.${format}`;
    const batches = this.batches(programmeId, areas);
    const stream = format === 'csv' ? csvStream(batches) : xlsxStream(batches, await loadExcelJs());
    return { stream, file: new StreamableFile(stream, { type: format === 'csv' ? `${MIME.csv}; charset=utf-8` : MIME.xlsx, disposition: `attachment; filename="${filename}"` }) };
  }

  /** The documented header, for the template (and the guide to each column in the XLSX). */
  async template(format: 'csv' | 'xlsx'): Promise<StreamableFile> {
    const header = POST_COLUMNS.map((c) => c.key);
    if (format === 'csv') {
      return new StreamableFile(toCsv([header]), { type: `${MIME.csv}; charset=utf-8`, disposition: 'attachment; filename="posts-template.csv"' });
    }
    const guide: Cell[][] = [['column', 'required', 'meaning', 'example'], ...POST_COLUMNS.map((c) => [c.key, c.required ? 'yes' : 'no', c.description, c.example])];
    guide.push([], ['The header is row 1. Rows are numbered as the spreadsheet shows them. A row whose organisation and reference exist in the programme updates that post.']);
    const buf = await toXlsx([
      { name: 'Posts', rows: [header], boldRows: [0], widths: header.map(() => 22) },
      { name: 'Guide', rows: guide, boldRows: [0], widths: [22, 10, 90, 34] },
    ]);
    return new StreamableFile(buf, { type: MIME.xlsx, disposition: 'attachment; filename="posts-template.xlsx"' });
  }

  /** Keyset batches read in one REPEATABLE READ transaction: the file is one consistent snapshot. */
  private async *batches(programmeId: string, areas: string[] | null): AsyncGenerator<ExportRow[]> {
    if (areas !== null && !areas.length) return;
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction('REPEATABLE READ');
      await qr.query('SET TRANSACTION READ ONLY');
      yield* this.readBatches(qr.query.bind(qr) as (sql: string, params: unknown[]) => Promise<ExportRow[]>, programmeId, areas);
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      await qr.release();
    }
  }

  private async *readBatches(query: (sql: string, params: unknown[]) => Promise<ExportRow[]>, programmeId: string, areas: string[] | null): AsyncGenerator<ExportRow[]> {
    let after: { reference: string; id: string } | null = null;
    for (;;) {
      const params: unknown[] = [programmeId, BATCH];
      let where = 'p.programme_id = $1';
      if (areas !== null) {
        params.push(areas);
        where += ` AND p.thematic_area_id = ANY($${params.length}::uuid[])`;
      }
      if (after) {
        params.push(after.reference, after.id);
        where += ` AND (p.reference, p.id) > ($${params.length - 1}::text, $${params.length}::uuid)`;
      }
      const rows: ExportRow[] = await query(
        `SELECT p.id, p.reference, p.title, COALESCE(o.short_name, o.name) AS organisation, a.name AS thematic_area, g.code AS grade,
                p.fte::text AS fte, p.establishment_status, p.scope, p.scope_reason
         FROM (SELECT * FROM posts p WHERE ${where} ORDER BY p.reference, p.id LIMIT $2) p
         JOIN organisations o ON o.id = p.organisation_id
         JOIN thematic_areas a ON a.id = p.thematic_area_id
         JOIN grades g ON g.id = p.grade_id
         ORDER BY p.reference, p.id`,
        params,
      );
      if (!rows.length) return;
      yield rows;
      if (rows.length < BATCH) return;
      const last = rows[rows.length - 1];
      after = { reference: last.reference, id: last.id };
    }
  }
}

function cells(r: ExportRow): string[] {
  return [r.reference, r.title, r.organisation, r.thematic_area, r.grade, hundredthsToText(toHundredths(r.fte)), r.establishment_status, r.scope, r.scope_reason ?? ''];
}

function csvStream(batches: AsyncGenerator<ExportRow[]>): Readable {
  const header = POST_COLUMNS.map((c) => c.key);
  return Readable.from(
    (async function* () {
      yield Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(stringify([header], CSV_OPTIONS))]);
      for await (const batch of batches) {
        yield Buffer.from(stringify(batch.map((r) => cells(r).map(escapeFormula)), CSV_OPTIONS));
      }
    })(),
  );
}

function xlsxStream(batches: AsyncGenerator<ExportRow[]>, ExcelJS: Awaited<ReturnType<typeof loadExcelJs>>): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const ws = wb.addWorksheet('Posts', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = POST_COLUMNS.map((c) => ({ key: c.key, width: c.key === 'title' || c.key === 'thematic_area' || c.key === 'scope_reason' ? 36 : 18 }));
  const header = ws.addRow(POST_COLUMNS.map((c) => c.key));
  header.font = { bold: true };
  header.commit();
  (async () => {
    for await (const batch of batches) {
      for (const r of batch) {
        const values: (string | number)[] = cells(r); // text cells: no formula escaping in XLSX
        values[5] = Number(values[5]); // FTE as a number cell
        ws.addRow(values).commit();
      }
    }
    ws.commit();
    await wb.commit();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

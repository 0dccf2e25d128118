import { HttpStatus } from '@nestjs/common';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { ApiException } from '../common/errors/api-error';
import { MIME } from './establishment.constants';

/**
 * Reading and writing the spreadsheets HR keeps: CSV (UTF-8 with or without BOM, CRLF or LF,
 * quoted fields) and XLSX. Rows are numbered as a spreadsheet shows them: the header is row 1.
 */

export type Cell = string | number | null;
export type SheetFormat = 'csv' | 'xlsx';
export type ReportFormat = 'json' | SheetFormat;

export interface SheetRow {
  /** The row number a spreadsheet shows (header = 1). */
  row: number;
  cells: string[];
}

export interface Sheet {
  header: SheetRow;
  rows: SheetRow[];
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading
 * apostrophe, so Excel or LibreOffice shows it as text (OWASP "CSV injection").
 */
export function escapeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The inverse on import: an exported, escaped cell comes back as the text it was. */
export function unescapeFormula(value: string): string {
  return value.length > 1 && value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

function textCell(v: Cell): string | number {
  if (v === null) return '';
  return typeof v === 'number' ? v : escapeFormula(v);
}

/** CSV as Excel opens it correctly: UTF-8 BOM, CRLF, quotes where needed, formulas escaped. */
export function toCsv(rows: Cell[][]): Buffer {
  const text = stringify(
    rows.map((r) => r.map(textCell)),
    { record_delimiter: 'windows', cast: { number: (n: number) => String(n) } },
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

export interface XlsxSheetSpec {
  name: string;
  rows: Cell[][];
  /** Rows (0-based) to set bold, e.g. the header and totals. */
  boldRows?: number[];
  /** Columns (0-based) holding decimals to show with two places. */
  decimalColumns?: number[];
  widths?: number[];
}

export async function toXlsx(sheets: XlsxSheetSpec[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Workforce transition tracker';
  for (const spec of sheets) {
    const ws = wb.addWorksheet(spec.name);
    for (const r of spec.rows) ws.addRow(r.map(textCell));
    for (const i of spec.boldRows ?? []) ws.getRow(i + 1).font = { bold: true };
    for (const c of spec.decimalColumns ?? []) ws.getColumn(c + 1).numFmt = '0.00';
    spec.widths?.forEach((w, i) => (ws.getColumn(i + 1).width = w));
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** What the upload is: XLSX (a ZIP), CSV (UTF-8 text), or refused. */
export function detectSheetFormat(buf: Buffer, filename?: string): SheetFormat {
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) return 'xlsx';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) {
    throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'Excel 97-2003 (.xls) files are not supported: save the sheet as .xlsx or CSV', [
      { field: 'file', reason: `${filename ?? 'the file'} is an .xls workbook` },
    ]);
  }
  return 'csv';
}

export function parseCsv(buf: Buffer): Sheet {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw ApiException.validation([{ field: 'file', reason: 'is not UTF-8 text: save the sheet as "CSV UTF-8" or .xlsx' }], 'The file is not UTF-8 CSV');
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (e) {
    const err = e as { message?: string; lines?: number };
    throw ApiException.validation(
      [{ field: 'file', reason: `is not well-formed CSV${err.lines ? ` (line ${err.lines})` : ''}: ${err.message ?? 'parse error'}` }],
      'The file is not well-formed CSV',
    );
  }
  return toSheet(records.map((cells, i) => ({ row: i + 1, cells })));
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return 'result' in v && v.result !== undefined ? cellText(v.result as ExcelJS.CellValue) : '';
    if ('text' in v) return typeof v.text === 'string' ? v.text : cellText(v.text as ExcelJS.CellValue);
    if ('error' in v) return String(v.error);
  }
  return String(v);
}

export async function parseXlsx(buf: Buffer, maxRows: number): Promise<Sheet> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  } catch {
    throw ApiException.validation([{ field: 'file', reason: 'is not a readable .xlsx workbook' }], 'The file is not a readable .xlsx workbook');
  }
  const ws = wb.getWorksheet('Posts') ?? wb.worksheets[0];
  if (!ws) throw ApiException.validation([{ field: 'file', reason: 'has no worksheet' }]);
  if (ws.actualRowCount > maxRows + 1) throw tooManyRows(maxRows);
  const rows: SheetRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => (cells[col - 1] = cellText(cell.value)));
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    rows.push({ row: rowNumber, cells });
  });
  return toSheet(rows);
}

export function tooManyRows(maxRows: number): ApiException {
  return ApiException.validation([{ field: 'file', reason: `has more than ${maxRows} data rows; split it` }], `The file has more than ${maxRows} rows`);
}

function toSheet(rows: SheetRow[]): Sheet {
  const isBlank = (r: SheetRow) => r.cells.every((c) => c.trim() === '');
  const nonBlank = rows.filter((r) => !isBlank(r));
  const header = nonBlank.shift();
  if (!header) throw ApiException.validation([{ field: 'file', reason: 'is empty: the first row must be the header' }], 'The file is empty');
  return { header, rows: nonBlank };
}

/**
 * The format of a report: `?format=` wins; else the Accept header (text/csv, the XLSX type,
 * application/json, or any type); no Accept means JSON. Anything else is 406.
 */
export function negotiateFormat(format: string | undefined, accept: string | undefined, allowed: ReportFormat[] = ['json', 'csv', 'xlsx']): ReportFormat {
  if (format !== undefined) {
    const f = format.toLowerCase() as ReportFormat;
    if (!allowed.includes(f)) throw ApiException.validation([{ field: 'format', reason: `must be one of: ${allowed.join(', ')}` }]);
    return f;
  }
  if (!accept) return allowed[0];
  const wanted = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  const byType: Record<string, ReportFormat> = { [MIME.json]: 'json', [MIME.csv]: 'csv', [MIME.xlsx]: 'xlsx' };
  for (const w of wanted) {
    if (w.type === '*/*' || w.type === 'application/*' || w.type === 'text/*') {
      if (w.type === 'text/*' && allowed.includes('csv')) return 'csv';
      return allowed[0];
    }
    const f = byType[w.type];
    if (f && allowed.includes(f)) return f;
  }
  throw new ApiException(HttpStatus.NOT_ACCEPTABLE, `Not acceptable: this resource is available as ${allowed.map((f) => (f === 'json' ? MIME.json : MIME[f])).join(', ')}`, [
    { field: 'accept', reason: `must accept one of: ${allowed.join(', ')} (or use ?format=)` },
  ]);
}

/** A filename-safe slug: "Manchester Single Commissioning Function 2017" -> "manchester-single-commissioning-function-2017". */
export function slug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .toLowerCase()
      .replace(/[\s_-]+/g, '-')
      .slice(0, 80) || 'export'
  );
}

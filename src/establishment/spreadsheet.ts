import { HttpStatus } from '@nestjs/common';
import { parse as parseStream } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ApiException } from '../common/errors/api-error';
import { MIME } from './establishment.constants';

type ExcelJs = typeof ExcelJS;
let excelJs: Promise<ExcelJs> | undefined;
/**
 * exceljs, loaded on first use: only XLSX imports and exports need it, and loading it took about
 * 0.56 s of the API's start-up (docs/benchmarks.md, "API start-up and memory").
 */
export function loadExcelJs(): Promise<ExcelJs> {
  excelJs ??= import('exceljs').then((m) => ((m as unknown as { default?: ExcelJs }).default ?? (m as unknown as ExcelJs)));
  return excelJs;
}

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

// A formula trigger first, or after any leading whitespace (spreadsheets skip spaces, NBSP, line
// breaks before `=`), or a tab / CR / LF first.
const FORMULA_START = /^(?:[\s\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r\n])/;

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, also after leading whitespace;
 * tab, CR or LF first) gets a leading apostrophe, so Excel or LibreOffice shows it as text
 * (OWASP "CSV injection").
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

/**
 * XLSX needs no escaping: a string is written as a text cell (never a formula), so "=1+1" shows as
 * =1+1 and stays text. An apostrophe here would be shown literally.
 */
export function xlsxCell(v: Cell): string | number {
  return v === null ? '' : v;
}

/**
 * csv-stringify quotes a field holding the record delimiter (CRLF) but not a lone LF or CR, which a
 * spreadsheet still reads as a new line: every field with a line break is quoted.
 */
export const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/** CSV as Excel opens it correctly: UTF-8 BOM, CRLF, quotes where needed, formulas escaped. */
export function toCsv(rows: Cell[][]): Buffer {
  const text = stringify(
    rows.map((r) => r.map(textCell)),
    { ...CSV_OPTIONS, cast: { number: (n: number) => String(n) } },
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
  const ExcelJS = await loadExcelJs();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Workforce transition tracker';
  for (const spec of sheets) {
    const ws = wb.addWorksheet(spec.name);
    for (const r of spec.rows) ws.addRow(r.map(xlsxCell));
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

/** Caps on what one uploaded sheet may hold, enforced while it is read (see docs/benchmarks.md). */
export const SHEET_LIMITS = {
  /** Columns in one row (the template has 9). */
  maxColumns: 100,
  /** Characters in one cell (Excel's own limit). */
  maxCellChars: 32_767,
  /** XLSX: bytes once unzipped, all entries together (declared sizes, checked before inflating). */
  xlsxMaxUncompressedBytes: 64 * 1024 * 1024,
  /** XLSX: entries in the zip. */
  xlsxMaxEntries: 200,
  /** Rows between two yields to the event loop. */
  rowsPerTurn: 500,
};

const notCsv = (reason: string) => ApiException.validation([{ field: 'file', reason: `is not well-formed CSV${reason}` }], 'The file is not well-formed CSV');

const notUtf8 = () => ApiException.validation([{ field: 'file', reason: 'is not UTF-8 text: save the sheet as "CSV UTF-8" or .xlsx' }], 'The file is not UTF-8 CSV');

/** The bytes decoded as UTF-8 (refusing anything else) in 16 KiB chunks, with a turn of the event loop between them. */
async function* utf8Chunks(source: Buffer | AsyncIterable<Buffer>, size = 16 * 1024): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const pieces: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(source) ? [source] : source;
  for await (const buf of pieces) {
    for (let i = 0; i < buf.length; i += size) {
      let text: string;
      try {
        text = decoder.decode(buf.subarray(i, i + size), { stream: true });
      } catch {
        throw notUtf8();
      }
      if (text) yield text;
      await nextTurn();
    }
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw notUtf8();
  }
  if (rest) yield rest;
}

/**
 * CSV, decoded and parsed as a stream in chunks that yield to the event loop, the row cap
 * enforced while it reads: a file of 1.5M one-cell lines is refused after maxRows + 1 rows.
 */
export async function parseCsv(buf: Buffer, maxRows = Number.MAX_SAFE_INTEGER): Promise<Sheet> {
  const rows: SheetRow[] = [];
  for await (const r of csvRows(buf, maxRows)) rows.push(r);
  return toSheet(rows);
}

/**
 * The rows of a CSV one at a time, as parseCsv reads them (same caps, same errors), for readers
 * that never hold the whole sheet: the import streams them into PostgreSQL COPY.
 */
export async function* csvRows(buf: Buffer | AsyncIterable<Buffer>, maxRows = Number.MAX_SAFE_INTEGER): AsyncGenerator<SheetRow> {
  const parser = parseStream({ bom: true, relax_column_count: true, skip_empty_lines: false, max_record_size: SHEET_LIMITS.maxCellChars * 4 });
  const source = Readable.from(utf8Chunks(buf));
  let sourceError: unknown;
  source.on('error', (e) => {
    sourceError = e;
    parser.destroy(e);
  });
  source.pipe(parser);
  let n = 0;
  let nonBlank = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      n++;
      if (cells.length > SHEET_LIMITS.maxColumns) throw tooManyColumns(n);
      if (cells.some((c) => c.trim() !== '')) nonBlank++;
      if (nonBlank > maxRows + 1 || n > 2 * (maxRows + 1)) throw tooManyRows(maxRows);
      yield { row: n, cells };
      if (n % SHEET_LIMITS.rowsPerTurn === 0) await nextTurn();
    }
  } catch (e) {
    if (e instanceof ApiException) throw e;
    if (sourceError instanceof ApiException) throw sourceError;
    const err = e as { message?: string; lines?: number };
    throw notCsv(`${err.lines ? ` (line ${err.lines})` : ''}: ${err.message ?? 'parse error'}`);
  } finally {
    source.unpipe(parser);
    source.destroy();
    parser.destroy();
  }
  if (sourceError instanceof ApiException) throw sourceError;
}

function tooManyColumns(row: number): ApiException {
  return ApiException.validation([{ field: 'file', reason: `row ${row} has more than ${SHEET_LIMITS.maxColumns} columns` }], 'The file has too many columns');
}

/**
 * The zip's central directory, read without inflating anything: a zip bomb (a small file that
 * unzips to gigabytes) is refused here, in microseconds.
 */
export function checkZipInventory(buf: Buffer): void {
  const bad = (reason: string) => ApiException.validation([{ field: 'file', reason }], 'The file is not a readable .xlsx workbook');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('is not a readable .xlsx workbook');
  const entries = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || at === 0xffffffff) throw bad('is a ZIP64 archive: too large to be a spreadsheet of posts');
  if (entries > SHEET_LIMITS.xlsxMaxEntries) throw bad(`has more than ${SHEET_LIMITS.xlsxMaxEntries} parts`);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) throw bad('is not a readable .xlsx workbook');
    const size = buf.readUInt32LE(at + 24);
    if (size === 0xffffffff) throw bad('is a ZIP64 archive: too large to be a spreadsheet of posts');
    total += size;
    if (total > SHEET_LIMITS.xlsxMaxUncompressedBytes) {
      throw ApiException.validation(
        [{ field: 'file', reason: `unzips to more than ${SHEET_LIMITS.xlsxMaxUncompressedBytes / 1024 / 1024} MiB; split it` }],
        'The workbook is too large once unzipped',
      );
    }
    at += 46 + buf.readUInt16LE(at + 28) + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
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

/**
 * XLSX read as a stream (exceljs' WorkbookReader): the zip inventory is checked first, then rows
 * and cells are capped while they are read, with a turn of the event loop every few hundred rows.
 * Memory stays bounded by the unzipped-size cap (the shared strings are the only table kept whole).
 * The sheet named "Posts" is read, else the first.
 */
export async function parseXlsx(buf: Buffer, maxRows: number): Promise<Sheet> {
  checkZipInventory(buf);
  const unreadable = () => ApiException.validation([{ field: 'file', reason: 'is not a readable .xlsx workbook' }], 'The file is not a readable .xlsx workbook');
  const source = Readable.from(
    (async function* () {
      for (let i = 0; i < buf.length; i += 64 * 1024) {
        yield buf.subarray(i, i + 64 * 1024);
        await nextTurn();
      }
    })(),
  );
  const ExcelJS = await loadExcelJs();
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'ignore' });
  let first: SheetRow[] | undefined;
  let emitted = 0;
  try {
    for await (const ws of reader) {
      const isPosts = (ws as unknown as { name?: string }).name === 'Posts';
      const rows: SheetRow[] = [];
      let nonBlank = 0;
      for await (const row of ws as unknown as AsyncIterable<ExcelJS.Row>) {
        emitted++;
        const values = Array.isArray(row.values) ? row.values : [];
        if (values.length - 1 > SHEET_LIMITS.maxColumns) throw tooManyColumns(row.number);
        const cells: string[] = [];
        for (let c = 1; c < values.length; c++) cells[c - 1] = cellText(values[c] as ExcelJS.CellValue).slice(0, SHEET_LIMITS.maxCellChars + 1);
        for (let i = 0; i < cells.length; i++) cells[i] ??= '';
        if (cells.some((c) => c.trim() !== '')) nonBlank++;
        if (nonBlank > maxRows + 1 || emitted > 4 * (maxRows + 1)) throw tooManyRows(maxRows);
        if (!first || isPosts) rows.push({ row: row.number, cells });
        if (emitted % SHEET_LIMITS.rowsPerTurn === 0) await nextTurn();
      }
      if (isPosts) return toSheet(rows);
      first ??= rows;
    }
  } catch (e) {
    if (e instanceof ApiException) throw e;
    throw unreadable();
  } finally {
    source.destroy();
  }
  if (!first) throw ApiException.validation([{ field: 'file', reason: 'has no worksheet' }]);
  return toSheet(first);
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

import { ImportRowError } from '../dto/import.dto';
import { toCsv } from '../spreadsheet';

/** An import's row errors as CSV (the house CSV writer: BOM, CRLF, cells a spreadsheet would run as formulas escaped). */
export function errorReportCsv(errors: ImportRowError[]): Buffer {
  return toCsv([['row', 'column', 'message', 'related_rows'], ...errors.map((e) => [e.row, e.column, e.message, (e.relatedRows ?? []).join(' ')])]);
}

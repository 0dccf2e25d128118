import { ApiException } from '../common/errors/api-error';
import { escapeFormula, negotiateFormat, parseCsv, toCsv, unescapeFormula } from './spreadsheet';

describe('spreadsheet helpers', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+44 161', "'+44 161"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['Plain title', 'Plain title'],
    ["O'Brien", "O'Brien"],
    // issue 17: after leading whitespace, and a line break first
    [' =1+1', "' =1+1"],
    ['\u00a0=1+1', "'\u00a0=1+1"],
    ['\n=1+1', "'\n=1+1"],
    ['\r\n@x', "'\r\n@x"],
    ['  plain', '  plain'],
  ])('escapes %p as %p and reads it back', (raw, escaped) => {
    expect(escapeFormula(raw)).toBe(escaped);
    expect(unescapeFormula(escaped)).toBe(raw);
  });

  it('writes CSV with BOM and CRLF, quoting where needed, escaping formulas, numbers as they are', () => {
    const out = toCsv([
      ['a', 'b, c', 'say "hi"'],
      ['=1+1', -1, null],
    ]);
    expect(out.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(out.subarray(3).toString('utf8')).toBe('a,"b, c","say ""hi"""\r\n\'=1+1,-1,\r\n');
  });

  it('quotes every field holding a line break, a lone LF or CR included (issue 17)', () => {
    const out = toCsv([['a\nb', 'c\rd', '\n=1+1']]).subarray(3).toString('utf8');
    expect(out).toBe('"a\nb","c\rd","\'\n=1+1"\r\n');
  });

  it('refuses a file that is not UTF-8, wherever the bad byte is', async () => {
    const late = Buffer.concat([Buffer.from('h\n' + 'x\n'.repeat(100_000)), Buffer.from([0xff, 0x0a])]);
    await expect(parseCsv(late)).rejects.toThrow('not UTF-8');
  });

  it('refuses a CSV over the row cap while reading, and a row with too many columns', async () => {
    await expect(parseCsv(Buffer.from('h\n' + 'x\n'.repeat(20)), 10)).rejects.toThrow('more than 10 rows');
    await expect(parseCsv(Buffer.from('h\n' + ','.repeat(200) + '\n'))).rejects.toThrow('too many columns');
  });

  it('reads CSV with BOM, CRLF, quoted newlines, and numbers rows as a spreadsheet does (blank rows counted, skipped)', async () => {
    const sheet = await parseCsv(Buffer.from('\ufeffh1,h2\r\n1,"two\r\nlines"\r\n\r\n3,4\r\n'));
    expect(sheet.header).toEqual({ row: 1, cells: ['h1', 'h2'] });
    expect(sheet.rows).toEqual([
      { row: 2, cells: ['1', 'two\r\nlines'] },
      { row: 4, cells: ['3', '4'] },
    ]);
  });

  it('negotiates the format: ?format wins, then Accept, JSON by default, 406 otherwise', () => {
    expect(negotiateFormat(undefined, undefined)).toBe('json');
    expect(negotiateFormat('CSV', 'application/json')).toBe('csv');
    expect(negotiateFormat(undefined, 'text/csv')).toBe('csv');
    expect(negotiateFormat(undefined, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('xlsx');
    expect(negotiateFormat(undefined, 'text/html,application/xhtml+xml,*/*;q=0.8')).toBe('json');
    expect(negotiateFormat(undefined, 'text/csv;q=0.5, application/json')).toBe('json');
    expect(negotiateFormat(undefined, '*/*', ['csv', 'xlsx'])).toBe('csv');
    expect(() => negotiateFormat(undefined, 'application/xml')).toThrow(ApiException);
    expect(() => negotiateFormat('pdf', undefined)).toThrow(ApiException);
  });
});

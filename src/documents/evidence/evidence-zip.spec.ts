import { MANIFEST_NAME, manifestCsv } from './evidence-zip';

describe('manifestCsv (the evidence pack ZIP’s manifest)', () => {
  it('has the header and one CRLF-ended line per file, in the order given', () => {
    const csv = manifestCsv([
      { path: 'documents/2017-01-10 reg13_information d1/reg13.docx', sha256: 'a'.repeat(64), bytes: 12345, source: 'stored_files f1' },
      { path: 'meetings/2017-01-05 Forum 1/minutes.txt', sha256: 'b'.repeat(64), bytes: 17, source: 'forum_meetings m1' },
    ]);
    expect(MANIFEST_NAME).toBe('manifest.csv');
    expect(csv).toBe(
      'path,sha256,bytes,source\r\n' +
        `documents/2017-01-10 reg13_information d1/reg13.docx,${'a'.repeat(64)},12345,stored_files f1\r\n` +
        `meetings/2017-01-05 Forum 1/minutes.txt,${'b'.repeat(64)},17,forum_meetings m1\r\n`,
    );
  });

  it('quotes a cell with a comma, a quote or a line break (RFC 4180), doubling its quotes', () => {
    const csv = manifestCsv([{ path: 'meetings/2017-02-05 Pay, "grading"/papers.txt', sha256: 'c'.repeat(64), bytes: 0, source: 'line\nbreak' }]);
    expect(csv.split('\r\n')[1]).toBe(`"meetings/2017-02-05 Pay, ""grading""/papers.txt",${'c'.repeat(64)},0,"line\nbreak"`);
  });

  it('is the header alone for no files', () => {
    expect(manifestCsv([])).toBe('path,sha256,bytes,source\r\n');
  });
});

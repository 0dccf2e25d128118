import { ZipFile } from 'yazl';
import { sha256 } from '../document-store';
import type { EvidenceContent } from './evidence-data';

export interface ZipSource {
  /** The bytes of a stored file and the SHA-256 kept with it (checked: a file that does not match is an error, never packed). */
  load(fileId: string): Promise<{ bytes: Buffer; sha256: string }>;
}

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
  source: string;
}

export const MANIFEST_NAME = 'manifest.csv';

const safe = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._ -]+/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80);
const csvCell = (v: string | number) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

/** manifest.csv: one line per file in the ZIP (not itself), with its SHA-256 and size. */
export function manifestCsv(entries: ManifestEntry[]): string {
  return ['path,sha256,bytes,source', ...entries.map((e) => [e.path, e.sha256, e.bytes, e.source].map(csvCell).join(','))].join('\r\n') + '\r\n';
}

/**
 * The ZIP of the originals of a pack copy, streamed by yazl: every issued document's stored files
 * under their original names (one folder per document, the names repeat), each meeting's minutes
 * and list of papers, and manifest.csv with every file's SHA-256. The reps' copy takes its content
 * already without personal data (no case letters, published minutes only).
 */
export async function evidenceZip(e: EvidenceContent, source: ZipSource): Promise<Buffer> {
  const zip = new ZipFile();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
  const manifest: ManifestEntry[] = [];
  const add = (path: string, bytes: Buffer, mtime: string, src: string) => {
    zip.addBuffer(bytes, path, { mtime: new Date(mtime) });
    manifest.push({ path, sha256: sha256(bytes), bytes: bytes.length, source: src });
  };

  for (const d of e.documents) {
    const folder = `documents/${d.issuedAt.slice(0, 10)} ${d.kind} ${d.id.slice(0, 8)}`;
    for (const f of [
      { id: d.docxFileId, name: d.docxFilename, sha: d.docxSha256 },
      ...(d.pdfFileId ? [{ id: d.pdfFileId, name: d.pdfFilename ?? `${d.kind}.pdf`, sha: d.pdfSha256 }] : []),
    ]) {
      const file = await source.load(f.id);
      if (sha256(file.bytes) !== file.sha256 || file.sha256 !== f.sha) throw new Error(`stored file ${f.id} (${f.name}) does not match its SHA-256: not packed`);
      add(`${folder}/${safe(f.name)}`, file.bytes, d.issuedAt, `issued document ${d.id}`);
    }
  }
  for (const m of e.meetings) {
    const folder = `meetings/${m.startsAt.slice(0, 10)} ${safe(m.title)}`;
    if (m.minutes) {
      const text = `${m.title}\r\n${m.startsAt} to ${m.endsAt}, ${m.location}\r\n\r\n${m.minutes.replace(/\r?\n/g, '\r\n')}\r\n\r\n${m.minutesPublishedAt ? `Published ${m.minutesPublishedAt}` : 'Draft: not published'}\r\n`;
      add(`${folder}/minutes.txt`, Buffer.from(text, 'utf8'), m.minutesPublishedAt ?? m.endsAt, `minutes of meeting ${m.id}`);
    }
    if (m.papers.length) {
      const text = m.papers.map((x) => `${x.title}${x.url ? `\t${x.url}` : '\t(no file stored: paper tabled at the meeting)'}`).join('\r\n') + '\r\n';
      add(`${folder}/papers.txt`, Buffer.from(text, 'utf8'), m.startsAt, `papers of meeting ${m.id}`);
    }
  }
  zip.addBuffer(Buffer.from(manifestCsv(manifest), 'utf8'), MANIFEST_NAME, { mtime: new Date(e.builtAt) });
  zip.end();
  return done;
}

/**
 * Letters bench (issue 15; not a timed test). Starts a throwaway PostgreSQL, migrates, and makes
 * BENCH_LETTERS transfer letters (default 500) as one worker does: render the DOCX from the shipped
 * template with docxtemplater (caseLetterData over generated facts, bench/letters-data.ts), convert
 * to a tagged PDF with the worker's LibreOfficeConverter (batches of 25 per LibreOffice start, one
 * profile), store DOCX and PDF in stored_files. Timed per phase (render, convert, store), in rounds
 * of BENCH_ROUND letters, interleaved with the raw baseline: `soffice --headless --convert-to` of
 * the same DOCX files in one batch per round, with the same filter options and a fresh profile.
 *
 *   make bench-letters                 # 500 letters
 *   BENCH_LETTERS=100 make bench-letters
 *
 * Prints letters per second, LibreOffice's share of the time and the ratio to the raw baseline;
 * writes bench/out/letters-<time>.md (copy the figures into docs/benchmarks.md, "Letters").
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import { runMigrations } from '../src/database/migrate';
import { DocumentKind } from '../src/documents/document-kinds';
import { MEDIA, PostgresDocumentStore } from '../src/documents/document-store';
import { defaultTemplatesDir } from '../src/documents/documents.service';
import { caseLetterData } from '../src/documents/letter-data';
import { LibreOfficeConverter, TAGGED_PDF_FILTER } from '../src/documents/libreoffice';
import { renderTemplate } from '../src/documents/template-render';
import { startPostgres } from '../test/support/servers';
import { transferLetterFacts } from './letters-data';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const LETTERS = env('BENCH_LETTERS', 500);
const ROUND = env('BENCH_ROUND', 50);
const SOFFICE = process.env.SOFFICE_PATH ?? 'soffice';
const log = (l: string) => console.log(`[bench] ${l}`);

async function main(): Promise<void> {
  const pg = await startPostgres();
  const client = new Client({ connectionString: pg.url });
  try {
    await runMigrations(pg.url);
    await client.connect();
    const em = { query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows } as unknown as EntityManager;
    const store = new PostgresDocumentStore();
    const template = readFileSync(join(defaultTemplatesDir(), 'transfer_letter.docx'));
    const facts = transferLetterFacts(LETTERS);
    const converter = new LibreOfficeConverter({ sofficePath: SOFFICE, timeoutMs: 600_000 });
    const t = { render: 0, convert: 0, store: 0, raw: 0 };
    const load0 = loadavg();
    const started = performance.now();
    for (let from = 0; from < LETTERS; from += ROUND) {
      const batch = facts.slice(from, from + ROUND);
      // The product's path: render each, convert them (the converter batches what waits), store both files.
      let a = performance.now();
      const docx = batch.map((f) => renderTemplate(DocumentKind.TransferLetter, template, caseLetterData(DocumentKind.TransferLetter, f, '2017-02-03', 'HR Director')));
      t.render += performance.now() - a;
      a = performance.now();
      const pdfs = await Promise.all(docx.map((d) => converter.convert(d)));
      t.convert += performance.now() - a;
      a = performance.now();
      await client.query('BEGIN');
      for (let i = 0; i < docx.length; i++) {
        await store.save(em, { bytes: docx[i], mediaType: MEDIA.docx, filename: 'transfer_letter.docx' });
        await store.save(em, { bytes: pdfs[i], mediaType: MEDIA.pdf, filename: 'transfer_letter.pdf' });
      }
      await client.query('COMMIT');
      t.store += performance.now() - a;

      // The raw baseline, interleaved: the same DOCX files, soffice directly, one batch, same filter, fresh profile.
      const dir = mkdtempSync(join(tmpdir(), 'wtt-bench-lo-'));
      try {
        const inputs = docx.map((d, i) => {
          const p = join(dir, `d${i}.docx`);
          writeFileSync(p, d);
          return p;
        });
        a = performance.now();
        const r = spawnSync(SOFFICE, ['--headless', '--norestore', '--nolockcheck', `-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`, '--convert-to', TAGGED_PDF_FILTER, '--outdir', join(dir, 'out'), ...inputs], {
          stdio: 'ignore',
          env: { ...process.env, HOME: join(dir, 'profile') },
        });
        t.raw += performance.now() - a;
        if (r.status !== 0) throw new Error(`soffice exited with ${r.status}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      log(`${Math.min(from + ROUND, LETTERS)}/${LETTERS} letters`);
    }
    const wall = performance.now() - started - t.raw;
    const product = t.render + t.convert + t.store;
    const load1 = loadavg();
    await converter.dispose();
    const pct = (x: number) => `${((100 * x) / product).toFixed(1)} %`;
    const lines = [
      `Letters bench: ${LETTERS} transfer letters, rounds of ${ROUND}, one worker (${new Date().toISOString()})`,
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${release()}; load average ${load0.map((x) => x.toFixed(1)).join(' ')} at start, ${load1.map((x) => x.toFixed(1)).join(' ')} at end`,
      `letters per second (render + convert + store): ${((LETTERS * 1000) / wall).toFixed(2)}`,
      `render (docxtemplater): ${(t.render / 1000).toFixed(1)} s (${pct(t.render)}); convert (LibreOffice): ${(t.convert / 1000).toFixed(1)} s (${pct(t.convert)}); store (PostgreSQL): ${(t.store / 1000).toFixed(1)} s (${pct(t.store)})`,
      `raw baseline, soffice --convert-to of the same files in one batch per round: ${(t.raw / 1000).toFixed(1)} s; product convert / raw = ${(t.convert / t.raw).toFixed(2)}; whole product path / raw = ${(product / t.raw).toFixed(2)}`,
    ];
    for (const l of lines) log(l);
    const root = existsSync(join(__dirname, '..', 'package.json')) ? resolve(__dirname, '..') : resolve(__dirname, '..', '..');
    const out = join(root, 'bench', 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `letters-${Date.now()}.md`), lines.map((l) => `- ${l}`).join('\n') + '\n');
  } finally {
    await client.end().catch(() => undefined);
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

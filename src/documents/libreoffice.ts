import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Tagged PDF (structure tree, headings as H1/H2, bookmarks), as LibreOffice's Writer PDF export writes it. */
export const TAGGED_PDF_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},"ExportBookmarks":{"type":"boolean","value":"true"}}';

export interface ConverterOptions {
  sofficePath: string;
  timeoutMs: number;
  /** Files converted by one LibreOffice start at most (it costs ≈ 1–3 s to start; then each file is quick). */
  maxBatch?: number;
}

export interface ConverterStats {
  runs: number;
  files: number;
  /** Wall time spent inside LibreOffice runs. */
  busyMs: number;
}

interface Pending {
  input: Buffer;
  resolve: (pdf: Buffer) => void;
  reject: (err: Error) => void;
}

/**
 * DOCX → tagged PDF with LibreOffice in headless mode. One converter per worker process, with
 * its own LibreOffice profile directory (two processes sharing a profile lock each other out).
 * Runs never overlap in a process: conversions that arrive while one runs wait, and the next
 * run takes all of them at once (up to maxBatch), so a busy worker pays LibreOffice's start-up
 * once per batch rather than per letter. A run slower than timeoutMs is killed (its whole process
 * group: soffice forks soffice.bin) and its conversions fail, for the job to be retried.
 */
export class LibreOfficeConverter {
  private readonly profileDir = join(tmpdir(), `wtt-lo-profile-${process.pid}-${randomBytes(3).toString('hex')}`);
  private readonly queue: Pending[] = [];
  private running = false;
  readonly stats: ConverterStats = { runs: 0, files: 0, busyMs: 0 };

  constructor(private readonly opts: ConverterOptions) {}

  convert(docx: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input: docx, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.opts.maxBatch ?? 25);
        await this.runBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'wtt-lo-'));
    const started = Date.now();
    try {
      await mkdir(this.profileDir, { recursive: true });
      const inputs = batch.map((_, i) => join(dir, `d${i}.docx`));
      await Promise.all(batch.map((p, i) => writeFile(inputs[i], p.input)));
      await this.run(['--headless', '--norestore', '--nolockcheck', `-env:UserInstallation=${pathToFileURL(this.profileDir).href}`, '--convert-to', TAGGED_PDF_FILTER, '--outdir', join(dir, 'out'), ...inputs]);
      await Promise.all(
        batch.map(async (p, i) => {
          try {
            p.resolve(await readFile(join(dir, 'out', `d${i}.pdf`)));
          } catch {
            p.reject(new Error('LibreOffice produced no PDF for this document (it could not read it)'));
          }
        }),
      );
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    } finally {
      this.stats.runs += 1;
      this.stats.files += batch.length;
      this.stats.busyMs += Date.now() - started;
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.sofficePath, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: this.profileDir } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
        reject(new Error(`LibreOffice took longer than ${this.opts.timeoutMs} ms and was stopped`));
      }, this.opts.timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`LibreOffice could not be started (${this.opts.sofficePath}): ${err.message}`));
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`LibreOffice exited with code ${code}: ${stderr.trim()}`));
      });
    });
  }

  async dispose(): Promise<void> {
    await rm(this.profileDir, { recursive: true, force: true });
  }
}

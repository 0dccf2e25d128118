import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditAction } from '../../audit/audit-action';
import { AuditService } from '../../audit/audit.service';
import { ApiException } from '../../common/errors/api-error';
import { PostsImportService } from '../posts-import.service';
import { ImportRow } from './import-status.dto';
import { failImport, IMPORT_COLUMNS } from './import-records';

/** The import row has gone (its programme was deleted): nothing to run. */
export class ImportGone extends Error {}

/** Progress is written at most this often (ms), on its own connection, outside the import's transaction. */
const PROGRESS_EVERY_MS = 500;

/**
 * Imports that run in the worker, worker side: reads the stored upload back one 1 MiB piece at a
 * time and runs it through PostsImportService.run (COPY into staging, set-wise checks, one merge,
 * one transaction). The import is marked done inside that transaction, so "done" and the posts
 * commit together; a file with errors (any ApiException) is marked failed with the error in the
 * one error shape, which is a result, not a job failure. Anything else is rethrown for BullMQ to
 * retry; the last attempt marks the import failed.
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger('ImportRunner');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly importer: PostsImportService,
    private readonly audit: AuditService,
  ) {}

  async run(importId: string, lastAttempt: boolean): Promise<{ status: string }> {
    const [imp]: ImportRow[] = await this.ds.query(`SELECT ${IMPORT_COLUMNS} FROM imports WHERE id = $1`, [importId]);
    if (!imp) throw new ImportGone(`import ${importId} not found`);
    if (imp.status === 'done' || imp.status === 'failed') return { status: imp.status };
    const [user]: { id: string; email: string }[] = await this.ds.query(`SELECT id, email FROM users WHERE id = $1`, [imp.created_by]);
    await this.ds.query(`UPDATE imports SET status = 'validating', started_at = COALESCE(started_at, now()), rows_read = 0, bytes_read = 0 WHERE id = $1`, [importId]);

    let lastWrite = 0;
    let writing: Promise<unknown> | undefined;
    const progress = async (rows: number, bytes: number, force = false) => {
      const now = Date.now();
      if (!force && (writing || now - lastWrite < PROGRESS_EVERY_MS)) return;
      lastWrite = now;
      writing = this.ds
        .query(`UPDATE imports SET rows_read = $2, bytes_read = LEAST($3::bigint, bytes_total) WHERE id = $1 AND status IN ('validating', 'merging')`, [importId, rows, bytes])
        .catch((err: Error) => this.logger.warn({ importId, err: err.message }, 'progress not written'))
        .finally(() => (writing = undefined));
      if (force) await writing;
    };
    const ds = this.ds;
    const head: { data: Buffer }[] = await ds.query(`SELECT substring(data FROM 1 FOR 8) AS data FROM import_chunks WHERE import_id = $1 AND seq = 0`, [importId]);
    try {
      if (!head.length) throw new Error(`import ${importId} has no stored file`);
      const result = await this.importer.run(
        user,
        imp.programme_id,
        {
          filename: imp.file_name,
          head: head[0].data,
          bytes: Number(imp.bytes_total),
          async *chunks() {
            // One piece at a time by its key: never more than one in memory, and no cursor to keep open.
            for (let seq = 0; ; seq++) {
              const [c]: { data: Buffer }[] = await ds.query(`SELECT data FROM import_chunks WHERE import_id = $1 AND seq = $2`, [importId, seq]);
              if (!c) return;
              yield c.data;
            }
          },
        },
        imp.dry_run,
        {
          importId,
          progress: (rows, bytes) => progress(rows, bytes),
          phase: async () => {
            await writing;
            await ds.query(`UPDATE imports SET status = 'merging' WHERE id = $1 AND status = 'validating'`, [importId]);
          },
          beforeCommit: async (em, res) => {
            await writing;
            const done: unknown[] = await em.query(
              `UPDATE imports SET status = 'done', result = $2, rows_read = $3, bytes_read = bytes_total, finished_at = now()
               WHERE id = $1 AND status NOT IN ('done', 'failed') RETURNING id`,
              [importId, JSON.stringify(res), res.rows],
            );
            // Another run of the same job finished first: this one must not merge again.
            if (!done.length) throw new AlreadyFinished();
            await em.query(`DELETE FROM import_chunks WHERE import_id = $1`, [importId]);
            await this.audit.record(em, {
              action: AuditAction.StateChange,
              entityType: 'import',
              entityId: importId,
              after: { status: 'done', created: res.created, updated: res.updated, unchanged: res.unchanged, rows: res.rows },
              actor: user ?? null,
            });
          },
        },
      );
      if (imp.dry_run) await this.finishDryRun(importId, result);
      return { status: 'done' };
    } catch (err) {
      await writing;
      if (err instanceof AlreadyFinished) return { status: 'done' };
      if (err instanceof ApiException || lastAttempt) {
        if (!(err instanceof ApiException)) this.logger.error({ importId, err: (err as Error).message }, 'import failed on its last attempt');
        await this.fail(importId, err instanceof ApiException ? err : new Error('The import could not be completed'));
        return { status: 'failed' };
      }
      throw err;
    }
  }

  /** A dry run rolls back its transaction: its result is written after. */
  private async finishDryRun(importId: string, result: unknown): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.query(`UPDATE imports SET status = 'done', result = $2, bytes_read = bytes_total, finished_at = now() WHERE id = $1 AND status NOT IN ('done', 'failed')`, [
        importId,
        JSON.stringify(result),
      ]);
      await em.query(`DELETE FROM import_chunks WHERE import_id = $1`, [importId]);
      await this.audit.record(em, { action: AuditAction.StateChange, entityType: 'import', entityId: importId, after: { status: 'done', dryRun: true }, actor: null });
    });
  }

  private fail(importId: string, err: unknown): Promise<void> {
    return failImport(this.ds, this.audit, importId, err);
  }
}

class AlreadyFinished extends Error {}

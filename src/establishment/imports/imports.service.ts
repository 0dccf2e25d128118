import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditAction } from '../../audit/audit-action';
import { AuditService } from '../../audit/audit.service';
import type { AuthUser } from '../../common/access/auth-user';
import { ApiException } from '../../common/errors/api-error';
import { JobProducer } from '../../queue/job-producer.service';
import { JobName } from '../../queue/queue.contract';
import { ImportRowError } from '../dto/import.dto';
import { notFound } from '../establishment-errors';
import { PostsImportService } from '../posts-import.service';
import { detectSheetFormat } from '../spreadsheet';
import { streamUpload } from '../upload';
import { failImport, IMPORT_COLUMNS, importJobId } from './import-records';
import { ImportRow, ImportStatusResponse, toImportStatus } from './import-status.dto';


/**
 * Imports that run in the worker, API side: the upload is streamed into import_chunks (1 MiB
 * pieces, in one transaction with its `imports` row and its audit row: an upload that fails
 * leaves nothing), then one job is enqueued. The request does no parsing and holds at most one
 * piece of the file; the worker (ImportRunner) does the rest.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger('Imports');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly importer: PostsImportService,
    private readonly jobs: JobProducer,
  ) {}

  get maxBytes(): number {
    return this.importer.maxBytes;
  }

  async receive(user: AuthUser, programmeId: string, req: FastifyRequest, dryRun: boolean): Promise<ImportStatusResponse> {
    const exists: unknown[] = await this.ds.query(`SELECT 1 FROM programmes WHERE id = $1`, [programmeId]);
    if (!exists.length) throw notFound('Programme', programmeId);
    const id = randomUUID();
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    let row: ImportRow;
    try {
      await qr.startTransaction();
      const em = qr.manager;
      const file = await streamUpload(req, this.importer.maxBytes, async (piece, seq) => {
        await em.query(`INSERT INTO import_chunks (import_id, seq, data) VALUES ($1, $2, $3)`, [id, seq, piece]);
      });
      const format = detectSheetFormat(file.head, file.filename);
      [row] = await em.query(
        `INSERT INTO imports (id, programme_id, dry_run, file_name, format, bytes_total, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${IMPORT_COLUMNS}`,
        [id, programmeId, dryRun, file.filename, format, file.bytes, user.id],
      );
      await this.audit.record(em, {
        action: AuditAction.Create,
        entityType: 'import',
        entityId: id,
        after: { status: 'queued', dryRun, fileName: file.filename, format, bytes: file.bytes },
        metadata: { programmeId },
      });
      await qr.commitTransaction();
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
    try {
      await this.jobs.enqueue({ name: JobName.PostsImport, data: { importId: id } }, { jobId: importJobId(id) });
    } catch (err) {
      // The queue is unreachable: the import is failed (and its file dropped) rather than left queued for ever.
      this.logger.error({ importId: id, err: (err as Error).message }, 'import could not be enqueued');
      const e = new ApiException(HttpStatus.SERVICE_UNAVAILABLE, 'The import could not be started: try again in a minute', [
        { field: 'file', reason: 'could not be queued for import', retryAfterSeconds: 60 },
      ]);
      await this.fail(id, e);
      throw e;
    }
    return toImportStatus(row);
  }

  async get(programmeId: string, importId: string): Promise<ImportStatusResponse> {
    return toImportStatus(await this.row(programmeId, importId));
  }

  async row(programmeId: string, importId: string): Promise<ImportRow> {
    const [row]: ImportRow[] = await this.ds.query(`SELECT ${IMPORT_COLUMNS} FROM imports WHERE id = $1 AND programme_id = $2`, [importId, programmeId]);
    if (!row) throw notFound('Import', importId);
    return row;
  }

  /** The import's row errors (what was kept: the first IMPORT_MAX_ERRORS), as the error report lists them. */
  async rowErrors(programmeId: string, importId: string): Promise<{ errors: ImportRowError[]; errorCount: number; fileName: string }> {
    const row = await this.row(programmeId, importId);
    const errors: ImportRowError[] = row.result?.errors?.length
      ? row.result.errors
      : (row.error?.details ?? []).map((d) => ({ row: d.row ?? 0, column: d.column ?? d.field, message: d.reason, ...(d.relatedRows ? { relatedRows: d.relatedRows } : {}) }));
    const counted = row.result?.errorCount ?? Number(/has (\d+) error/.exec(row.error?.message ?? '')?.[1] ?? errors.length);
    return { errors, errorCount: Math.max(counted, errors.length), fileName: row.file_name };
  }

  /** Marks an import failed with the error in the one error shape, and drops its file. */
  fail(importId: string, err: unknown): Promise<void> {
    return failImport(this.ds, this.audit, importId, err);
  }
}

import { DataSource } from 'typeorm';
import { AuditAction } from '../../audit/audit-action';
import { AuditService } from '../../audit/audit.service';
import { errorBody, mapException } from '../../common/errors/all-exceptions.filter';

/** The columns of `imports` an ImportRow holds. */
export const IMPORT_COLUMNS = `id, programme_id, status, dry_run, file_name, format, rows_read, bytes_read, bytes_total, result, error, created_by, created_at, started_at, finished_at`;

/** The job id of an import's job. */
export const importJobId = (importId: string) => `import-${importId}`;

/** Marks an import failed with the error in the one error shape (audited), and drops its stored file. A finished import is left as it is. */
export async function failImport(ds: DataSource, audit: AuditService, importId: string, err: unknown): Promise<void> {
  const body = errorBody(mapException(err), `import:${importId}`);
  await ds.transaction(async (em) => {
    const changed: unknown[] = await em.query(
      `UPDATE imports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status NOT IN ('done', 'failed') RETURNING id`,
      [importId, JSON.stringify(body)],
    );
    await em.query(`DELETE FROM import_chunks WHERE import_id = $1`, [importId]);
    if (changed.length) {
      await audit.record(em, {
        action: AuditAction.StateChange,
        entityType: 'import',
        entityId: importId,
        after: { status: 'failed', statusCode: body.statusCode, message: body.message },
        actor: null,
      });
    }
  });
}

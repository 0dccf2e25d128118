import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { todayInLondon } from '../../common/dates';
import { DOCUMENT_STORE, DocumentStore, MEDIA, StoredFile } from '../document-store';
import { EliKind, eliWorkbook, loadEliFacts } from './eli-schedule';

export class EliBuildGone extends Error {}

/**
 * Make the XLSX of one ELI build, in the transaction given: the schedule of the build's cases as
 * they stand now. Used by the worker (EliBuildService) and by the demo seed.
 */
export async function makeEliFile(
  em: EntityManager,
  store: DocumentStore,
  b: { programmeId: string; kind: EliKind; caseIds: string[]; requestedBy: string; builtOn: string },
): Promise<{ file: StoredFile; rows: number }> {
  const [programme]: { name: string }[] = await em.query(`SELECT name FROM programmes WHERE id = $1`, [b.programmeId]);
  const people = await loadEliFacts(em, b.caseIds);
  const bytes = await eliWorkbook({ programmeName: programme.name, kind: b.kind, builtOn: b.builtOn, requestedBy: b.requestedBy }, people);
  const file = await store.save(em, { bytes, mediaType: MEDIA.xlsx, filename: `eli-${b.kind}-${b.builtOn}.xlsx` });
  return { file, rows: people.length };
}

/** The worker's side of the ELI schedule: one queued build becomes its XLSX (idempotent: a ready build is left as it is). */
@Injectable()
export class EliBuildService {
  @Inject(DOCUMENT_STORE) private readonly store!: DocumentStore;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async build(buildId: string): Promise<{ sha256: string; rows: number } | { skipped: string }> {
    return this.db.transaction(async (em) => {
      const [b]: { programme_id: string; kind: EliKind; case_ids: string[]; status: string; requested_by_label: string }[] = await em.query(
        `SELECT programme_id, kind, case_ids, status, requested_by_label FROM eli_builds WHERE id = $1 FOR UPDATE`,
        [buildId],
      );
      if (!b) throw new EliBuildGone(`ELI build ${buildId} no longer exists`);
      if (b.status === 'ready') return { skipped: 'the schedule exists already' };
      const { file, rows } = await makeEliFile(em, this.store, { programmeId: b.programme_id, kind: b.kind, caseIds: b.case_ids, requestedBy: b.requested_by_label, builtOn: todayInLondon() });
      await em.query(`UPDATE eli_builds SET status = 'ready', file_id = $2, rows = $3, error = NULL, finished_at = now() WHERE id = $1`, [buildId, file.id, rows]);
      return { sha256: file.sha256, rows };
    });
  }

  /** After the last attempt: the build shows the failure (HR can ask again). */
  async markFailed(buildId: string, error: string): Promise<void> {
    await this.db.query(`UPDATE eli_builds SET status = 'failed', error = $2 WHERE id = $1 AND status = 'queued'`, [buildId, error.slice(0, 2000)]);
  }
}

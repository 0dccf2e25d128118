import { Inject, HttpStatus, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import type { AuthUser } from '../../common/access/auth-user';
import { todayInLondon } from '../../common/dates';
import { ApiException } from '../../common/errors/api-error';
import { assertProgrammeVisible } from '../../cases/case-access';
import { JobProducer } from '../../queue/job-producer.service';
import { JobName } from '../../queue/queue.contract';
import { DOCUMENT_STORE, DocumentStore, StoredFile } from '../document-store';
import { EliBuildAccepted, EliBuildResponse, EliOverviewResponse, EliReleaseResponse, RecordEliReleaseDto, RequestEliBuildDto } from './dto/eli.dto';
import { eligibleCaseIds, EliKind } from './eli-schedule';

export const ELI_BUILD_ENTITY = 'eli_build';
export const ELI_RELEASE_ENTITY = 'eli_release';

interface BuildRow {
  id: string;
  programme_id: string;
  kind: EliKind;
  cases: number;
  status: string;
  rows: number | null;
  sha256: string | null;
  error: string | null;
  requested_by_label: string;
  created_at: Date;
  finished_at: Date | null;
  release_id: string | null;
  file_id: string | null;
}

const BUILD_SELECT = `
  SELECT b.id, b.programme_id, b.kind, cardinality(b.case_ids) AS cases, b.status, b.rows, f.sha256, b.error, b.requested_by_label,
         b.created_at, b.finished_at, r.id AS release_id, b.file_id
    FROM eli_builds b LEFT JOIN stored_files f ON f.id = b.file_id LEFT JOIN eli_releases r ON r.build_id = b.id`;

interface ReleaseRow {
  id: string;
  programme_id: string;
  version: number;
  kind: EliKind;
  build_id: string;
  sha256: string;
  file_id: string;
  recipient_organisation_id: string;
  recipient_organisation: string;
  recipient_name: string;
  recipient_email: string | null;
  released_on: string;
  released_by_label: string;
  created_at: Date;
  cases: number;
}

const RELEASE_SELECT = `
  SELECT r.id, r.programme_id, r.version, r.kind, r.build_id, r.sha256, r.file_id, r.recipient_organisation_id, o.name AS recipient_organisation,
         r.recipient_name, r.recipient_email, r.released_on::text AS released_on, r.released_by_label, r.created_at,
         (SELECT count(*)::int FROM eli_release_cases rc WHERE rc.release_id = r.id) AS cases
    FROM eli_releases r JOIN organisations o ON o.id = r.recipient_organisation_id`;

const toBuild = (b: BuildRow): EliBuildResponse => ({
  id: b.id,
  programmeId: b.programme_id,
  kind: b.kind,
  status: b.status,
  cases: b.cases,
  rows: b.rows,
  sha256: b.sha256,
  error: b.error,
  requestedBy: b.requested_by_label,
  createdAt: b.created_at.toISOString(),
  finishedAt: b.finished_at ? b.finished_at.toISOString() : null,
  releaseId: b.release_id,
});

const toRelease = (r: ReleaseRow): EliReleaseResponse => ({
  id: r.id,
  programmeId: r.programme_id,
  version: r.version,
  kind: r.kind,
  buildId: r.build_id,
  sha256: r.sha256,
  recipientOrganisationId: r.recipient_organisation_id,
  recipientOrganisation: r.recipient_organisation,
  recipientName: r.recipient_name,
  recipientEmail: r.recipient_email,
  releasedOn: r.released_on,
  releasedBy: r.released_by_label,
  createdAt: r.created_at.toISOString(),
  cases: r.cases,
});

/**
 * The ELI schedule of a programme (TUPE 2006 reg. 11): HR asks for a build (draft or final; the
 * worker makes the XLSX), then records its release to the transferee's named contact. A release is
 * append-only (the database refuses UPDATE and DELETE) and the ELI deadline of each case it covers
 * is met by the first final release (src/cases/case-deadlines.ts). Admins and HR officers only.
 */
@Injectable()
export class EliService {
  private readonly logger = new Logger('Eli');
  @Inject(DOCUMENT_STORE) private readonly store!: DocumentStore;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly jobs: JobProducer,
  ) {}

  private async programme(em: EntityManager, user: AuthUser, programmeId: string): Promise<{ destination_organisation_id: string; name: string }> {
    const [p]: { destination_organisation_id: string; name: string }[] = await em.query(`SELECT destination_organisation_id, name FROM programmes WHERE id = $1`, [programmeId]);
    if (!p) throw new NotFoundException('Programme not found');
    await assertProgrammeVisible(em, user, programmeId);
    return p;
  }

  async overview(user: AuthUser, programmeId: string): Promise<EliOverviewResponse> {
    await this.programme(this.db.manager, user, programmeId);
    const releases: ReleaseRow[] = await this.db.query(`${RELEASE_SELECT} WHERE r.programme_id = $1 ORDER BY r.version DESC`, [programmeId]);
    const builds: BuildRow[] = await this.db.query(`${BUILD_SELECT} WHERE b.programme_id = $1 ORDER BY b.created_at DESC, b.id LIMIT 200`, [programmeId]);
    return { releases: releases.map(toRelease), builds: builds.map(toBuild) };
  }

  async build(user: AuthUser, programmeId: string, buildId: string): Promise<EliBuildResponse> {
    await this.programme(this.db.manager, user, programmeId);
    const [b]: BuildRow[] = await this.db.query(`${BUILD_SELECT} WHERE b.id = $1 AND b.programme_id = $2`, [buildId, programmeId]);
    if (!b) throw new NotFoundException('ELI build not found');
    return toBuild(b);
  }

  /** Fix the cases now, and ask the worker for the XLSX (202: it follows). */
  async requestBuild(user: AuthUser, programmeId: string, dto: RequestEliBuildDto): Promise<EliBuildAccepted> {
    const id = await this.db.transaction(async (em) => {
      await this.programme(em, user, programmeId);
      const eligible = await eligibleCaseIds(em, programmeId);
      let caseIds = eligible;
      if (dto.caseIds) {
        const known = new Set(eligible);
        const wrong = dto.caseIds.findIndex((c) => !known.has(c));
        if (wrong >= 0) {
          throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, 'A case is not a secondment or transfer of this programme', [
            { field: `caseIds.${wrong}`, reason: 'is not a secondment or transfer of this programme (or is withdrawn)' },
          ]);
        }
        const wanted = new Set(dto.caseIds);
        caseIds = eligible.filter((c) => wanted.has(c));
      }
      if (!caseIds.length) {
        throw new ApiException(HttpStatus.CONFLICT, 'The programme has no secondment or transfer cases to put in an ELI schedule', [{ field: 'caseIds', reason: 'no case to cover' }]);
      }
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO eli_builds (programme_id, kind, case_ids, requested_by, requested_by_label) VALUES ($1, $2, $3::uuid[], $4, $5) RETURNING id`,
        [programmeId, dto.kind, caseIds, user.id, user.email],
      );
      await this.audit.record(em, { action: 'eli.build_request', entityType: ELI_BUILD_ENTITY, entityId: row.id, after: { programmeId, kind: dto.kind, cases: caseIds.length } });
      return row.id;
    });
    const jobId = `eli-${id}`;
    try {
      await this.jobs.enqueue({ name: JobName.EliBuild, data: { buildId: id } }, { jobId });
    } catch (err) {
      // The build stays queued; asking for its page again re-enqueues (see ensureQueued).
      this.logger.warn({ buildId: id, err: (err as Error).message }, 'could not enqueue the ELI build');
    }
    return { build: await this.build(user, programmeId, id), jobId };
  }

  /** A build still queued after a minute (its job lost while Redis was away) is asked for again (idempotent by job id). */
  async ensureQueued(b: EliBuildResponse): Promise<void> {
    if (b.status !== 'queued' || Date.now() - Date.parse(b.createdAt) < 60_000) return;
    await this.jobs.enqueue({ name: JobName.EliBuild, data: { buildId: b.id } }, { jobId: `eli-${b.id}` }).catch(() => undefined);
  }

  /** Record that a ready build went to the transferee's named contact: version N, immutable, audited. */
  async release(user: AuthUser, programmeId: string, dto: RecordEliReleaseDto): Promise<EliReleaseResponse> {
    const today = todayInLondon();
    const releasedOn = dto.releasedOn ?? today;
    if (releasedOn > today) throw ApiException.validation([{ field: 'releasedOn', reason: 'must not be in the future' }]);
    const id = await this.db.transaction(async (em) => {
      const p = await this.programme(em, user, programmeId);
      const [b]: (BuildRow & { case_ids: string[] })[] = await em.query(`SELECT id, kind, status, file_id, case_ids FROM eli_builds WHERE id = $1 AND programme_id = $2 FOR UPDATE`, [
        dto.buildId,
        programmeId,
      ]);
      if (!b) throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, 'No such ELI build in this programme', [{ field: 'buildId', reason: 'is not a build of this programme' }]);
      if (b.status !== 'ready') throw new ApiException(HttpStatus.CONFLICT, 'The schedule is not made yet', [{ field: 'buildId', reason: `the build is ${b.status}` }]);
      const [already]: { version: number }[] = await em.query(`SELECT version FROM eli_releases WHERE build_id = $1`, [b.id]);
      if (already) throw new ApiException(HttpStatus.CONFLICT, `This schedule was released already (version ${already.version})`, [{ field: 'buildId', reason: `is released as version ${already.version}` }]);
      return recordRelease(em, this.audit, {
        programmeId,
        build: { id: b.id, kind: b.kind, fileId: b.file_id!, caseIds: b.case_ids },
        recipientOrganisationId: p.destination_organisation_id,
        recipientName: dto.recipientName.trim(),
        recipientEmail: dto.recipientEmail?.toLowerCase() ?? null,
        releasedOn,
        actor: { id: user.id, email: user.email },
      });
    });
    const [r]: ReleaseRow[] = await this.db.query(`${RELEASE_SELECT} WHERE r.id = $1`, [id]);
    return toRelease(r);
  }

  /** The XLSX of a release (named data in a final): audited. */
  async releaseFile(user: AuthUser, programmeId: string, releaseId: string): Promise<StoredFile & { name: string }> {
    return this.db.transaction(async (em) => {
      await this.programme(em, user, programmeId);
      const [r]: { file_id: string; version: number; kind: EliKind }[] = await em.query(`SELECT file_id, version, kind FROM eli_releases WHERE id = $1 AND programme_id = $2`, [releaseId, programmeId]);
      if (!r) throw new NotFoundException('ELI release not found');
      const file = (await this.store.load(em, r.file_id))!;
      await this.audit.record(em, { action: 'eli.download', entityType: ELI_RELEASE_ENTITY, entityId: releaseId, metadata: { kind: r.kind, version: r.version, sha256: file.sha256, personalData: r.kind === 'final' } });
      return { ...file, name: `eli-v${r.version}-${r.kind}.xlsx` };
    });
  }

  /** The XLSX of a build, to check it before it is released: audited. */
  async buildFile(user: AuthUser, programmeId: string, buildId: string): Promise<StoredFile & { name: string }> {
    return this.db.transaction(async (em) => {
      await this.programme(em, user, programmeId);
      const [b]: { file_id: string | null; kind: EliKind; status: string }[] = await em.query(`SELECT file_id, kind, status FROM eli_builds WHERE id = $1 AND programme_id = $2`, [buildId, programmeId]);
      if (!b) throw new NotFoundException('ELI build not found');
      if (!b.file_id) throw new ApiException(HttpStatus.CONFLICT, 'The schedule is not made yet', [{ field: 'buildId', reason: `the build is ${b.status}` }]);
      const file = (await this.store.load(em, b.file_id))!;
      await this.audit.record(em, { action: 'eli.download', entityType: ELI_BUILD_ENTITY, entityId: buildId, metadata: { kind: b.kind, sha256: file.sha256, personalData: b.kind === 'final' } });
      return { ...file, name: `eli-${b.kind}-${buildId.slice(0, 8)}.xlsx` };
    });
  }
}

/**
 * Write a release and the cases it covers (version = the programme's next), audited. Used by the
 * service and by the demo seed (actor id null: the system).
 */
export async function recordRelease(
  em: EntityManager,
  audit: AuditService,
  r: {
    programmeId: string;
    build: { id: string; kind: EliKind; fileId: string; caseIds: string[] };
    recipientOrganisationId: string;
    recipientName: string;
    recipientEmail: string | null;
    releasedOn: string;
    actor: { id: string | null; email: string };
  },
): Promise<string> {
  await em.query(`SELECT pg_advisory_xact_lock(hashtext('eli_releases:' || $1))`, [r.programmeId]);
  const [{ next }]: { next: number }[] = await em.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM eli_releases WHERE programme_id = $1`, [r.programmeId]);
  const [{ sha256 }]: { sha256: string }[] = await em.query(`SELECT sha256 FROM stored_files WHERE id = $1`, [r.build.fileId]);
  const [row]: { id: string }[] = await em.query(
    `INSERT INTO eli_releases (programme_id, version, kind, file_id, recipient_organisation_id, recipient_name, recipient_email, released_on, released_by, released_by_label, build_id, sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [r.programmeId, next, r.build.kind, r.build.fileId, r.recipientOrganisationId, r.recipientName, r.recipientEmail, r.releasedOn, r.actor.id, r.actor.email, r.build.id, sha256],
  );
  await em.query(
    `INSERT INTO eli_release_cases (release_id, case_id, staff_reference)
     SELECT $1, c.id, e.staff_number FROM transition_cases c JOIN employees e ON e.id = c.employee_id WHERE c.id = ANY($2::uuid[])`,
    [row.id, r.build.caseIds],
  );
  await audit.record(em, {
    action: 'eli.release',
    entityType: ELI_RELEASE_ENTITY,
    entityId: row.id,
    after: { programmeId: r.programmeId, version: next, kind: r.build.kind, sha256, recipientName: r.recipientName, recipientEmail: r.recipientEmail, releasedOn: r.releasedOn, cases: r.build.caseIds.length },
    ...(r.actor.id ? { actor: { id: r.actor.id, email: r.actor.email } } : { actor: null, actorLabel: r.actor.email }),
  });
  return row.id;
}

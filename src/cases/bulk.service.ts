import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException, ErrorDetail } from '../common/errors/api-error';
import { assertProgrammeVisible } from './case-access';
import { diffCase, loadCase, selectCases } from './case-record';
import { loadDeadlines } from './case-view';
import { CaseChange, CaseProblem, CasesService, CASE_ENTITY, filterSql } from './cases.service';
import { AuditAction } from '../audit/audit-action';
import {
  BulkActionDto,
  BulkActionKind,
  BulkBlockedCase,
  BulkCaseChange,
  BulkCommitDto,
  BulkCommitResponse,
  BulkFilterDto,
  BulkPreviewDto,
  BulkPreviewResponse,
  GoLiveMoveDto,
  GoLiveMoveResponse,
} from './dto/bulk.dto';

/** At most this many cases per bulk action. */
export const BULK_LIMIT = 500;

/** The fields each kind of action takes (required ones first). */
const ACTION_FIELDS: Record<BulkActionKind, { required: (keyof BulkActionDto)[]; optional: (keyof BulkActionDto)[] }> = {
  [BulkActionKind.SetRoute]: { required: ['route'], optional: [] },
  [BulkActionKind.SetDestination]: { required: ['destinationOrganisationId'], optional: ['destinationPostId'] },
  [BulkActionKind.SetEffectiveDate]: { required: ['proposedEffectiveDate'], optional: [] },
  [BulkActionKind.SetState]: { required: ['state'], optional: ['note'] },
};

interface Plan {
  token: string;
  matched: number;
  changes: BulkCaseChange[];
  unchanged: string[];
  blocked: BulkBlockedCase[];
  versionsAfter: Record<string, number>;
}

/**
 * Bulk actions on a filtered set of a programme's cases.
 *
 * The preview runs the very same code as the commit, in a transaction that is then rolled back:
 * what it shows (every field change and every deadline that moves, per case, and the cases the
 * action cannot be applied to) is what the commit does. Its token is a hash of the matched cases
 * with their versions and of all those changes. The commit runs the action again under row locks
 * and only keeps it if it hashes to the token it was given; otherwise nothing is written (409):
 * the set, a case, or something a change depends on moved since the preview. Any blocked case
 * blocks the whole commit: all or nothing.
 */
@Injectable()
export class BulkService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cases: CasesService,
    private readonly audit: AuditService,
  ) {}

  async preview(user: AuthUser, programmeId: string, dto: BulkPreviewDto): Promise<BulkPreviewResponse> {
    checkAction(dto.action);
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const plan = await this.run(qr.manager, user, programmeId, dto);
      return { previewToken: plan.token, matched: plan.matched, changes: plan.changes, unchanged: plan.unchanged, blocked: plan.blocked, canCommit: !plan.blocked.length };
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
  }

  async commit(user: AuthUser, programmeId: string, dto: BulkCommitDto): Promise<BulkCommitResponse> {
    checkAction(dto.action);
    return this.db.transaction(async (em) => {
      const plan = await this.run(em, user, programmeId, dto);
      if (plan.token !== dto.previewToken) {
        throw new ApiException(
          HttpStatus.CONFLICT,
          'The cases or what the action would change are no longer what the preview showed; nothing was changed. Preview again.',
          [{ field: 'previewToken', reason: 'does not match the cases as they are now' }],
        );
      }
      if (plan.blocked.length) {
        throw new ApiException(
          HttpStatus.CONFLICT,
          `The action cannot be applied to ${plan.blocked.length} of the ${plan.matched} cases; nothing was changed`,
          plan.blocked.flatMap((b) => b.details.map((d) => ({ field: `cases[${b.caseId}].${d.field}`, reason: d.reason }))),
        );
      }
      await this.audit.record(em, {
        action: 'case.bulk_commit',
        entityType: CASE_ENTITY,
        entityId: null,
        metadata: { programmeId, filter: dto.filter, action: dto.action, previewToken: plan.token, caseIds: plan.changes.map((c) => c.caseId) },
      });
      return {
        previewToken: plan.token,
        matched: plan.matched,
        changes: plan.changes,
        unchanged: plan.unchanged,
        blocked: [],
        canCommit: true,
        versionsAfter: plan.versionsAfter,
      };
    });
  }

  /**
   * Move a programme's go-live date. The affected cases are those still to move (open or on hold)
   * whose proposed effective date is the old go-live date; each moves to the new one, with the
   * deadlines that follow (shown per case). Preview first; commit with the preview's token moves the
   * programme and the cases in one transaction, all or nothing.
   */
  async moveGoLive(user: AuthUser, programmeId: string, dto: GoLiveMoveDto, previewToken?: string): Promise<GoLiveMoveResponse> {
    const work = async (em: EntityManager): Promise<GoLiveMoveResponse> => {
      await assertProgrammeVisible(em, user, programmeId);
      const [programme]: { go_live_date: string }[] = await em.query(`SELECT go_live_date::text FROM programmes WHERE id = $1 FOR UPDATE`, [programmeId]);
      const from = programme.go_live_date;
      if (dto.goLiveDate === from) throw ApiException.validation([{ field: 'goLiveDate', reason: `is already the go-live date (${from})` }]);
      const affected: { id: string }[] = await em.query(
        `SELECT id FROM transition_cases WHERE programme_id = $1 AND proposed_effective_date = $2
           AND state IN ('proposed', 'in_consultation', 'agreed', 'letters_issued', 'on_hold') ORDER BY id`,
        [programmeId, from],
      );
      const bulkDto: BulkPreviewDto = {
        filter: { caseIds: affected.map((r) => r.id) },
        action: { kind: BulkActionKind.SetEffectiveDate, proposedEffectiveDate: dto.goLiveDate },
      };
      const plan: Plan = affected.length
        ? await this.run(em, user, programmeId, bulkDto)
        : { token: '', matched: 0, changes: [], unchanged: [], blocked: [], versionsAfter: {} };
      const token = fingerprint({ programmeId, from, to: dto.goLiveDate, cases: plan.token });
      const out: GoLiveMoveResponse = {
        fromGoLiveDate: from,
        toGoLiveDate: dto.goLiveDate,
        committed: false,
        previewToken: token,
        matched: plan.matched,
        changes: plan.changes,
        unchanged: plan.unchanged,
        blocked: plan.blocked,
        canCommit: !plan.blocked.length,
      };
      if (previewToken === undefined) return out;
      if (token !== previewToken) {
        throw new ApiException(HttpStatus.CONFLICT, 'The programme or its cases are no longer what the preview showed; nothing was changed. Preview again.', [
          { field: 'previewToken', reason: 'does not match the programme and cases as they are now' },
        ]);
      }
      if (plan.blocked.length) {
        throw new ApiException(
          HttpStatus.CONFLICT,
          `The move cannot be applied to ${plan.blocked.length} of the ${plan.matched} cases; nothing was changed`,
          plan.blocked.flatMap((b) => b.details.map((d) => ({ field: `cases[${b.caseId}].${d.field}`, reason: d.reason }))),
        );
      }
      await em.query(`UPDATE programmes SET go_live_date = $2, version = version + 1, updated_at = now() WHERE id = $1`, [programmeId, dto.goLiveDate]);
      await this.audit.record(em, {
        action: 'programme.move_go_live',
        entityType: 'programme',
        entityId: programmeId,
        before: { goLiveDate: from },
        after: { goLiveDate: dto.goLiveDate },
        metadata: { caseIds: plan.changes.map((c) => c.caseId), previewToken: token },
      });
      return { ...out, committed: true };
    };
    if (previewToken !== undefined) return this.db.transaction(work);
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      return await work(qr.manager);
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
  }

  /** Apply the action to every matched case in `em`'s transaction, case by case under a savepoint. */
  private async run(em: EntityManager, user: AuthUser, programmeId: string, dto: BulkPreviewDto): Promise<Plan> {
    await assertProgrammeVisible(em, user, programmeId);
    const { where, params } = filterSql(programmeId, dto.filter, 'all');
    const ids: { id: string; reference: string }[] = await em.query(
      `SELECT c.id, p.reference FROM transition_cases c JOIN posts p ON p.id = c.post_id WHERE ${where} ORDER BY c.id FOR UPDATE OF c`,
      params,
    );
    if (ids.length > BULK_LIMIT) {
      throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, `The filter matches ${ids.length} cases; at most ${BULK_LIMIT} at once`, [
        { field: 'filter', reason: `matches more than ${BULK_LIMIT} cases` },
      ]);
    }
    const reference = new Map(ids.map((r) => [r.id, r.reference]));
    const records = ids.length ? await selectCases(em, 'c.id = ANY($1::uuid[])', [ids.map((r) => r.id)], 'ORDER BY c.id') : [];
    const deadlinesBefore = await this.deadlineMap(em, programmeId);

    const plan: Plan = { token: '', matched: records.length, changes: [], unchanged: [], blocked: [], versionsAfter: {} };
    const change = toChange(dto.action);
    for (const before of records) {
      const { patch, problems } = await this.cases.plan(em, before, change);
      if (problems.length) {
        plan.blocked.push(blockedLine(before.id, reference.get(before.id)!, problems[0]));
        continue;
      }
      if (!Object.keys(patch).length) {
        plan.unchanged.push(before.id);
        continue;
      }
      await em.query('SAVEPOINT bulk_case');
      try {
        await this.cases.apply(em, user, before, patch, {
          action: change.kind === 'transition' ? AuditAction.StateChange : 'case.bulk_update',
          note: change.kind === 'transition' ? change.note : undefined,
          metadata: { bulk: dto.action.kind },
        });
        await em.query('RELEASE SAVEPOINT bulk_case');
      } catch (err) {
        await em.query('ROLLBACK TO SAVEPOINT bulk_case');
        const problem =
          err instanceof ApiException
            ? new CaseProblem(err.getStatus(), err.message, err.details ?? [])
            : err instanceof QueryFailedError
              ? new CaseProblem(HttpStatus.UNPROCESSABLE_ENTITY, 'The database refused the change', [{ field: 'case', reason: err.message }])
              : undefined;
        if (!problem) throw err;
        plan.blocked.push(blockedLine(before.id, reference.get(before.id)!, problem));
        continue;
      }
      const after = (await loadCase(em, before.id))!;
      plan.versionsAfter[before.id] = after.version;
      plan.changes.push({ caseId: before.id, postReference: reference.get(before.id)!, version: before.version, changes: diffCase(before, after), deadlines: {} });
    }

    const deadlinesAfter = await this.deadlineMap(em, programmeId);
    for (const c of plan.changes) c.deadlines = diffDeadlines(deadlinesBefore.get(c.caseId), deadlinesAfter.get(c.caseId));
    plan.token = fingerprint({
      programmeId,
      filter: normaliseFilter(dto.filter),
      action: dto.action,
      matched: records.map((r) => [r.id, r.version]),
      changes: plan.changes,
      unchanged: plan.unchanged,
      blocked: plan.blocked,
    });
    return plan;
  }

  /** caseId -> kind -> "due date (basis)" for the programme. */
  private async deadlineMap(em: EntityManager, programmeId: string): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    for (const d of await loadDeadlines(em, programmeId)) {
      const m = out.get(d.caseId) ?? {};
      m[d.kind] = `${d.dueOn} (${d.basis})`;
      out.set(d.caseId, m);
    }
    return out;
  }
}

/** The fields a kind takes: required ones present, no others (400 naming the field). */
function checkAction(a: BulkActionDto): void {
  const spec = ACTION_FIELDS[a.kind];
  const details: ErrorDetail[] = [];
  for (const f of spec.required) if (a[f] === undefined || a[f] === null) details.push({ field: `action.${f}`, reason: `is required for ${a.kind}` });
  for (const f of Object.keys(a) as (keyof BulkActionDto)[]) {
    if (f !== 'kind' && a[f] !== undefined && !spec.required.includes(f) && !spec.optional.includes(f)) {
      details.push({ field: `action.${f}`, reason: `is not used by ${a.kind}` });
    }
  }
  if (details.length) throw ApiException.validation(details);
}

function toChange(a: BulkActionDto): CaseChange {
  switch (a.kind) {
    case BulkActionKind.SetRoute:
      return { kind: 'fields', patch: { route: a.route } };
    case BulkActionKind.SetDestination:
      return { kind: 'fields', patch: { destinationOrganisationId: a.destinationOrganisationId, ...(a.destinationPostId !== undefined ? { destinationPostId: a.destinationPostId } : {}) } };
    case BulkActionKind.SetEffectiveDate:
      return { kind: 'fields', patch: { proposedEffectiveDate: a.proposedEffectiveDate } };
    case BulkActionKind.SetState:
      return { kind: 'transition', to: a.state!, note: a.note };
  }
}

function blockedLine(caseId: string, postReference: string, p: CaseProblem): BulkBlockedCase {
  return { caseId, postReference, status: p.status, message: p.message, details: p.details };
}

function diffDeadlines(before: Record<string, string> = {}, after: Record<string, string> = {}): Record<string, { from: string | null; to: string | null }> {
  const out: Record<string, { from: string | null; to: string | null }> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[k] !== after[k]) out[k] = { from: before[k] ?? null, to: after[k] ?? null };
  }
  return out;
}

function normaliseFilter(f: BulkFilterDto): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of ['state', 'route', 'thematicAreaId', 'caseIds'] as const) if (f[k]?.length) out[k] = [...f[k]!].sort();
  return out;
}

/** A stable hash of a JSON value (object keys sorted), base64url. */
export function fingerprint(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, x]) => x !== undefined)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('base64url');
}

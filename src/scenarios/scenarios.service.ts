import { ForbiddenException, HttpStatus, Injectable } from '@nestjs/common';
import { assertVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CaseRoute, CASE_ROUTES } from '../cases/case-state';
import { managedAreaIds, type AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { todayInLondon } from '../common/dates';
import { ApiException } from '../common/errors/api-error';
import { showTotal } from '../common/small-counts';
import { loadProposals } from '../consultations/consultation-statutory';
import { groupVersions, RuleBand } from '../consultations/collective-redundancy';
import { decimalTextToNumber, numberToDecimalText } from '../establishment/decimal';
import { EstablishmentMatrixResponse, MatrixCell } from '../establishment/dto/matrix.dto';
import { canSeeProgramme, isStaff } from '../establishment/establishment-access';
import { Scope } from '../establishment/establishment.constants';
import { notFound, unprocessable, withConstraintFields } from '../establishment/establishment-errors';
import { MATRIX_SQL, MatrixService } from '../establishment/matrix.service';
import { PostsService } from '../establishment/posts.service';
import {
  AddChangeDto,
  AffectedPerson,
  ChangeKind,
  CompareResponse,
  ConflictResponse,
  ConsequencesResponse,
  CreateScenarioDto,
  DeltaCell,
  DeltaLine,
  DeltaNumber,
  MergeResponse,
  PeopleAffectedResponse,
  RouteCount,
  ScenarioChangeResponse,
  ScenarioMatrixResponse,
  ScenarioResponse,
  ScenarioStatusDto,
  ScenarioSummary,
} from './dto/scenario.dto';
import { collectiveConsequence, likelyRoute, transferDeadlines } from './scenario-rules';
import { EDITABLE_STATUSES, MOVE_TARGET, movesFrom, ScenarioStatus, STAFF_MOVES, StatusMove } from './scenario-status';

/** The scenario's overlay on the live aggregate, in the live matrix's shape (see MATRIX_SQL). */
export const SCENARIO_DELTA_SQL = `
  SELECT c.thematic_area_id, c.scope, c.fte::text AS fte, c.posts, g.rank, COALESCE(g.report_group, g.code) AS grp
  FROM scenario_matrix_delta($1, $2) c JOIN grades g ON g.id = c.grade_id`;

interface ScenarioRow {
  id: string;
  programme_id: string;
  programme_name: string;
  go_live_date: string;
  reg13_information_days: number;
  name: string;
  description: string | null;
  status: ScenarioStatus;
  status_reason: string | null;
  author_id: string;
  author_name: string;
  approved_by: string | null;
  approver_name: string | null;
  approved_at: Date | null;
  merged_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  change_count: number;
  conflict_count: number;
}

const SCENARIO_SELECT = `
  SELECT s.id, s.programme_id, pr.name AS programme_name, to_char(pr.go_live_date, 'YYYY-MM-DD') AS go_live_date, pr.reg13_information_days,
         s.name, s.description, s.status, s.status_reason, s.author_id, au.display_name AS author_name,
         s.approved_by, ap.display_name AS approver_name, s.approved_at, s.merged_at, s.version, s.created_at, s.updated_at,
         (SELECT count(*)::int FROM scenario_changes c WHERE c.scenario_id = s.id) AS change_count,
         (SELECT count(*)::int FROM scenario_changes c JOIN posts p ON p.id = c.post_id
           WHERE c.scenario_id = s.id AND (p.version <> c.base_version OR p.establishment_status = 'deleted')) AS conflict_count
  FROM scenarios s JOIN programmes pr ON pr.id = s.programme_id
  JOIN users au ON au.id = s.author_id LEFT JOIN users ap ON ap.id = s.approved_by`;

interface AggRow {
  thematic_area_id: string;
  scope: Scope;
  fte: string;
  posts: number;
  rank: number;
  grp: string;
}

const SCOPE_LINES: { key: keyof EstablishmentMatrixResponse['subtotals']; label: string }[] = [
  { key: 'inScope', label: 'Subtotal: in scope' },
  { key: 'outOfScope', label: 'Subtotal: out of scope' },
  { key: 'underReview', label: 'Subtotal: under review' },
  { key: 'laterPhase', label: 'Subtotal: later phase' },
];

const num = (v: MatrixCell['posts']): number | null => (typeof v === 'number' ? v : null);
const round2 = (n: number) => Math.round(n * 100) / 100;
const shownCount = (n: number, rep: boolean): number | '<5' => (rep ? (showTotal({ posts: n, fte: 0 }).posts as number | '<5') : n);

function deltaNumber(before: MatrixCell['posts'] | undefined, after: MatrixCell['posts'] | undefined): DeltaNumber {
  const b = before ?? 0;
  const a = after ?? 0;
  const nb = num(b);
  const na = num(a);
  return { before: b, after: a, delta: nb !== null && na !== null ? round2(na - nb) : null };
}

function deltaCell(before: MatrixCell | undefined, after: MatrixCell | undefined): DeltaCell {
  return { posts: deltaNumber(before?.posts, after?.posts), fte: deltaNumber(before?.fte, after?.fte) };
}

function deltaLine(key: string, label: string, columns: string[], before: { cells: Record<string, MatrixCell>; total: MatrixCell } | undefined, after: typeof before): DeltaLine {
  const cells = Object.fromEntries(columns.map((c) => [c, deltaCell(before?.cells[c], after?.cells[c])]));
  const total = deltaCell(before?.total, after?.total);
  const changed = [...Object.values(cells), total].some((c) => (c.posts.delta ?? 0) !== 0 || (c.fte.delta ?? 0) !== 0);
  return { key, label, cells, total, changed };
}

/**
 * Scope scenarios: a named set of proposed changes to a programme's posts, seen as the matrix it
 * would make, the people it affects and the statutory consequences, compared, and merged once
 * approved. Who may do what:
 * - a draft is its author's (HR officers and admins see it once shared or proposed);
 * - managers create scenarios for their programmes and change posts of their own areas only;
 * - HR officers and admins approve and merge;
 * - trade union reps see shared scenarios of their programmes as counts (small counts suppressed).
 */
@Injectable()
export class ScenariosService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly matrices: MatrixService,
    private readonly posts: PostsService,
  ) {}

  // ---- reading -------------------------------------------------------------------------------------

  async list(user: AuthUser, programmeId: string): Promise<ScenarioResponse[]> {
    if (!canSeeProgramme(user, programmeId)) throw notFound('Programme', programmeId);
    const exists: unknown[] = await this.ds.query(`SELECT 1 FROM programmes WHERE id = $1`, [programmeId]);
    if (!exists.length) throw notFound('Programme', programmeId);
    const rows: ScenarioRow[] = await this.ds.query(`${SCENARIO_SELECT} WHERE s.programme_id = $1 ORDER BY s.created_at DESC, s.id`, [programmeId]);
    return rows.filter((r) => this.canSee(user, r)).map((r) => this.toResponse(user, r));
  }

  async get(user: AuthUser, id: string): Promise<ScenarioResponse> {
    const row = await this.load(this.ds.manager, user, id);
    const out = this.toResponse(user, row);
    if (user.role !== Role.TuRep) out.changes = await this.changes(this.ds.manager, id);
    return out;
  }

  private canSee(user: AuthUser, r: Pick<ScenarioRow, 'programme_id' | 'status' | 'author_id'>): boolean {
    if (!canSeeProgramme(user, r.programme_id)) return false;
    if (user.role === Role.TuRep) return r.status === ScenarioStatus.Shared;
    return r.author_id === user.id || r.status !== ScenarioStatus.Draft;
  }

  private async load(em: EntityManager, user: AuthUser, id: string, lock = false): Promise<ScenarioRow> {
    if (lock) await em.query(`SELECT 1 FROM scenarios WHERE id = $1 FOR UPDATE`, [id]);
    const rows: ScenarioRow[] = await em.query(`${SCENARIO_SELECT} WHERE s.id = $1`, [id]);
    if (!rows.length || !this.canSee(user, rows[0])) throw notFound('Scenario', id);
    return rows[0];
  }

  private mayEdit(user: AuthUser, r: ScenarioRow): boolean {
    return user.role !== Role.TuRep && (r.author_id === user.id || isStaff(user));
  }

  private toResponse(user: AuthUser, r: ScenarioRow): ScenarioResponse {
    const rep = user.role === Role.TuRep;
    const actions = rep || !this.mayEdit(user, r) ? [] : movesFrom(r.status).filter((m) => isStaff(user) || !STAFF_MOVES.includes(m));
    return {
      id: r.id,
      programmeId: r.programme_id,
      programmeName: r.programme_name,
      name: r.name,
      description: r.description,
      status: r.status,
      statusReason: rep ? null : r.status_reason,
      author: rep ? null : { id: r.author_id, name: r.author_name },
      approvedBy: r.approved_by && !rep ? { id: r.approved_by, name: r.approver_name ?? '' } : null,
      approvedAt: r.approved_at ? new Date(r.approved_at).toISOString() : null,
      mergedAt: r.merged_at ? new Date(r.merged_at).toISOString() : null,
      changeCount: r.change_count,
      conflictCount: r.conflict_count,
      actions,
      canEdit: !rep && this.mayEdit(user, r) && EDITABLE_STATUSES.includes(r.status),
      canMerge: isStaff(user) && r.status === ScenarioStatus.Approved,
      version: r.version,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
    };
  }

  private async changes(em: EntityManager, scenarioId: string): Promise<ScenarioChangeResponse[]> {
    const rows: {
      id: string;
      kind: ChangeKind;
      post_id: string | null;
      reference: string;
      title: string;
      base_version: number | null;
      current_version: number | null;
      post_deleted: boolean;
      scope: Scope | null;
      before_scope: Scope | null;
      area_id: string | null;
      area_name: string | null;
      grade_id: string | null;
      grade_code: string | null;
      fte: string | null;
      before_fte: string | null;
      dest_id: string | null;
      dest_name: string | null;
      reason: string;
      created_at: Date;
    }[] = await em.query(
      `SELECT c.id, c.kind, c.post_id, coalesce(p.reference, c.reference) AS reference, coalesce(p.title, c.title) AS title,
              c.base_version, p.version AS current_version, coalesce(p.establishment_status = 'deleted', false) AS post_deleted,
              c.scope, p.scope AS before_scope, c.thematic_area_id AS area_id, a.name AS area_name, c.grade_id, g.code AS grade_code,
              c.fte::text AS fte, p.fte::text AS before_fte, c.destination_organisation_id AS dest_id, o.name AS dest_name, c.reason, c.created_at
       FROM scenario_changes c
       LEFT JOIN posts p ON p.id = c.post_id
       LEFT JOIN thematic_areas a ON a.id = c.thematic_area_id
       LEFT JOIN grades g ON g.id = c.grade_id
       LEFT JOIN organisations o ON o.id = c.destination_organisation_id
       WHERE c.scenario_id = $1
       ORDER BY coalesce(p.reference, c.reference), c.id`,
      [scenarioId],
    );
    return rows.map((r) => {
      const parts: string[] = [];
      if (r.kind === ChangeKind.Delete) parts.push('Delete the post');
      if (r.kind === ChangeKind.Create) parts.push('New post');
      if (r.scope) parts.push(r.before_scope && r.kind === ChangeKind.Change ? `Scope ${r.before_scope.replace(/_/g, ' ')} to ${r.scope.replace(/_/g, ' ')}` : `Scope ${r.scope.replace(/_/g, ' ')}`);
      if (r.area_name) parts.push(`Area ${r.area_name}`);
      if (r.grade_code) parts.push(`Grade ${r.grade_code}`);
      if (r.fte) parts.push(r.before_fte && r.kind === ChangeKind.Change ? `FTE ${decimalTextToNumber(r.before_fte)} to ${decimalTextToNumber(r.fte)}` : `FTE ${decimalTextToNumber(r.fte)}`);
      if (r.dest_name) parts.push(`Goes to ${r.dest_name}`);
      return {
        id: r.id,
        kind: r.kind,
        postId: r.post_id,
        reference: r.reference,
        title: r.title,
        baseVersion: r.base_version,
        currentVersion: r.current_version,
        conflict: r.kind !== ChangeKind.Create && (r.current_version !== r.base_version || r.post_deleted),
        summary: parts.join('; '),
        scope: r.scope,
        thematicArea: r.area_id ? { id: r.area_id, name: r.area_name ?? '' } : null,
        grade: r.grade_id ? { id: r.grade_id, name: r.grade_code ?? '' } : null,
        fte: r.fte ? decimalTextToNumber(r.fte) : null,
        destinationOrganisation: r.dest_id ? { id: r.dest_id, name: r.dest_name ?? '' } : null,
        reason: r.reason,
        createdAt: new Date(r.created_at).toISOString(),
      };
    });
  }

  /** For the pages: a live post of the scenario's programme by its reference (null when none). */
  async postByReference(scenarioId: string, reference: string): Promise<string | null> {
    const rows: { id: string }[] = await this.ds.query(
      `SELECT p.id FROM posts p JOIN scenarios s ON s.programme_id = p.programme_id
       WHERE s.id = $1 AND lower(p.reference) = lower($2) AND p.establishment_status <> 'deleted' ORDER BY p.reference LIMIT 1`,
      [scenarioId, reference],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * For the add-a-change page: the programme's thematic areas (a manager: their own), the grades
   * of its source organisations (the scales its posts are on) and those organisations (a new
   * post's employer). The service checks every choice again when the change is added.
   */
  async changeChoices(user: AuthUser, scenarioId: string): Promise<{
    areas: { id: string; name: string }[];
    grades: { id: string; code: string; organisationId: string; organisation: string }[];
    employers: { id: string; name: string }[];
  }> {
    const s = await this.load(this.ds.manager, user, scenarioId);
    const managed = user.role === Role.Manager ? managedAreaIds(user) : null;
    const [areas, grades, employers] = await Promise.all([
      this.ds.query(`SELECT id, name FROM thematic_areas WHERE programme_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2)) ORDER BY sort_order, name`, [s.programme_id, managed]),
      this.ds.query(
        `SELECT g.id, g.code, o.id AS "organisationId", coalesce(o.short_name, o.name) AS organisation
         FROM programme_source_organisations so JOIN organisations o ON o.id = so.organisation_id JOIN grades g ON g.organisation_id = o.id
         WHERE so.programme_id = $1 ORDER BY o.name, g.rank DESC, g.code`,
        [s.programme_id],
      ),
      this.ds.query(`SELECT o.id, o.name FROM programme_source_organisations so JOIN organisations o ON o.id = so.organisation_id WHERE so.programme_id = $1 ORDER BY o.name`, [s.programme_id]),
    ]);
    return { areas, grades, employers };
  }

  /** For the pages: organisations a post could go to. */
  organisationChoices(): Promise<{ id: string; name: string }[]> {
    return this.ds.query(`SELECT id, name FROM organisations ORDER BY name`);
  }

  // ---- writing -------------------------------------------------------------------------------------

  create(user: AuthUser, programmeId: string, dto: CreateScenarioDto): Promise<ScenarioResponse> {
    if (user.role === Role.TuRep) throw new ForbiddenException('Trade union reps see shared scenarios; they do not make them');
    if (!canSeeProgramme(user, programmeId)) throw notFound('Programme', programmeId);
    return this.ds.transaction(async (em) => {
      const exists: unknown[] = await em.query(`SELECT 1 FROM programmes WHERE id = $1`, [programmeId]);
      if (!exists.length) throw notFound('Programme', programmeId);
      const [row]: { id: string }[] = await withConstraintFields(
        { scenarios_programme_name_key: { field: 'name', reason: 'is already the name of a scenario of this programme' } },
        () => em.query(`INSERT INTO scenarios (programme_id, name, description, author_id) VALUES ($1, $2, $3, $4) RETURNING id`, [programmeId, dto.name, dto.description ?? null, user.id]),
      );
      await this.audit.record(em, { action: 'scenario.create', entityType: 'scenario', entityId: row.id, after: { name: dto.name, description: dto.description ?? null, status: 'draft' }, metadata: { programmeId } });
      return this.toResponse(user, await this.load(em, user, row.id));
    });
  }

  addChange(user: AuthUser, id: string, dto: AddChangeDto): Promise<ScenarioChangeResponse> {
    return this.ds.transaction(async (em) => {
      const s = await this.editable(em, user, id);
      const managed = user.role === Role.Manager ? managedAreaIds(user) : null;
      const outsideArea = (field: string) =>
        new ApiException(HttpStatus.FORBIDDEN, 'Managers change posts of their own thematic areas only', [{ field, reason: 'is outside your thematic areas' }]);
      const fte = dto.fte !== undefined ? numberToDecimalText(dto.fte) : null;
      let insert: unknown[];
      if (dto.kind === ChangeKind.Create) {
        for (const f of ['organisationId', 'reference', 'title', 'thematicAreaId', 'gradeId', 'fte'] as const) {
          if (dto[f] === undefined) throw ApiException.validation([{ field: f, reason: 'is required for a new post' }]);
        }
        if (dto.postId !== undefined) throw ApiException.validation([{ field: 'postId', reason: 'must be left out for a new post' }]);
        if (managed && !managed.includes(dto.thematicAreaId!)) throw outsideArea('thematicAreaId');
        const placement = await this.posts.checkPlacement(em, s.programme_id, dto.organisationId!, dto.thematicAreaId!, dto.gradeId!);
        const taken: unknown[] = await em.query(`SELECT 1 FROM posts WHERE organisation_id = $1 AND reference = $2`, [dto.organisationId, dto.reference]);
        if (taken.length) throw new ApiException(HttpStatus.CONFLICT, 'Conflict: reference is already the reference of another post of this organisation', [{ field: 'reference', reason: 'is already the reference of another post of this organisation' }]);
        if (dto.destinationOrganisationId) await this.checkOrganisation(em, dto.destinationOrganisationId);
        insert = [id, 'create', null, null, dto.scope ?? placement.scope, dto.thematicAreaId, dto.gradeId, fte, dto.destinationOrganisationId ?? null, dto.organisationId, dto.reference, dto.title, dto.reason, user.id];
      } else {
        if (!dto.postId) throw ApiException.validation([{ field: 'postId', reason: `is required to ${dto.kind} a live post` }]);
        for (const f of ['organisationId', 'reference', 'title'] as const) {
          if (dto[f] !== undefined) throw ApiException.validation([{ field: f, reason: 'is only for a new post' }]);
        }
        const [post]: { id: string; programme_id: string; thematic_area_id: string; organisation_id: string; grade_id: string; scope: Scope; fte: string; establishment_status: string; version: number; destination_organisation_id: string | null }[] =
          await em.query(`SELECT id, programme_id, thematic_area_id, organisation_id, grade_id, scope, fte::text AS fte, establishment_status, version, destination_organisation_id FROM posts WHERE id = $1`, [dto.postId]);
        if (!post || post.programme_id !== s.programme_id) {
          throw unprocessable('postId', 'is not a post of the programme');
        }
        if (managed && !managed.includes(post.thematic_area_id)) throw outsideArea('postId');
        if (post.establishment_status === 'deleted') throw unprocessable('postId', 'is a deleted post');
        const edits = { scope: dto.scope, thematicAreaId: dto.thematicAreaId, gradeId: dto.gradeId, fte: dto.fte, destinationOrganisationId: dto.destinationOrganisationId };
        const given = Object.entries(edits).filter(([, v]) => v !== undefined);
        if (dto.kind === ChangeKind.Delete) {
          if (given.length) throw ApiException.validation([{ field: given[0][0], reason: 'must be left out when deleting a post' }]);
        } else {
          if (!given.length) throw ApiException.validation([{ field: 'scope', reason: 'or another of thematicAreaId, gradeId, fte, destinationOrganisationId must change' }]);
          if (dto.scope === post.scope && given.length === 1) throw unprocessable('scope', `is already ${post.scope}`);
          if (dto.thematicAreaId) {
            if (managed && !managed.includes(dto.thematicAreaId)) throw outsideArea('thematicAreaId');
            await this.posts.checkPlacement(em, s.programme_id, post.organisation_id, dto.thematicAreaId, dto.gradeId ?? post.grade_id);
          } else if (dto.gradeId) {
            await this.posts.checkPlacement(em, s.programme_id, post.organisation_id, post.thematic_area_id, dto.gradeId);
          }
          if (dto.destinationOrganisationId) {
            await this.checkOrganisation(em, dto.destinationOrganisationId);
            if (dto.destinationOrganisationId === post.organisation_id) throw unprocessable('destinationOrganisationId', 'is the organisation the post is already in');
          }
        }
        insert = [id, dto.kind, post.id, post.version, dto.scope ?? null, dto.thematicAreaId ?? null, dto.gradeId ?? null, fte, dto.destinationOrganisationId ?? null, null, null, null, dto.reason, user.id];
      }
      const [row]: { id: string }[] = await withConstraintFields(
        {
          scenario_changes_one_per_post: { field: 'postId', reason: 'already has a change in this scenario: remove it first' },
          scenario_changes_one_new_reference: { field: 'reference', reason: 'is already the reference of a new post in this scenario' },
        },
        () =>
          em.query(
            `INSERT INTO scenario_changes (scenario_id, kind, post_id, base_version, scope, thematic_area_id, grade_id, fte, destination_organisation_id,
                                           organisation_id, reference, title, reason, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
            insert,
          ),
      );
      await em.query(`UPDATE scenarios SET version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      const change = (await this.changes(em, id)).find((c) => c.id === row.id)!;
      await this.audit.record(em, { action: 'scenario.change_add', entityType: 'scenario', entityId: id, after: { ...change }, metadata: { programmeId: s.programme_id, changeId: row.id } });
      return change;
    });
  }

  removeChange(user: AuthUser, id: string, changeId: string): Promise<void> {
    return this.ds.transaction(async (em) => {
      const s = await this.editable(em, user, id);
      const change = (await this.changes(em, id)).find((c) => c.id === changeId);
      if (!change) throw notFound('Change', changeId);
      const managed = user.role === Role.Manager ? managedAreaIds(user) : null;
      if (managed && change.postId) {
        const [p]: { thematic_area_id: string }[] = await em.query(`SELECT thematic_area_id FROM posts WHERE id = $1`, [change.postId]);
        if (p && !managed.includes(p.thematic_area_id)) throw new ApiException(HttpStatus.FORBIDDEN, 'Managers change posts of their own thematic areas only', [{ field: 'changeId', reason: 'is on a post outside your thematic areas' }]);
      }
      await em.query(`DELETE FROM scenario_changes WHERE id = $1 AND scenario_id = $2`, [changeId, id]);
      await em.query(`UPDATE scenarios SET version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      await this.audit.record(em, { action: 'scenario.change_remove', entityType: 'scenario', entityId: id, before: { ...change }, metadata: { programmeId: s.programme_id, changeId } });
    });
  }

  private async editable(em: EntityManager, user: AuthUser, id: string): Promise<ScenarioRow> {
    const s = await this.load(em, user, id, true);
    if (!this.mayEdit(user, s)) throw new ForbiddenException('Only its author, an HR officer or an admin may change this scenario');
    if (!EDITABLE_STATUSES.includes(s.status)) {
      throw new ApiException(HttpStatus.CONFLICT, `The scenario is ${s.status}: its changes can no longer be edited`, [{ field: 'status', reason: `is ${s.status}; changes are edited while draft or shared`, currentStatus: s.status }]);
    }
    return s;
  }

  private async checkOrganisation(em: EntityManager, id: string): Promise<void> {
    const rows: unknown[] = await em.query(`SELECT 1 FROM organisations WHERE id = $1`, [id]);
    if (!rows.length) throw unprocessable('destinationOrganisationId', 'does not exist');
  }

  move(user: AuthUser, id: string, dto: ScenarioStatusDto): Promise<ScenarioResponse> {
    return this.ds.transaction(async (em) => {
      const s = await this.load(em, user, id, true);
      if (!this.mayEdit(user, s)) throw new ForbiddenException('Only its author, an HR officer or an admin may change this scenario');
      if (STAFF_MOVES.includes(dto.action) && !isStaff(user)) throw new ForbiddenException('Only an HR officer or an admin may approve a scenario or send it back');
      assertVersion('scenario', { given: dto.version, current: s.version });
      const open = movesFrom(s.status);
      if (!open.includes(dto.action)) {
        throw new ApiException(HttpStatus.CONFLICT, `A ${s.status} scenario cannot be moved by "${dto.action}"`, [{ field: 'action', reason: `is not open from ${s.status}`, allowed: open, currentState: s.status }]);
      }
      if ((dto.action === 'propose' || dto.action === 'approve') && s.change_count === 0) throw unprocessable('action', 'needs at least one change in the scenario');
      const to = MOVE_TARGET[dto.action];
      await this.setStatus(em, user, s, to, dto.action, dto.reason ?? null);
      return this.toResponse(user, await this.load(em, user, id));
    });
  }

  private async setStatus(em: EntityManager, user: AuthUser, s: ScenarioRow, to: ScenarioStatus, action: StatusMove | 'rebase' | 'merge', reason: string | null): Promise<void> {
    await em.query(
      `UPDATE scenarios SET status = $2, status_reason = $3,
              approved_by = CASE WHEN $2 = 'approved' THEN $4::uuid WHEN $2 = 'merged' THEN approved_by ELSE NULL END,
              approved_at = CASE WHEN $2 = 'approved' THEN now() WHEN $2 = 'merged' THEN approved_at ELSE NULL END,
              merged_by = CASE WHEN $2 = 'merged' THEN $4::uuid ELSE NULL END,
              merged_at = CASE WHEN $2 = 'merged' THEN now() ELSE NULL END,
              version = version + 1, updated_at = now()
       WHERE id = $1`,
      [s.id, to, reason, user.id],
    );
    if (action !== 'merge') {
      await this.audit.record(em, { action: 'scenario.status', entityType: 'scenario', entityId: s.id, before: { status: s.status }, after: { status: to, reason }, metadata: { programmeId: s.programme_id, move: action } });
    }
  }

  // ---- the matrix, people and consequences ---------------------------------------------------------

  async matrix(user: AuthUser, id: string): Promise<ScenarioMatrixResponse> {
    const s = await this.load(this.ds.manager, user, id);
    return this.matrixOf(user, s);
  }

  private async matrixOf(user: AuthUser, s: ScenarioRow): Promise<ScenarioMatrixResponse> {
    const [areas, live, delta] = await Promise.all([
      this.ds.query(`SELECT id, name, default_scope FROM thematic_areas WHERE programme_id = $1 ORDER BY sort_order, name`, [s.programme_id]) as Promise<{ id: string; name: string; default_scope: Scope }[]>,
      this.ds.query(MATRIX_SQL, [s.programme_id]) as Promise<AggRow[]>,
      this.ds.query(SCENARIO_DELTA_SQL, [s.programme_id, s.id]) as Promise<AggRow[]>,
    ]);
    const before = this.matrices.assemble(user, s.programme_id, s.programme_name, areas, live);
    const after = this.matrices.assemble(user, s.programme_id, s.programme_name, areas, overlay(live, delta));
    const rank = new Map<string, number>();
    for (const c of [...before.columns, ...after.columns]) rank.set(c.key, Math.max(rank.get(c.key) ?? -Infinity, c.rank));
    const columns = [...rank.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
    const rowOf = (m: EstablishmentMatrixResponse, areaId: string) => m.rows.find((r) => r.thematicAreaId === areaId);
    return {
      scenarioId: s.id,
      countsSuppressed: before.countsSuppressed,
      columns,
      rows: areas.map((a) => deltaLine(a.id, a.name, columns, rowOf(before, a.id), rowOf(after, a.id))),
      totals: deltaLine('total', 'Total', columns, before.totals, after.totals),
      subtotals: SCOPE_LINES.map((l) => deltaLine(l.key, l.label, columns, before.subtotals[l.key], after.subtotals[l.key])),
      scenario: after,
    };
  }

  async people(user: AuthUser, id: string, asOf?: string): Promise<PeopleAffectedResponse> {
    const s = await this.load(this.ds.manager, user, id);
    return this.peopleOf(user, s, asOf ?? todayInLondon());
  }

  private async affected(s: ScenarioRow, asOf: string): Promise<(AffectedPerson & { establishment: string })[]> {
    const rows: {
      kind: ChangeKind;
      post_id: string;
      reference: string;
      title: string;
      area_name: string;
      before_scope: Scope;
      after_scope: Scope;
      before_dest: string | null;
      after_dest: string | null;
      source_kind: string;
      source_name: string;
      dest_kind: string;
      dest_name: string;
      grade_changed: boolean;
      fte_reduced: boolean;
      employee_id: string;
      first_name: string;
      last_name: string;
      staff_number: string;
      case_id: string | null;
      case_route: CaseRoute | null;
      case_date: string | null;
    }[] = await this.ds.query(
      `SELECT c.kind, p.id AS post_id, p.reference, p.title, a.name AS area_name, p.scope AS before_scope, coalesce(c.scope, p.scope) AS after_scope,
              p.destination_organisation_id AS before_dest, coalesce(c.destination_organisation_id, p.destination_organisation_id) AS after_dest,
              so.kind AS source_kind, so.name AS source_name, d.kind AS dest_kind, d.name AS dest_name,
              coalesce(c.grade_id <> p.grade_id, false) AS grade_changed, coalesce(c.fte < pa.fte, false) AS fte_reduced,
              e.id AS employee_id, e.first_name, e.last_name, e.staff_number,
              tc.id AS case_id, tc.route AS case_route, tc.proposed_effective_date::text AS case_date
       FROM scenario_changes c
       JOIN posts p ON p.id = c.post_id AND p.establishment_status <> 'deleted'
       JOIN programmes pr ON pr.id = p.programme_id
       JOIN thematic_areas a ON a.id = coalesce(c.thematic_area_id, p.thematic_area_id)
       JOIN organisations so ON so.id = p.organisation_id
       JOIN organisations d ON d.id = coalesce(c.destination_organisation_id, p.destination_organisation_id, pr.destination_organisation_id)
       JOIN post_assignments pa ON pa.post_id = p.id AND pa.starts_on <= $2::date AND (pa.ends_on IS NULL OR pa.ends_on >= $2::date)
       JOIN employees e ON e.id = pa.employee_id
       LEFT JOIN transition_cases tc ON tc.programme_id = p.programme_id AND tc.employee_id = e.id AND tc.state <> 'withdrawn'
       WHERE c.scenario_id = $1
       ORDER BY p.reference, e.last_name, e.first_name`,
      [s.id, asOf],
    );
    const out: (AffectedPerson & { establishment: string })[] = [];
    for (const r of rows) {
      const before = { scope: r.before_scope, deleted: false, destinationOrganisationId: r.before_dest };
      const after = { scope: r.after_scope, deleted: r.kind === ChangeKind.Delete, destinationOrganisationId: r.after_dest };
      const movesBefore = before.scope === Scope.InScope;
      const movesAfter = !after.deleted && after.scope === Scope.InScope;
      const matters = after.deleted || movesBefore !== movesAfter || (movesAfter && before.destinationOrganisationId !== after.destinationOrganisationId) || r.grade_changed || r.fte_reduced;
      if (!matters) continue;
      const route = likelyRoute({
        before,
        after,
        sourceKind: r.source_kind,
        destinationKind: r.dest_kind,
        destinationName: r.dest_name,
        caseRoute: r.case_route,
        gradeChanged: r.grade_changed,
        fteReducedBelowHolder: r.fte_reduced,
      });
      out.push({
        employeeId: r.employee_id,
        name: `${r.first_name} ${r.last_name}`,
        staffNumber: r.staff_number,
        postId: r.post_id,
        postReference: r.reference,
        postTitle: r.title,
        thematicAreaName: r.area_name,
        likelyRoute: route.route,
        basis: route.basis,
        caseId: r.case_id,
        caseRoute: r.case_route,
        proposedDismissal: route.proposedDismissal,
        moveDate: route.transfers ? (r.case_date && r.case_route === route.route ? r.case_date : s.go_live_date) : route.proposedDismissal ? s.go_live_date : null,
        establishment: r.source_name,
      });
    }
    return out;
  }

  private async peopleOf(user: AuthUser, s: ScenarioRow, asOf: string, people?: (AffectedPerson & { establishment: string })[]): Promise<PeopleAffectedResponse> {
    const list = people ?? (await this.affected(s, asOf));
    const rep = user.role === Role.TuRep;
    const byRoute = new Map<CaseRoute, number>();
    for (const p of list) byRoute.set(p.likelyRoute, (byRoute.get(p.likelyRoute) ?? 0) + 1);
    const routes: RouteCount[] = CASE_ROUTES.filter((r) => byRoute.has(r)).map((r) => ({ route: r, people: shownCount(byRoute.get(r)!, rep) }));
    const out: PeopleAffectedResponse = { scenarioId: s.id, total: shownCount(list.length, rep), byRoute: routes, countsSuppressed: rep };
    if (!rep) {
      out.people = list.map(({ establishment: _e, staffNumber, ...p }) => (isStaff(user) ? { ...p, staffNumber } : p));
    }
    return out;
  }

  async consequences(user: AuthUser, id: string, asOf?: string): Promise<ConsequencesResponse> {
    const s = await this.load(this.ds.manager, user, id);
    return this.consequencesOf(user, s, asOf ?? todayInLondon());
  }

  private async consequencesOf(user: AuthUser, s: ScenarioRow, asOf: string, people?: (AffectedPerson & { establishment: string })[]): Promise<ConsequencesResponse> {
    const list = people ?? (await this.affected(s, asOf));
    const rep = user.role === Role.TuRep;
    const bands: RuleBand[] = await this.ds.query(
        `SELECT id, applies_from::text AS "appliesFrom", min_dismissals AS "minDismissals", max_dismissals AS "maxDismissals",
                minimum_period_days AS "minimumPeriodDays", hr1_days_before AS "hr1DaysBefore", citation
         FROM collective_redundancy_rules ORDER BY applies_from, min_dismissals`,
    );
    const versions = groupVersions(bands);
    const existing = await loadProposals(this.ds.manager, s.programme_id);
    const dismissals = new Map<string, Set<string>>();
    const transfers = new Map<string, Set<string>>();
    for (const p of list) {
      if (p.proposedDismissal) dismissals.set(p.establishment, (dismissals.get(p.establishment) ?? new Set()).add(p.employeeId));
      else if (p.moveDate) transfers.set(p.moveDate, (transfers.get(p.moveDate) ?? new Set()).add(p.employeeId));
    }
    const collective = [...dismissals.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([establishment, ids]) => {
        const c = collectiveConsequence(versions, existing, { establishment, proposedDismissals: ids.size, asOf, firstDismissalDate: s.go_live_date, title: s.name });
        return { ...c, proposedDismissals: shownCount(c.proposedDismissals, rep), totalWithinNinetyDays: shownCount(c.totalWithinNinetyDays, rep), explanation: rep ? c.summary : c.explanation };
      });
    const dates = new Map([...transfers.entries()].map(([d, ids]) => [d, ids.size]));
    const deadlines = transferDeadlines(dates, asOf, s.reg13_information_days).map((t) => ({ ...t, people: shownCount(t.people, rep) }));
    return { scenarioId: s.id, asOf, collectiveRedundancy: collective, transfers: deadlines, countsSuppressed: rep };
  }

  async compare(user: AuthUser, ids: string[], asOf?: string): Promise<CompareResponse> {
    const unique = [...new Set(ids)];
    if (unique.length < 2 || unique.length > 3) throw ApiException.validation([{ field: 'ids', reason: 'must name 2 or 3 different scenarios' }]);
    const rows = [];
    for (const id of unique) rows.push(await this.load(this.ds.manager, user, id));
    if (new Set(rows.map((r) => r.programme_id)).size > 1) throw unprocessable('ids', 'must be scenarios of one programme');
    const day = asOf ?? todayInLondon();
    const summaries: ScenarioSummary[] = [];
    const columns = new Set<string>();
    for (const s of rows) {
      const m = await this.matrixOf(user, s);
      m.columns.forEach((c) => columns.add(c));
      const people = await this.affected(s, day);
      const p = await this.peopleOf(user, s, day, people);
      summaries.push({
        scenario: this.toResponse(user, s),
        totals: m.totals,
        inScope: m.subtotals[0],
        changedRows: m.rows.filter((r) => r.changed),
        peopleAffected: p.total,
        byRoute: p.byRoute,
        consequences: await this.consequencesOf(user, s, day, people),
      });
    }
    return { programmeId: rows[0].programme_id, columns: [...columns], scenarios: summaries };
  }

  // ---- conflicts, rebase and merge -----------------------------------------------------------------

  async conflicts(user: AuthUser, id: string): Promise<ConflictResponse[]> {
    const s = await this.load(this.ds.manager, user, id);
    if (user.role === Role.TuRep) throw new ForbiddenException('Trade union reps see counts only');
    return this.conflictsIn(this.ds.manager, s.id, false);
  }

  private async conflictsIn(em: EntityManager, scenarioId: string, lock: boolean): Promise<ConflictResponse[]> {
    const rows: { post_id: string; reference: string; title: string; base_version: number; version: number; establishment_status: string }[] = await em.query(
      `SELECT p.id AS post_id, p.reference, p.title, c.base_version, p.version, p.establishment_status
       FROM scenario_changes c JOIN posts p ON p.id = c.post_id
       WHERE c.scenario_id = $1 ORDER BY p.id ${lock ? 'FOR UPDATE OF p' : ''}`,
      [scenarioId],
    );
    const out: ConflictResponse[] = rows
      .filter((r) => r.version !== r.base_version || r.establishment_status === 'deleted')
      .map((r) => ({
        postId: r.post_id,
        reference: r.reference,
        title: r.title,
        baseVersion: r.base_version,
        currentVersion: r.version,
        reason: r.establishment_status === 'deleted' ? 'has been deleted since the scenario was made' : `was changed since the scenario took it (version ${r.base_version}, now ${r.version})`,
      }));
    const taken: { reference: string; title: string }[] = await em.query(
      `SELECT c.reference, c.title FROM scenario_changes c JOIN posts p ON p.organisation_id = c.organisation_id AND p.reference = c.reference
       WHERE c.scenario_id = $1 AND c.kind = 'create' ORDER BY c.reference`,
      [scenarioId],
    );
    for (const t of taken) out.push({ postId: '', reference: t.reference, title: t.title, baseVersion: 0, currentVersion: null, reason: 'is now the reference of a live post: the new post cannot take it' });
    return out.sort((a, b) => a.reference.localeCompare(b.reference));
  }

  rebase(user: AuthUser, id: string, version: number): Promise<ScenarioResponse> {
    return this.ds.transaction(async (em) => {
      const s = await this.load(em, user, id, true);
      if (!this.mayEdit(user, s)) throw new ForbiddenException('Only its author, an HR officer or an admin may rebase this scenario');
      assertVersion('scenario', { given: version, current: s.version });
      if (s.status === ScenarioStatus.Merged || s.status === ScenarioStatus.Discarded) {
        throw new ApiException(HttpStatus.CONFLICT, `The scenario is ${s.status}`, [{ field: 'status', reason: `is ${s.status}`, currentStatus: s.status }]);
      }
      const conflicts = await this.conflictsIn(em, id, true);
      const deleted = conflicts.filter((c) => c.postId && c.reason.startsWith('has been deleted'));
      const taken = conflicts.filter((c) => !c.postId);
      if (taken.length) {
        throw new ApiException(HttpStatus.CONFLICT, 'A new post of the scenario has a reference now used by a live post: remove that change first', taken.map((t) => ({ field: 'reference', reason: `${t.reference} (${t.title}) ${t.reason}` })));
      }
      // Changes on posts deleted since go with them; the others take the posts' current versions.
      if (deleted.length) await em.query(`DELETE FROM scenario_changes WHERE scenario_id = $1 AND post_id = ANY($2::uuid[])`, [id, deleted.map((d) => d.postId)]);
      await em.query(`UPDATE scenario_changes c SET base_version = p.version FROM posts p WHERE c.scenario_id = $1 AND p.id = c.post_id AND c.base_version <> p.version`, [id]);
      await em.query(`UPDATE scenarios SET version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      if (s.status === ScenarioStatus.Approved) await this.setStatus(em, user, { ...s, version: s.version + 1 }, ScenarioStatus.Proposed, 'rebase', 'Rebased on the live establishment: to be approved again');
      await this.audit.record(em, {
        action: 'scenario.rebase',
        entityType: 'scenario',
        entityId: id,
        metadata: { programmeId: s.programme_id, retaken: conflicts.filter((c) => c.postId && !deleted.includes(c)).map((c) => ({ postId: c.postId, reference: c.reference, from: c.baseVersion, to: c.currentVersion })), dropped: deleted.map((d) => d.reference) },
      });
      return this.toResponse(user, await this.load(em, user, id));
    });
  }

  merge(user: AuthUser, id: string, version: number): Promise<MergeResponse> {
    if (!isStaff(user)) throw new ForbiddenException('Only an HR officer or an admin may merge a scenario');
    return this.ds
      .transaction(async (em) => {
        const s = await this.load(em, user, id, true);
        assertVersion('scenario', { given: version, current: s.version });
        if (s.status !== ScenarioStatus.Approved) {
          throw new ApiException(HttpStatus.CONFLICT, `Only an approved scenario can be merged; this one is ${s.status}`, [{ field: 'status', reason: `is ${s.status}, not approved`, currentStatus: s.status }]);
        }
        const conflicts = await this.conflictsIn(em, id, true);
        if (conflicts.length) {
          throw new ApiException(
            HttpStatus.CONFLICT,
            `The live establishment changed under the scenario: ${conflicts.length} ${conflicts.length === 1 ? 'post' : 'posts'} in conflict. Rebase the scenario (take the current versions) or discard it`,
            conflicts.map((c) => ({ field: c.postId ? 'postId' : 'reference', reason: `${c.reference} "${c.title}" ${c.reason}`, ...(c.currentVersion !== null ? { currentVersion: c.currentVersion } : {}) })),
          );
        }
        const beforeRows: Record<string, unknown>[] = await em.query(
          `SELECT c.id AS change_id, c.kind, c.reason, p.id, p.reference, p.scope, p.thematic_area_id AS "thematicAreaId", p.grade_id AS "gradeId", p.fte::text AS fte,
                  p.destination_organisation_id AS "destinationOrganisationId", p.establishment_status AS "establishmentStatus"
           FROM scenario_changes c JOIN posts p ON p.id = c.post_id WHERE c.scenario_id = $1`,
          [id],
        );
        // TypeORM answers an UPDATE … RETURNING as [rows, count].
        const [updated]: [Record<string, unknown>[], number] = await em.query(
          `UPDATE posts p SET
              scope = coalesce(c.scope, p.scope),
              scope_reason = CASE WHEN c.scope IS NOT NULL THEN c.reason ELSE p.scope_reason END,
              scope_decided_by = CASE WHEN c.scope IS NOT NULL THEN $2::uuid ELSE p.scope_decided_by END,
              scope_decided_at = CASE WHEN c.scope IS NOT NULL THEN now() ELSE p.scope_decided_at END,
              thematic_area_id = coalesce(c.thematic_area_id, p.thematic_area_id),
              grade_id = coalesce(c.grade_id, p.grade_id),
              fte = coalesce(c.fte, p.fte),
              destination_organisation_id = coalesce(c.destination_organisation_id, p.destination_organisation_id),
              establishment_status = CASE WHEN c.kind = 'delete' THEN 'deleted' ELSE p.establishment_status END,
              version = p.version + 1, updated_at = now()
           FROM scenario_changes c
           WHERE c.scenario_id = $1 AND c.post_id = p.id
           RETURNING p.id, p.scope, p.thematic_area_id AS "thematicAreaId", p.grade_id AS "gradeId", p.fte::text AS fte,
                     p.destination_organisation_id AS "destinationOrganisationId", p.establishment_status AS "establishmentStatus"`,
          [id, user.id],
        );
        const created: Record<string, unknown>[] = await withConstraintFields(
          { posts_org_reference_key: { field: 'reference', reason: 'of a new post is now the reference of a live post' } },
          () =>
            em.query(
              `INSERT INTO posts (programme_id, thematic_area_id, organisation_id, grade_id, reference, title, fte, establishment_status, scope, scope_reason,
                                  scope_decided_by, scope_decided_at, destination_organisation_id)
               SELECT $2, c.thematic_area_id, c.organisation_id, c.grade_id, c.reference, c.title, c.fte, 'vacant', c.scope, c.reason, $3, now(), c.destination_organisation_id
               FROM scenario_changes c WHERE c.scenario_id = $1 AND c.kind = 'create'
               RETURNING id, reference, title, scope, thematic_area_id AS "thematicAreaId", grade_id AS "gradeId", fte::text AS fte, organisation_id AS "organisationId"`,
              [id, s.programme_id, user.id],
            ),
        );
        await this.setStatus(em, user, s, ScenarioStatus.Merged, 'merge', null);
        const afterById = new Map(updated.map((u) => [u.id as string, u]));
        const changes = [
          ...beforeRows.map(({ change_id, kind, reason, id: postId, reference, ...before }) => {
            const { id: _i, ...after } = afterById.get(postId as string) ?? {};
            return { changeId: change_id, kind, postId, reference, reason, before, after };
          }),
          ...created.map(({ id: postId, reference, ...after }) => ({ kind: 'create', postId, reference, after })),
        ];
        // One event for the whole merge, with each change in it.
        await this.audit.record(em, {
          action: 'scenario.merge',
          entityType: 'scenario',
          entityId: id,
          before: { status: ScenarioStatus.Approved },
          after: { status: ScenarioStatus.Merged },
          metadata: { programmeId: s.programme_id, name: s.name, changes },
        });
        const deletedCount = beforeRows.filter((b) => b.kind === 'delete').length;
        return {
          scenario: this.toResponse(user, await this.load(em, user, id)),
          postsChanged: updated.length - deletedCount,
          postsCreated: created.length,
          postsDeleted: deletedCount,
        };
      })
      .catch((e: unknown) => {
        // A rule the live establishment keeps (a post's FTE below what its holders work, …): refused, nothing changed.
        if (e instanceof QueryFailedError) {
          const d = (e as QueryFailedError & { driverError?: { code?: string; constraint?: string; message?: string } }).driverError;
          if (d?.code && (d.code.startsWith('23') || d.code === 'P0001')) {
            throw new ApiException(HttpStatus.CONFLICT, 'The live establishment refuses the merge: nothing was changed', [{ field: 'changes', reason: d.message ?? d.constraint ?? 'breaks a rule of the establishment' }]);
          }
        }
        throw e;
      });
  }
}

/** The live aggregate with a scenario's delta rows added, in the same grouping (counts that reach 0 drop out). */
export function overlay(live: AggRow[], delta: AggRow[]): AggRow[] {
  const key = (r: AggRow) => `${r.thematic_area_id}|${r.grp}|${r.rank}|${r.scope}|${r.fte}`;
  const out = new Map<string, AggRow>();
  for (const r of live) out.set(key(r), { ...r, fte: normFte(r.fte) });
  for (const d of delta) {
    const r = { ...d, fte: normFte(d.fte) };
    const k = key(r);
    const cur = out.get(k);
    if (cur) cur.posts += r.posts;
    else out.set(k, r);
  }
  return [...out.values()].filter((r) => r.posts !== 0);
}

const normFte = (t: string) => Number(t).toFixed(2);


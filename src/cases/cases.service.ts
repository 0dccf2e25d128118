import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { staleVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditAction, AuditActionName } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException, ErrorDetail } from '../common/errors/api-error';
import { DomainEventType } from '../events/domain-event';
import { OutboxService } from '../events/outbox.service';
import { ConstraintError, rethrowConstraint } from '../people/db-errors';
import { eliMissing } from '../people/dto/employee.dto';
import { Employee } from '../people/entities/employee.entity';
import { todayInLondon } from '../common/dates';
import { PensionScheme } from '../people/people.constants';
import { assertProgrammeVisible, canReadArea, readableAreas } from './case-access';
import { CASE_COLUMNS, CaseField, caseFields, CasePatch, CaseRecord, loadCase, selectCases, writeCase } from './case-record';
import { ChecklistItem, missingForStage } from './case-rules';
import { allowedNextStates, CaseRoute, CaseState, FINAL_STATES, stageOf, TRANSFER_ROUTES } from './case-state';
import { buildCaseResponses, loadContexts } from './case-view';
import { CaseTransitionChecks } from './case-transition-checks';
import { ROUTE_LABELS, STATE_LABELS } from './case-labels';
import {
  CaseFieldsDto,
  CasePage,
  CaseResponse,
  CaseTransitionResponse,
  ChecklistUpdateDto,
  CreateCaseDto,
  EliOverrideDto,
  ListCasesQuery,
  TransitionCaseDto,
  UpdateCaseDto,
} from './dto/case.dto';
import { CaseTransition } from './entities/case-transition.entity';

export const CASE_ENTITY = 'transition_case';

/** Why a planned change cannot be made: becomes the 4xx of a single change, or a blocked line in a bulk preview. */
export class CaseProblem {
  constructor(
    readonly status: HttpStatus,
    readonly message: string,
    readonly details: ErrorDetail[] = [],
    readonly extra?: Record<string, unknown>,
  ) {}

  toException(): ApiException {
    return new ApiException(this.status, this.message, this.details, this.extra);
  }
}

/** A change to plan: a set of field values, or a move to another state. */
export type CaseChange = { kind: 'fields'; patch: CasePatch } | { kind: 'transition'; to: CaseState; effectiveDate?: string; note?: string };

/** Database rules of transition_cases, named for the request field they concern. */
const CASE_RULES: Record<string, ConstraintError> = {
  transition_cases_one_per_person: { status: HttpStatus.CONFLICT, field: 'employeeId', message: 'This person already has a case in this programme' },
  transition_cases_post_fk: { status: HttpStatus.UNPROCESSABLE_ENTITY, field: 'postId', message: 'The post is not in this programme' },
  transition_cases_employee_id_fkey: { status: HttpStatus.UNPROCESSABLE_ENTITY, field: 'employeeId', message: 'No such employee' },
  transition_cases_host_organisation_id_fkey: { status: HttpStatus.UNPROCESSABLE_ENTITY, field: 'hostOrganisationId', message: 'No such organisation' },
  transition_cases_destination_organisation_id_fkey: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    field: 'destinationOrganisationId',
    message: 'No such organisation',
  },
  transition_cases_destination_post_id_fkey: { status: HttpStatus.UNPROCESSABLE_ENTITY, field: 'destinationPostId', message: 'No such post' },
  transition_cases_new_grade_id_fkey: { status: HttpStatus.UNPROCESSABLE_ENTITY, field: 'newGradeId', message: 'No such grade' },
  transition_cases_state_machine: { status: HttpStatus.CONFLICT, field: 'to', message: 'The state machine does not allow this change' },
  transition_cases_consultation_fk: { status: HttpStatus.UNPROCESSABLE_ENTITY, field: 'consultationId', message: 'The consultation is not in this programme' },
  transition_cases_reg13_before_effective: {
    status: HttpStatus.CONFLICT,
    field: 'checklist.measures_letter_issued',
    message: 'A transfer cannot become effective while its TUPE reg. 13 information is outstanding',
  },
  transition_cases_eli_before_effective: {
    status: HttpStatus.CONFLICT,
    field: 'checklist.eli_sent',
    message: 'A transfer cannot become effective before its ELI is recorded as sent',
  },
};

/** Fields of the create/update DTOs that map to case columns. */
const WRITABLE: CaseField[] = (Object.keys(CASE_COLUMNS) as CaseField[]).filter(
  (f) => !['state', 'heldFromState', 'eliOverrideReason', 'eliOverrideBy', 'eliOverrideAt', 'reg13OverrideReason', 'reg13OverrideBy', 'reg13OverrideAt'].includes(f),
);

export function patchFromDto(dto: CaseFieldsDto): CasePatch {
  const patch: Record<string, unknown> = {};
  for (const f of WRITABLE) {
    const v = (dto as Record<string, unknown>)[f];
    if (v !== undefined) patch[f] = v;
  }
  return patch as CasePatch;
}

@Injectable()
export class CasesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly transitionChecks: CaseTransitionChecks,
  ) {}

  // ---- reading ------------------------------------------------------------------------------

  async list(user: AuthUser, programmeId: string, q: ListCasesQuery): Promise<CasePage> {
    const em = this.db.manager;
    await assertProgrammeVisible(em, user, programmeId);
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const { where, params } = filterSql(programmeId, q, readableAreas(user));
    const [{ total }]: { total: number }[] = await em.query(`SELECT count(*)::int AS total FROM transition_cases c JOIN posts p ON p.id = c.post_id WHERE ${where}`, params);
    const rows = await selectCases(
      em,
      `c.id IN (SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id WHERE ${where})`,
      params,
      `ORDER BY (SELECT reference FROM posts WHERE id = c.post_id), c.id LIMIT ${limit} OFFSET ${offset}`,
    );
    return { items: await buildCaseResponses(em, rows, user, q.asOf ?? todayInLondon()), total, limit, offset };
  }

  async get(user: AuthUser, id: string, asOf?: string): Promise<CaseResponse> {
    const c = await this.readable(this.db.manager, user, id);
    return (await buildCaseResponses(this.db.manager, [c], user, asOf ?? todayInLondon()))[0];
  }

  async transitions(user: AuthUser, id: string): Promise<CaseTransitionResponse[]> {
    await this.readable(this.db.manager, user, id);
    const rows = await this.db.getRepository(CaseTransition).find({ where: { caseId: id }, order: { id: 'ASC' } });
    const staff = readableAreas(user) === 'all';
    return rows.map((t) => ({
      id: String(t.id),
      fromState: t.fromState,
      toState: t.toState,
      ...(staff ? { note: t.note } : {}),
      actorId: t.actorId,
      actorLabel: t.actorLabel,
      occurredAt: t.occurredAt.toISOString(),
    }));
  }

  /** A case the caller may read (404 otherwise, exactly as if it did not exist). */
  async readable(em: EntityManager, user: AuthUser, id: string, lock = false): Promise<CaseRecord> {
    const c = await loadCase(em, id, lock);
    if (!c) throw new NotFoundException('Case not found');
    const [{ area }]: { area: string }[] = await em.query(`SELECT thematic_area_id AS area FROM posts WHERE id = $1`, [c.postId]);
    if (!canReadArea(user, area)) throw new NotFoundException('Case not found');
    return c;
  }

  // ---- writing ------------------------------------------------------------------------------

  async create(user: AuthUser, programmeId: string, dto: CreateCaseDto): Promise<CaseResponse> {
    return this.db.transaction(async (em) => {
      await assertProgrammeVisible(em, user, programmeId);
      const employee = await em.getRepository(Employee).findOneBy({ id: dto.employeeId });
      if (!employee) throw ApiException.validation([{ field: 'employeeId', reason: 'is not an employee' }], 'Unknown employee');
      const posts: { programme_id: string }[] = await em.query(`SELECT programme_id FROM posts WHERE id = $1`, [dto.postId]);
      if (!posts.length || posts[0].programme_id !== programmeId) {
        throw ApiException.validation([{ field: 'postId', reason: 'is not a post of this programme' }], 'Unknown post');
      }
      const held = await em.query(`SELECT 1 FROM post_assignments WHERE post_id = $1 AND employee_id = $2 LIMIT 1`, [dto.postId, dto.employeeId]);
      if (!held.length) throw ApiException.validation([{ field: 'postId', reason: 'is not a post this employee holds or held' }], 'Not their post');

      const draft: CaseRecord = {
        ...emptyRecord(),
        programmeId,
        employeeId: dto.employeeId,
        postId: dto.postId,
        currentPensionScheme: employee.pensionScheme,
        ...patchFromDto(dto),
      };
      const after = withDefaults(draft, employee);
      await this.throwProblems(await this.checkRecord(em, null, after));

      const values = { ...caseFields(after), state: CaseState.Proposed, heldFromState: null } as Record<CaseField, unknown>;
      const cols = (Object.keys(values) as CaseField[]).filter((f) => values[f] !== null && values[f] !== undefined);
      let id: string;
      try {
        const [row]: { id: string }[] = await em.query(
          `INSERT INTO transition_cases (programme_id, employee_id, post_id, created_by, ${cols.map((f) => CASE_COLUMNS[f].column).join(', ')})
           VALUES ($1, $2, $3, $4, ${cols.map((_, i) => `$${i + 5}`).join(', ')}) RETURNING id`,
          [programmeId, dto.employeeId, dto.postId, user.id, ...cols.map((f) => values[f])],
        );
        id = row.id;
      } catch (err) {
        rethrowConstraint(err, CASE_RULES);
      }
      await em.query(`INSERT INTO case_transitions (case_id, from_state, to_state, note, actor_id, actor_label) VALUES ($1, NULL, 'proposed', $2, $3, $4)`, [
        id,
        'Case opened',
        user.id,
        user.email,
      ]);
      const created = (await loadCase(em, id))!;
      await this.audit.record(em, { action: AuditAction.Create, entityType: CASE_ENTITY, entityId: id, after: caseFields(created) });
      return (await buildCaseResponses(em, [created], user, todayInLondon()))[0];
    });
  }

  async update(user: AuthUser, id: string, dto: UpdateCaseDto): Promise<CaseResponse> {
    return this.db.transaction(async (em) => {
      const before = await this.lockedForChange(em, user, id, dto.version);
      const { patch, problems } = await this.plan(em, before, { kind: 'fields', patch: patchFromDto(dto) });
      await this.throwProblems(problems);
      const after = await this.apply(em, user, before, patch, { action: 'case.update' });
      return (await buildCaseResponses(em, [after], user, todayInLondon()))[0];
    });
  }

  async transition(user: AuthUser, id: string, dto: TransitionCaseDto): Promise<CaseResponse> {
    return this.db.transaction(async (em) => {
      const before = await this.lockedForChange(em, user, id, dto.version);
      const { patch, problems } = await this.plan(em, before, { kind: 'transition', to: dto.to, effectiveDate: dto.effectiveDate, note: dto.note });
      await this.throwProblems(problems);
      const after = await this.apply(em, user, before, patch, { action: AuditAction.StateChange, note: dto.note });
      return (await buildCaseResponses(em, [after], user, todayInLondon()))[0];
    });
  }

  async setChecklistItem(user: AuthUser, id: string, item: ChecklistItem, dto: ChecklistUpdateDto): Promise<CaseResponse> {
    return this.db.transaction(async (em) => {
      const before = await this.lockedForChange(em, user, id, dto.version, { allowFinal: true });
      const today = todayInLondon();
      const [current]: { doneOn: string | null; note: string | null }[] = await em.query(
        `SELECT done_on::text AS "doneOn", note FROM case_checklist_items WHERE case_id = $1 AND item = $2`,
        [id, item],
      );
      if (dto.done) {
        const doneOn = dto.doneOn ?? today;
        if (doneOn > today) throw ApiException.validation([{ field: 'doneOn', reason: `cannot be after today (${today})` }]);
        if (item === ChecklistItem.EliSent) {
          const employee = await em.getRepository(Employee).findOneByOrFail({ id: before.employeeId });
          const missing = eliMissing(employee);
          if (missing.length) {
            throw new ApiException(HttpStatus.CONFLICT, 'The employee record does not yet hold what ELI needs', [
              { field: 'done', reason: `ELI cannot have been sent complete: the employee record lacks ${missing.join(', ')}` },
            ]);
          }
        }
        await em.query(
          `UPDATE case_checklist_items SET done_on = $3, done_by = $4, done_by_label = $5, recorded_at = now(), note = $6 WHERE case_id = $1 AND item = $2`,
          [id, item, doneOn, user.id, user.email, dto.note ?? current.note],
        );
      } else {
        const moved = before.state === CaseState.Effective || before.state === CaseState.Completed;
        if (item === ChecklistItem.EliSent && moved && TRANSFER_ROUTES.includes(before.route) && !before.eliOverrideAt && current.doneOn) {
          throw new ApiException(HttpStatus.CONFLICT, 'The transfer took effect on the strength of ELI being sent; it cannot be unrecorded now', [
            { field: 'done', reason: 'ELI stays recorded as sent once the transfer is effective' },
          ]);
        }
        await em.query(
          `UPDATE case_checklist_items SET done_on = NULL, done_by = NULL, done_by_label = NULL, recorded_at = NULL, note = $3 WHERE case_id = $1 AND item = $2`,
          [id, item, dto.note ?? current.note],
        );
      }
      await writeCase(em, id, {});
      await this.audit.record(em, {
        action: 'case.checklist_item',
        entityType: CASE_ENTITY,
        entityId: id,
        before: { [item]: current.doneOn },
        after: { [item]: dto.done ? (dto.doneOn ?? today) : null },
        metadata: { item, note: dto.note ?? null },
      });
      const after = (await loadCase(em, id))!;
      return (await buildCaseResponses(em, [after], user, today))[0];
    });
  }

  /** An HR officer lets a transfer take effect without ELI recorded as sent, with a reason (audited). */
  async overrideEli(user: AuthUser, id: string, dto: EliOverrideDto): Promise<CaseResponse> {
    return this.db.transaction(async (em) => {
      const before = await this.lockedForChange(em, user, id, dto.version);
      if (!TRANSFER_ROUTES.includes(before.route)) {
        throw new ApiException(HttpStatus.CONFLICT, 'Only TUPE and COSOP transfers have an ELI deadline', [{ field: 'route', reason: `is ${before.route}` }]);
      }
      if (![...OPEN_OR_HELD].includes(before.state)) {
        throw new ApiException(HttpStatus.CONFLICT, `An ELI override is recorded before the transfer takes effect, not when the case is ${before.state}`, [
          { field: 'state', reason: `is ${before.state}` },
        ]);
      }
      if (await eliSent(em, id)) {
        throw new ApiException(HttpStatus.CONFLICT, 'ELI is recorded as sent: no override is needed', [{ field: 'checklist.eli_sent', reason: 'is done' }]);
      }
      const reason = dto.reason.trim();
      if (reason.length < 10) throw ApiException.validation([{ field: 'reason', reason: 'must be at least 10 characters' }]);
      const after = await this.apply(
        em,
        user,
        before,
        { eliOverrideReason: reason, eliOverrideBy: user.id, eliOverrideAt: new Date().toISOString() },
        { action: 'case.eli_override', metadata: { reason } },
      );
      return (await buildCaseResponses(em, [after], user, todayInLondon()))[0];
    });
  }

  /** An HR officer lets a transfer take effect while its reg. 13 information is outstanding, with a reason (audited). */
  async overrideReg13(user: AuthUser, id: string, dto: EliOverrideDto): Promise<CaseResponse> {
    return this.db.transaction(async (em) => {
      const before = await this.lockedForChange(em, user, id, dto.version);
      if (!TRANSFER_ROUTES.includes(before.route)) {
        throw new ApiException(HttpStatus.CONFLICT, 'Only TUPE and COSOP transfers have TUPE reg. 13 duties', [{ field: 'route', reason: `is ${before.route}` }]);
      }
      if (![...OPEN_OR_HELD].includes(before.state)) {
        throw new ApiException(HttpStatus.CONFLICT, `A reg. 13 override is recorded before the transfer takes effect, not when the case is ${before.state}`, [
          { field: 'state', reason: `is ${before.state}` },
        ]);
      }
      if (await checklistDone(em, id, ChecklistItem.MeasuresLetterIssued)) {
        throw new ApiException(HttpStatus.CONFLICT, 'The reg. 13 information is recorded as given: no override is needed', [
          { field: 'checklist.measures_letter_issued', reason: 'is done' },
        ]);
      }
      const reason = dto.reason.trim();
      if (reason.length < 10) throw ApiException.validation([{ field: 'reason', reason: 'must be at least 10 characters' }]);
      const after = await this.apply(
        em,
        user,
        before,
        { reg13OverrideReason: reason, reg13OverrideBy: user.id, reg13OverrideAt: new Date().toISOString() },
        { action: 'case.reg13_override', metadata: { reason } },
      );
      return (await buildCaseResponses(em, [after], user, todayInLondon()))[0];
    });
  }

  // ---- shared with bulk actions -------------------------------------------------------------

  /** Lock the case, check the caller's version, refuse final cases. */
  async lockedForChange(em: EntityManager, user: AuthUser, id: string, version: number, opts: { allowFinal?: boolean } = {}): Promise<CaseRecord> {
    const c = await this.readable(em, user, id, true);
    if (c.version !== version) {
      throw staleVersion('Case', c.version);
    }
    if (!opts.allowFinal && FINAL_STATES.includes(c.state)) {
      throw new ApiException(HttpStatus.CONFLICT, `A ${c.state} case cannot be changed`, [{ field: 'state', reason: `is ${c.state}` }]);
    }
    return c;
  }

  /**
   * What a change would write to a case, and why it cannot be made if it cannot: the state
   * machine (409 naming the allowed states), the ELI rule (409), what the stage requires (422).
   */
  async plan(em: EntityManager, before: CaseRecord, change: CaseChange): Promise<{ patch: CasePatch; problems: CaseProblem[] }> {
    if (FINAL_STATES.includes(before.state)) {
      return { patch: {}, problems: [new CaseProblem(HttpStatus.CONFLICT, `A ${before.state} case cannot be changed`, [{ field: 'state', reason: `is ${before.state}` }])] };
    }
    let patch: CasePatch;
    if (change.kind === 'transition') {
      const allowed = allowedNextStates(before.state, before.heldFromState);
      if (!allowed.includes(change.to)) {
        return {
          patch: { state: change.to },
          problems: [
            new CaseProblem(
              HttpStatus.CONFLICT,
              `A case cannot go from ${before.state} to ${change.to}; allowed next: ${allowed.join(', ') || 'none'}`,
              [{ field: 'to', reason: `must be one of: ${allowed.join(', ') || '(none: the case is final)'}` }],
              { allowed, currentState: before.state },
            ),
          ],
        };
      }
      patch = { state: change.to };
      if (change.effectiveDate !== undefined && change.to !== CaseState.Effective) {
        return { patch, problems: [new CaseProblem(HttpStatus.BAD_REQUEST, 'Validation failed', [{ field: 'effectiveDate', reason: 'is only given with to=effective' }])] };
      }
      if (change.to === CaseState.Effective) {
        const date = change.effectiveDate ?? before.actualEffectiveDate ?? before.proposedEffectiveDate;
        if (!date) {
          return {
            patch,
            problems: [new CaseProblem(HttpStatus.UNPROCESSABLE_ENTITY, 'The case has no effective date', [{ field: 'effectiveDate', reason: 'is required: the case has no proposed date' }])],
          };
        }
        if (date !== before.actualEffectiveDate) patch.actualEffectiveDate = date;
      }
    } else {
      patch = { ...change.patch }; // a copy: a bulk action plans the same change for many cases
    }

    const employee = await em.getRepository(Employee).findOneByOrFail({ id: before.employeeId });
    const after = withDefaults({ ...before, ...patch }, employee);
    for (const f of Object.keys(CASE_COLUMNS) as CaseField[]) {
      if (JSON.stringify(after[f]) !== JSON.stringify(before[f])) (patch as Record<string, unknown>)[f] = after[f];
      else delete (patch as Record<string, unknown>)[f];
    }
    if (patch.state !== undefined) after.heldFromState = patch.state === CaseState.OnHold ? before.state : null;

    const problems = await this.checkRecord(em, before, after);
    // Rules other features add (documents: "letters issued" needs the case's letter issued).
    if (!problems.length && patch.state !== undefined) {
      for (const r of await this.transitionChecks.refusals(em, { caseId: before.id, route: after.route, toState: patch.state })) {
        problems.push(new CaseProblem(HttpStatus.CONFLICT, r.message, r.details));
      }
    }
    if (
      !problems.length &&
      patch.state === CaseState.Effective &&
      TRANSFER_ROUTES.includes(after.route) &&
      !after.eliOverrideAt &&
      !(await eliSent(em, before.id))
    ) {
      problems.push(
        new CaseProblem(HttpStatus.CONFLICT, 'A transfer cannot become effective before its ELI is recorded as sent', [
          { field: 'checklist.eli_sent', reason: 'must be done (ELI sent at least 28 days before the transfer), or an HR officer records an ELI override with a reason' },
        ]),
      );
    }
    if (
      !problems.length &&
      patch.state === CaseState.Effective &&
      TRANSFER_ROUTES.includes(after.route) &&
      !after.reg13OverrideAt &&
      !(await checklistDone(em, before.id, ChecklistItem.MeasuresLetterIssued))
    ) {
      problems.push(
        new CaseProblem(HttpStatus.CONFLICT, 'A transfer cannot become effective while its TUPE reg. 13 information is outstanding', [
          {
            field: 'checklist.measures_letter_issued',
            reason:
              'must be done (the reg. 13 information and measures given to the representatives), or an HR officer records a reg. 13 override with a reason (exposure: up to 13 weeks’ pay, reg. 16)',
          },
        ]),
      );
    }
    return { patch, problems };
  }

  /** Write a planned change in the caller's transaction: the row, the state history, the event, the audit row. */
  async apply(
    em: EntityManager,
    user: AuthUser,
    before: CaseRecord,
    patch: CasePatch,
    opts: { action: AuditActionName; note?: string; metadata?: Record<string, unknown> },
  ): Promise<CaseRecord> {
    if (!Object.keys(patch).length) return before;
    try {
      await writeCase(em, before.id, patch);
    } catch (err) {
      rethrowConstraint(err, CASE_RULES);
    }
    const after = (await loadCase(em, before.id))!;
    if (patch.state !== undefined && patch.state !== before.state) {
      const [t]: { id: string }[] = await em.query(
        `INSERT INTO case_transitions (case_id, from_state, to_state, note, actor_id, actor_label) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [before.id, before.state, after.state, opts.note ?? null, user.id, user.email],
      );
      const ctx = (await loadContexts(em, [before.id])).get(before.id)!;
      // The facts of this moment; the notification layer decides what each recipient may see of them.
      await this.outbox.emit(em, {
        type: DomainEventType.CaseStateChanged,
        programmeId: before.programmeId,
        entityType: CASE_ENTITY,
        entityId: before.id,
        dedupeKey: `case.state_changed:${before.id}:${t.id}`,
        payload: {
          caseId: before.id,
          from: before.state,
          to: after.state,
          fromLabel: STATE_LABELS[before.state],
          toLabel: STATE_LABELS[after.state],
          route: after.route,
          routeLabel: ROUTE_LABELS[after.route],
          postId: after.postId,
          postReference: ctx.postReference,
          postTitle: ctx.postTitle,
          thematicAreaId: ctx.thematicAreaId,
          oldGrade: ctx.oldGradeCode,
          newGrade: ctx.newGradeCode,
          destination:
            after.route === CaseRoute.Secondment
              ? ctx.hostOrganisationName
              : after.route === CaseRoute.Leaves
                ? 'leaving the organisation'
                : ctx.destinationOrganisationName,
          effectiveDate: after.actualEffectiveDate ?? after.proposedEffectiveDate ?? after.secondmentStartDate ?? null,
          // The person by id only: no name in the stored event (see src/events/domain-event.ts).
          employeeId: after.employeeId,
        },
      });
    }
    await this.audit.record(em, {
      action: opts.action,
      entityType: CASE_ENTITY,
      entityId: before.id,
      before: caseFields(before),
      after: caseFields(after),
      metadata: { ...(opts.note ? { note: opts.note } : {}), ...(opts.metadata ?? {}) },
    });
    return after;
  }

  /** Rules a case must keep whatever the change (references, dates, its stage's requirements). */
  private async checkRecord(em: EntityManager, before: CaseRecord | null, after: CaseRecord): Promise<CaseProblem[]> {
    const details: ErrorDetail[] = [];
    const changed = (f: CaseField) => !before || JSON.stringify(before[f]) !== JSON.stringify(after[f]);
    const exists = async (sql: string, value: string | null) => !value || (await em.query(sql, [value])).length > 0;
    for (const f of ['hostOrganisationId', 'destinationOrganisationId'] as const) {
      if (changed(f) && !(await exists(`SELECT 1 FROM organisations WHERE id = $1`, after[f]))) details.push({ field: f, reason: 'is not an organisation' });
    }
    if (changed('destinationPostId') && !(await exists(`SELECT 1 FROM posts WHERE id = $1`, after.destinationPostId))) {
      details.push({ field: 'destinationPostId', reason: 'is not a post' });
    }
    if (after.destinationPostId && after.destinationPostId === after.postId) details.push({ field: 'destinationPostId', reason: "is the person's current post" });
    if (changed('newGradeId') && !(await exists(`SELECT 1 FROM grades WHERE id = $1`, after.newGradeId))) details.push({ field: 'newGradeId', reason: 'is not a grade' });
    if (after.legalBasis && !after.legalAdviceReference) {
      details.push({ field: 'legalAdviceReference', reason: 'is required with a legal basis (the basis is recorded on legal advice)' });
    }
    if (after.secondmentStartDate && after.secondmentEndDate && after.secondmentEndDate <= after.secondmentStartDate) {
      details.push({ field: 'secondmentEndDate', reason: 'must be after secondmentStartDate' });
    }
    if (after.secondmentReviewDate) {
      if (after.secondmentStartDate && after.secondmentReviewDate < after.secondmentStartDate) details.push({ field: 'secondmentReviewDate', reason: 'must be on or after secondmentStartDate' });
      if (after.secondmentEndDate && after.secondmentReviewDate > after.secondmentEndDate) details.push({ field: 'secondmentReviewDate', reason: 'must be on or before secondmentEndDate' });
    }
    details.push(...(await this.statutoryChecks(em, after, changed)));
    if (before && before.route !== after.route && [CaseState.Effective, CaseState.Completed].includes(stageOf(before.state, before.heldFromState))) {
      details.push({ field: 'route', reason: `cannot change once the case is ${before.state}: the move has taken place` });
    }
    if (details.length) return [new CaseProblem(HttpStatus.UNPROCESSABLE_ENTITY, 'The case would not be consistent', details)];
    const missing = missingForStage(after);
    if (missing.length) {
      const stage = stageOf(after.state, after.heldFromState);
      return [new CaseProblem(HttpStatus.UNPROCESSABLE_ENTITY, `The case lacks what it needs once ${stage}`, missing)];
    }
    return [];
  }

  /**
   * The rules of issue 13 a change must keep: the linked consultation, pay protection against the
   * transfer, the new grade on the destination's scale, the pension arrangement against the scheme
   * and the destination. Checked when a field they rest on changes (old data does not block others).
   */
  private async statutoryChecks(em: EntityManager, after: CaseRecord, changed: (f: CaseField) => boolean): Promise<ErrorDetail[]> {
    const out: ErrorDetail[] = [];
    const transfer = TRANSFER_ROUTES.includes(after.route);
    const transferDate = after.actualEffectiveDate ?? after.proposedEffectiveDate;
    if (changed('consultationId') && after.consultationId) {
      const [k]: { programme_id: string; kind: string }[] = await em.query(`SELECT programme_id, kind FROM consultations WHERE id = $1`, [after.consultationId]);
      if (!k) out.push({ field: 'consultationId', reason: 'is not a consultation' });
      else if (k.programme_id !== after.programmeId) out.push({ field: 'consultationId', reason: "is a consultation of another programme" });
      else if (k.kind === 'informal_engagement') out.push({ field: 'consultationId', reason: 'is an informal engagement, not a statutory consultation (TUPE reg. 13 or TULRCA s.188)' });
    }
    if (after.payProtectionUntil && transferDate && (changed('payProtectionUntil') || changed('proposedEffectiveDate') || changed('actualEffectiveDate'))) {
      if (after.payProtectionUntil < transferDate) {
        out.push({ field: 'payProtectionUntil', reason: `must not end before the transfer on ${transferDate} (it ends ${after.payProtectionUntil})` });
      }
    }
    if (transfer && after.newGradeId && after.destinationOrganisationId && (changed('newGradeId') || changed('destinationOrganisationId'))) {
      const [g]: { organisation_id: string; code: string }[] = await em.query(`SELECT organisation_id, code FROM grades WHERE id = $1`, [after.newGradeId]);
      if (g && g.organisation_id !== after.destinationOrganisationId) {
        const [org]: { name: string }[] = await em.query(`SELECT name FROM organisations WHERE id = $1`, [after.destinationOrganisationId]);
        out.push({ field: 'newGradeId', reason: `${g.code} is not on the pay scale of the destination organisation ${org?.name ?? ''}`.trim() });
      }
    }
    if (changed('pensionArrangement') || changed('currentPensionScheme') || changed('destinationOrganisationId') || changed('staysInLgps')) {
      out.push(...(await pensionProblems(em, after)));
    }
    return out;
  }

  private async throwProblems(problems: CaseProblem[]): Promise<void> {
    if (problems.length) throw problems[0].toException();
  }
}

const OPEN_OR_HELD: readonly CaseState[] = [CaseState.Proposed, CaseState.InConsultation, CaseState.Agreed, CaseState.LettersIssued, CaseState.OnHold];

async function checklistDone(em: EntityManager, caseId: string, item: ChecklistItem): Promise<boolean> {
  const rows = await em.query(`SELECT 1 FROM case_checklist_items WHERE case_id = $1 AND item = $2 AND done_on IS NOT NULL`, [caseId, item]);
  return rows.length > 0;
}

async function eliSent(em: EntityManager, caseId: string): Promise<boolean> {
  const rows = await em.query(`SELECT 1 FROM case_checklist_items WHERE case_id = $1 AND item = 'eli_sent' AND done_on IS NOT NULL`, [caseId]);
  return rows.length > 0;
}

/**
 * Defaults that follow from the route and the person: a secondee who is in the LGPS stays in it;
 * a transfer records the scheme the person is in before the move.
 */
function withDefaults(c: CaseRecord, employee: Employee): CaseRecord {
  const out = { ...c };
  if (out.route === CaseRoute.Secondment && out.staysInLgps === null && employee.pensionScheme) out.staysInLgps = employee.pensionScheme === PensionScheme.Lgps;
  if (TRANSFER_ROUTES.includes(out.route) && out.currentPensionScheme === null) out.currentPensionScheme = employee.pensionScheme;
  return out;
}

/** The pension arrangement against the scheme the person is in and the destination (a clear reason, naming the field). */
async function pensionProblems(em: EntityManager, c: CaseRecord): Promise<ErrorDetail[]> {
  const out: ErrorDetail[] = [];
  if (c.route === CaseRoute.Secondment && c.staysInLgps === true && c.currentPensionScheme && c.currentPensionScheme !== PensionScheme.Lgps) {
    out.push({ field: 'staysInLgps', reason: `cannot be true: the person is in ${c.currentPensionScheme}, not the LGPS` });
  }
  if (!TRANSFER_ROUTES.includes(c.route) || !c.pensionArrangement) return out;
  if (c.pensionArrangement === 'lgps_continued' && c.currentPensionScheme && c.currentPensionScheme !== PensionScheme.Lgps) {
    out.push({ field: 'pensionArrangement', reason: `lgps_continued contradicts the current scheme ${c.currentPensionScheme}: only an LGPS member can continue in the LGPS` });
  }
  if (c.pensionArrangement === 'no_scheme' && c.currentPensionScheme && c.currentPensionScheme !== 'none') {
    out.push({
      field: 'pensionArrangement',
      reason: `no_scheme leaves a member of ${c.currentPensionScheme} without a pension: a public sector transfer protects it (Fair Deal); record the arrangement agreed`,
    });
  }
  if (c.pensionArrangement === 'nhs_pension_scheme' && c.destinationOrganisationId) {
    const [org]: { kind: string; name: string }[] = await em.query(`SELECT kind, name FROM organisations WHERE id = $1`, [c.destinationOrganisationId]);
    if (org && !['ccg', 'merged_ccg'].includes(org.kind)) {
      out.push({ field: 'pensionArrangement', reason: `nhs_pension_scheme needs an NHS employer, but the destination ${org.name} is a ${org.kind.replace(/_/g, ' ')}` });
    }
  }
  return out;
}

function emptyRecord(): CaseRecord {
  const out = { id: '', programmeId: '', employeeId: '', postId: '', version: 0, createdAt: '', updatedAt: '' } as CaseRecord;
  for (const f of Object.keys(CASE_COLUMNS) as CaseField[]) (out as unknown as Record<string, unknown>)[f] = null;
  out.route = CaseRoute.Undecided;
  out.state = CaseState.Proposed;
  return out;
}

/** WHERE clause over `transition_cases c JOIN posts p` for a programme, a filter and the caller's areas. */
export function filterSql(
  programmeId: string,
  f: { state?: CaseState[]; route?: CaseRoute[]; thematicAreaId?: string[]; caseIds?: string[] },
  areas: 'all' | string[],
): { where: string; params: unknown[] } {
  const params: unknown[] = [programmeId];
  const parts = ['c.programme_id = $1'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    parts.push(sql.replace('?', `$${params.length}`));
  };
  if (f.state?.length) add('c.state = ANY(?::text[])', f.state);
  if (f.route?.length) add('c.route = ANY(?::text[])', f.route);
  if (f.thematicAreaId?.length) add('p.thematic_area_id = ANY(?::uuid[])', f.thematicAreaId);
  if (f.caseIds?.length) add('c.id = ANY(?::uuid[])', f.caseIds);
  if (areas !== 'all') add('p.thematic_area_id = ANY(?::uuid[])', areas);
  return { where: parts.join(' AND '), params };
}

import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { daysBetween } from '../common/dates';
import { CaseRecord, selectCases } from './case-record';
import { DeadlineRow, loadCaseDeadlines } from './case-deadlines';
import { REG16_MAX_WEEKS, RULES, RuleId } from '../statutory/rules';
import { ChecklistItem, CHECKLIST_ITEMS, deadlineStatus, REMINDER_KINDS } from './case-rules';
import { allowedNextStates, TRANSFER_ROUTES } from './case-state';
import { CaseResponse, ChecklistItemResponse, DeadlineResponse } from './dto/case.dto';

/** What a case response needs beyond the case row: the person, the post, grades, names. */
export interface CaseContext {
  id: string;
  staffNumber: string;
  firstName: string;
  lastName: string;
  workEmail: string | null;
  postReference: string;
  postTitle: string;
  thematicAreaId: string;
  thematicAreaName: string;
  oldGradeId: string;
  oldGradeCode: string;
  newGradeId: string | null;
  newGradeCode: string | null;
  hostOrganisationName: string | null;
  destinationOrganisationName: string | null;
  destinationPostReference: string | null;
  eliOverrideByLabel: string | null;
  reg13OverrideByLabel: string | null;
  fte: number | null;
  annualPay: number | null;
  consultationTitle: string | null;
  consultationStart: string | null;
  consultationEnd: string | null;
  mappedGradeId: string | null;
  mappedGradeCode: string | null;
}

export type { DeadlineRow } from './case-deadlines';

interface ChecklistRow {
  caseId: string;
  item: ChecklistItem;
  doneOn: string | null;
  doneBy: string | null;
  doneByLabel: string | null;
  recordedAt: Date | null;
  note: string | null;
}

export const CONTEXT_SQL = `
  SELECT c.id, e.staff_number AS "staffNumber", e.first_name AS "firstName", e.last_name AS "lastName", e.work_email AS "workEmail",
         p.reference AS "postReference", p.title AS "postTitle", p.thematic_area_id AS "thematicAreaId", ta.name AS "thematicAreaName",
         og.id AS "oldGradeId", og.code AS "oldGradeCode", ng.id AS "newGradeId", ng.code AS "newGradeCode",
         ho.name AS "hostOrganisationName", dorg.name AS "destinationOrganisationName", dp.reference AS "destinationPostReference",
         ou.email AS "eliOverrideByLabel", ru.email AS "reg13OverrideByLabel", e.annual_pay::float8 AS "annualPay",
         k.title AS "consultationTitle", k.start_date::text AS "consultationStart", coalesce(k.closed_on, k.planned_end_date)::text AS "consultationEnd",
         mg.id AS "mappedGradeId", mg.code AS "mappedGradeCode",
         (SELECT a.fte::float8 FROM post_assignments a WHERE a.post_id = c.post_id AND a.employee_id = c.employee_id
           ORDER BY a.starts_on DESC, a.id LIMIT 1) AS fte
  FROM transition_cases c
  JOIN employees e ON e.id = c.employee_id
  JOIN posts p ON p.id = c.post_id
  JOIN thematic_areas ta ON ta.id = p.thematic_area_id
  JOIN grades og ON og.id = p.grade_id
  LEFT JOIN posts dp ON dp.id = c.destination_post_id
  LEFT JOIN grades ng ON ng.id = coalesce(c.new_grade_id, dp.grade_id)
  LEFT JOIN organisations ho ON ho.id = c.host_organisation_id
  LEFT JOIN organisations dorg ON dorg.id = c.destination_organisation_id
  LEFT JOIN users ou ON ou.id = c.eli_override_by
  LEFT JOIN users ru ON ru.id = c.reg13_override_by
  LEFT JOIN consultations k ON k.id = c.consultation_id
  LEFT JOIN programme_grade_mappings gm ON gm.programme_id = c.programme_id AND gm.from_grade_id = p.grade_id
  LEFT JOIN grades mg ON mg.id = gm.to_grade_id`;

export async function loadContexts(em: EntityManager, ids: string[]): Promise<Map<string, CaseContext>> {
  if (!ids.length) return new Map();
  const rows: CaseContext[] = await em.query(`${CONTEXT_SQL} WHERE c.id = ANY($1::uuid[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r]));
}

/** The deadlines of a programme's cases (or of one case), computed by the statutory rules from the cases' data. */
export async function loadDeadlines(em: EntityManager, programmeId: string, caseId?: string): Promise<DeadlineRow[]> {
  return loadCaseDeadlines(em, programmeId, caseId);
}

async function loadChecklists(em: EntityManager, ids: string[]): Promise<ChecklistRow[]> {
  if (!ids.length) return [];
  return em.query(
    `SELECT case_id AS "caseId", item, done_on::text AS "doneOn", done_by AS "doneBy", done_by_label AS "doneByLabel", recorded_at AS "recordedAt", note
     FROM case_checklist_items WHERE case_id = ANY($1::uuid[])`,
    [ids],
  );
}

const isStaff = (user: AuthUser) => user.role === Role.Admin || user.role === Role.HrOfficer;

export function deadlineResponse(d: DeadlineRow, today: string): DeadlineResponse {
  // As it stood on `today`: what was done later was not done yet.
  const doneOn = d.doneOn && d.doneOn <= today ? d.doneOn : null;
  return {
    kind: d.kind,
    dueOn: d.dueOn,
    status: deadlineStatus(d.dueOn, doneOn, today, { dueWindowDays: d.dueWindowDays, reminder: REMINDER_KINDS.includes(d.kind) }),
    daysLeft: daysBetween(today, d.dueOn),
    basis: d.basis,
    note: d.note,
    citation: d.citation,
    ruleId: d.ruleId,
    dayOfWeek: d.calendar.dayOfWeek,
    nonWorkingDay: d.calendar.nonWorkingDay,
    nonWorkingReason: d.calendar.nonWorkingReason,
    sendBy: d.calendar.sendBy,
    doneOn,
    late: doneOn ? doneOn > d.dueOn : null,
    problem: d.problem,
    consultationId: d.consultationId,
  };
}

/**
 * Full responses for cases of one programme, in the order given. Managers see what HR sees
 * except case notes and checklist notes; tu_reps never reach this (counts only).
 */
export async function buildCaseResponses(em: EntityManager, cases: CaseRecord[], user: AuthUser, today: string): Promise<CaseResponse[]> {
  if (!cases.length) return [];
  const ids = cases.map((c) => c.id);
  const programmes = [...new Set(cases.map((c) => c.programmeId))];
  // One after the other: a transaction's queries share one connection.
  const contexts = await loadContexts(em, ids);
  const checklists = await loadChecklists(em, ids);
  const deadlines: DeadlineRow[] = [];
  for (const p of programmes) deadlines.push(...(await loadDeadlines(em, p, ids.length === 1 ? ids[0] : undefined)));
  const staff = isStaff(user);
  return cases.map((c) => {
    const x = contexts.get(c.id)!;
    const checklist: ChecklistItemResponse[] = CHECKLIST_ITEMS.map((item) => {
      const r = checklists.find((k) => k.caseId === c.id && k.item === item);
      return {
        item,
        done: Boolean(r?.doneOn),
        doneOn: r?.doneOn ?? null,
        doneByUserId: r?.doneBy ?? null,
        doneByLabel: r?.doneByLabel ?? null,
        recordedAt: r?.recordedAt ? new Date(r.recordedAt).toISOString() : null,
        ...(staff ? { note: r?.note ?? null } : {}),
      };
    });
    return {
      id: c.id,
      programmeId: c.programmeId,
      version: c.version,
      state: c.state,
      heldFromState: c.heldFromState,
      allowedTransitions: allowedNextStates(c.state, c.heldFromState),
      route: c.route,
      employee: { id: c.employeeId, staffNumber: x.staffNumber, firstName: x.firstName, lastName: x.lastName, workEmail: x.workEmail },
      post: { id: c.postId, reference: x.postReference, title: x.postTitle, thematicAreaId: x.thematicAreaId, thematicAreaName: x.thematicAreaName },
      fte: x.fte,
      oldGrade: { id: x.oldGradeId, code: x.oldGradeCode },
      newGrade: x.newGradeId ? { id: x.newGradeId, code: x.newGradeCode!, source: c.newGradeId ? 'recorded' : 'destination_post' } : null,
      proposedEffectiveDate: c.proposedEffectiveDate,
      actualEffectiveDate: c.actualEffectiveDate,
      secondment: {
        hostOrganisationId: c.hostOrganisationId,
        hostOrganisationName: x.hostOrganisationName,
        startDate: c.secondmentStartDate,
        endDate: c.secondmentEndDate,
        reviewDate: c.secondmentReviewDate,
        reviewedOn: c.secondmentReviewedOn,
        rechargePercent: c.rechargePercent,
        staysInLgps: c.staysInLgps,
      },
      transfer: {
        destinationOrganisationId: c.destinationOrganisationId,
        destinationOrganisationName: x.destinationOrganisationName,
        destinationPostId: c.destinationPostId,
        destinationPostReference: x.destinationPostReference,
        legalBasis: c.legalBasis,
        legalAdviceReference: c.legalAdviceReference,
        currentPensionScheme: c.currentPensionScheme,
        pensionArrangement: c.pensionArrangement,
        payProtectionUntil: c.payProtectionUntil,
      },
      eliOverride:
        c.eliOverrideAt && c.eliOverrideReason && c.eliOverrideBy
          ? { reason: c.eliOverrideReason, byUserId: c.eliOverrideBy, byLabel: x.eliOverrideByLabel ?? 'unknown', at: c.eliOverrideAt }
          : null,
      reg13Override:
        c.reg13OverrideAt && c.reg13OverrideReason && c.reg13OverrideBy
          ? { reason: c.reg13OverrideReason, byUserId: c.reg13OverrideBy, byLabel: x.reg13OverrideByLabel ?? 'unknown', at: c.reg13OverrideAt }
          : null,
      consultation: c.consultationId
        ? { id: c.consultationId, title: x.consultationTitle!, startDate: x.consultationStart!, endDate: x.consultationEnd! }
        : null,
      gradeMapping: x.mappedGradeId ? { fromGradeCode: x.oldGradeCode, toGradeId: x.mappedGradeId, toGradeCode: x.mappedGradeCode! } : null,
      reg16Exposure: TRANSFER_ROUTES.includes(c.route)
        ? {
            maxWeeksPay: REG16_MAX_WEEKS,
            citation: RULES[RuleId.TupeReg16Award].citation,
            ...(staff ? { maxAmount: x.annualPay !== null ? Math.round((x.annualPay / 52) * REG16_MAX_WEEKS * 100) / 100 : null } : {}),
          }
        : null,
      asOf: today,
      deadlines: deadlines.filter((d) => d.caseId === c.id).map((d) => deadlineResponse(d, today)),
      checklist,
      ...(staff ? { notes: c.notes } : {}),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  });
}

/** Re-read cases by id, as records (for responses after a change). */
export async function reloadCases(em: EntityManager, ids: string[]): Promise<CaseRecord[]> {
  const rows = await selectCases(em, 'c.id = ANY($1::uuid[])', [ids]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}

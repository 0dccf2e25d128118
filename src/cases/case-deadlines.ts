import type { EntityManager } from 'typeorm';
import { asDivision, calendarFlags, CalendarFlags } from '../statutory/calendar';
import { eliDue, payProtectionExpiry, reg13ConsultationEnd, reg13InformationDue, secondmentReviewDue } from '../statutory/rules';
import { DeadlineKind } from './case-rules';
import { CaseRoute, TRANSFER_ROUTES } from './case-state';

/**
 * The deadlines of cases, computed in TypeScript by the statutory rules (src/statutory/rules.ts)
 * from each case's own data and the consultation explicitly linked to it: nothing else (no other
 * consultation, no later change in the law) can move them. Computed on every read, so they follow
 * any date they hang on whichever path moves it.
 */
export interface DeadlineRow {
  caseId: string;
  programmeId: string;
  kind: DeadlineKind;
  dueOn: string;
  basis: string;
  note: string;
  citation: string;
  ruleId: string;
  doneOn: string | null;
  consultationId: string | null;
  /** A breach the data already shows (e.g. the consultation ends on or after the transfer). */
  problem: string | null;
  /** Status turns "due" this many days before (default 7). */
  dueWindowDays?: number;
  calendar: CalendarFlags;
}

export interface CaseDeadlineFacts {
  caseId: string;
  programmeId: string;
  route: CaseRoute;
  state: string;
  proposedEffectiveDate: string | null;
  actualEffectiveDate: string | null;
  secondmentStartDate: string | null;
  secondmentEndDate: string | null;
  secondmentReviewDate: string | null;
  secondmentReviewedOn: string | null;
  payProtectionUntil: string | null;
  consultationId: string | null;
  consultationStart: string | null;
  consultationEnd: string | null;
  reg13InformationDays: number;
  division: string;
  /** The day of the first final ELI release covering the case (src/documents/eli), or null. */
  eliDone: string | null;
  letterDone: string | null;
}

const FACTS_SQL = `
  SELECT tc.id AS "caseId", tc.programme_id AS "programmeId", tc.route, tc.state,
         tc.proposed_effective_date::text AS "proposedEffectiveDate", tc.actual_effective_date::text AS "actualEffectiveDate",
         tc.secondment_start_date::text AS "secondmentStartDate", tc.secondment_end_date::text AS "secondmentEndDate",
         tc.secondment_review_date::text AS "secondmentReviewDate", tc.secondment_reviewed_on::text AS "secondmentReviewedOn",
         tc.pay_protection_until::text AS "payProtectionUntil",
         tc.consultation_id AS "consultationId", k.start_date::text AS "consultationStart",
         coalesce(k.closed_on, k.planned_end_date)::text AS "consultationEnd",
         pr.reg13_information_days AS "reg13InformationDays", o.bank_holiday_division AS division,
         eli.done_on::text AS "eliDone", letter.done_on::text AS "letterDone"
  FROM transition_cases tc
  JOIN programmes pr ON pr.id = tc.programme_id
  JOIN posts p ON p.id = tc.post_id
  JOIN organisations o ON o.id = p.organisation_id
  LEFT JOIN consultations k ON k.id = tc.consultation_id
  LEFT JOIN LATERAL (
    -- The ELI deadline is met only by a recorded final release covering the case (issue 15): the
    -- "ELI sent" checklist item is HR's own note and no longer counts.
    SELECT min(r.released_on) AS done_on FROM eli_release_cases rc JOIN eli_releases r ON r.id = rc.release_id
     WHERE rc.case_id = tc.id AND r.kind = 'final') eli ON true
  LEFT JOIN case_checklist_items letter ON letter.case_id = tc.id AND letter.item = 'measures_letter_issued'
  WHERE tc.state <> 'withdrawn'`;

export async function loadDeadlineFacts(em: EntityManager, filter: { programmeId?: string | null; caseId?: string | null }): Promise<CaseDeadlineFacts[]> {
  return em.query(`${FACTS_SQL} AND ($1::uuid IS NULL OR tc.programme_id = $1) AND ($2::uuid IS NULL OR tc.id = $2)`, [
    filter.programmeId ?? null,
    filter.caseId ?? null,
  ]);
}

/** Every deadline of one case. */
export function caseDeadlines(f: CaseDeadlineFacts): DeadlineRow[] {
  const out: DeadlineRow[] = [];
  const division = asDivision(f.division);
  const push = (r: Omit<DeadlineRow, 'caseId' | 'programmeId' | 'calendar'>) =>
    out.push({ caseId: f.caseId, programmeId: f.programmeId, ...r, calendar: calendarFlags(r.dueOn, division) });

  if (TRANSFER_ROUTES.includes(f.route)) {
    const transferDate = f.actualEffectiveDate ?? f.proposedEffectiveDate;
    const basis = f.actualEffectiveDate ? 'actual_effective_date' : 'proposed_effective_date';
    if (transferDate) {
      const eli = eliDue(transferDate);
      push({ kind: DeadlineKind.Eli, dueOn: eli.dueOn, basis, note: eli.note, citation: eli.rule.citation, ruleId: eli.rule.id, doneOn: f.eliDone, consultationId: null, problem: null });
      const info = reg13InformationDue(transferDate, f.consultationStart, f.reg13InformationDays);
      push({
        kind: DeadlineKind.MeasuresLetter,
        dueOn: info.dueOn,
        basis: info.basis,
        note: info.note,
        citation: info.rule.citation,
        ruleId: info.rule.id,
        doneOn: f.letterDone,
        consultationId: f.consultationId,
        problem: null,
      });
      if (f.consultationEnd) {
        const end = reg13ConsultationEnd(transferDate, f.consultationEnd);
        push({
          kind: DeadlineKind.ConsultationEndsBeforeTransfer,
          dueOn: end.dueOn,
          basis,
          note: end.note,
          citation: end.rule.citation,
          ruleId: end.rule.id,
          doneOn: end.problem ? null : f.consultationEnd,
          consultationId: f.consultationId,
          problem: end.problem,
        });
      }
    }
    if (f.payProtectionUntil) {
      const pp = payProtectionExpiry(f.payProtectionUntil);
      push({
        kind: DeadlineKind.PayProtectionExpiry,
        dueOn: pp.dueOn,
        basis: 'pay_protection_until',
        note: pp.note,
        citation: pp.rule.citation,
        ruleId: pp.rule.id,
        doneOn: null,
        consultationId: null,
        problem: null,
        dueWindowDays: 90,
      });
    }
  }
  if (f.route === CaseRoute.Secondment) {
    const review = secondmentReviewDue({ startDate: f.secondmentStartDate, endDate: f.secondmentEndDate, reviewDate: f.secondmentReviewDate });
    if (review) {
      push({
        kind: DeadlineKind.SecondmentReview,
        dueOn: review.dueOn,
        basis: review.basis,
        note: review.note,
        citation: review.rule.citation,
        ruleId: review.rule.id,
        doneOn: f.secondmentReviewedOn,
        consultationId: null,
        problem: null,
      });
    }
  }
  return out;
}

/** The deadlines of a programme's cases (or of one case, or of every case with programmeId null), by date. */
export async function loadCaseDeadlines(em: EntityManager, programmeId: string | null, caseId?: string): Promise<DeadlineRow[]> {
  const facts = await loadDeadlineFacts(em, { programmeId, caseId });
  return facts.flatMap(caseDeadlines).sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.kind.localeCompare(b.kind));
}

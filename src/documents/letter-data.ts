import { HttpStatus, NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ApiException } from '../common/errors/api-error';
import { govDate } from '../web/filters';
import { DocumentKind } from './document-kinds';

const PENSION_SCHEME: Record<string, string> = {
  lgps: 'Local Government Pension Scheme',
  nhs_pension_scheme: 'NHS Pension Scheme',
  none: 'no pension scheme',
};
const PENSION_ARRANGEMENT: Record<string, string> = {
  lgps_continued: 'continued membership of the Local Government Pension Scheme',
  nhs_pension_scheme: 'membership of the NHS Pension Scheme',
  broadly_comparable_scheme: 'a broadly comparable pension scheme',
  no_scheme: 'no pension scheme',
  to_be_agreed: 'to be agreed',
};

export interface CaseLetterFacts {
  caseId: string;
  programmeId: string;
  route: string;
  state: string;
  areaId: string;
  employeeName: string;
  firstName: string;
  staffNumber: string;
  workEmail: string | null;
  postReference: string;
  postTitle: string;
  areaName: string;
  programme: string;
  employer: string;
  destination: string | null;
  host: string | null;
  oldGrade: string;
  newGrade: string | null;
  effectiveDate: string | null;
  currentPensionScheme: string | null;
  pensionArrangement: string | null;
  legalBasis: string | null;
  payProtectionUntil: string | null;
  secondmentStartDate: string | null;
  secondmentEndDate: string | null;
  secondmentReviewDate: string | null;
  rechargePercent: number | null;
  staysInLgps: boolean | null;
}

export async function loadCaseLetterFacts(em: EntityManager, caseId: string): Promise<CaseLetterFacts> {
  const [row]: CaseLetterFacts[] = await em.query(
    `SELECT c.id AS "caseId", c.programme_id AS "programmeId", c.route, c.state, p.thematic_area_id AS "areaId",
            e.first_name || ' ' || e.last_name AS "employeeName", e.first_name AS "firstName", e.staff_number AS "staffNumber", e.work_email AS "workEmail",
            p.reference AS "postReference", p.title AS "postTitle", ta.name AS "areaName", pr.name AS programme,
            src.name AS employer, coalesce(dst.name, pdst.name) AS destination, host.name AS host,
            g.code AS "oldGrade", ng.code AS "newGrade",
            coalesce(c.actual_effective_date, c.proposed_effective_date)::text AS "effectiveDate",
            coalesce(c.current_pension_scheme, e.pension_scheme) AS "currentPensionScheme", c.pension_arrangement AS "pensionArrangement",
            c.legal_basis AS "legalBasis", c.pay_protection_until::text AS "payProtectionUntil",
            c.secondment_start_date::text AS "secondmentStartDate", c.secondment_end_date::text AS "secondmentEndDate",
            c.secondment_review_date::text AS "secondmentReviewDate", c.recharge_percent::float8 AS "rechargePercent", c.stays_in_lgps AS "staysInLgps"
       FROM transition_cases c
       JOIN employees e ON e.id = c.employee_id
       JOIN posts p ON p.id = c.post_id
       JOIN thematic_areas ta ON ta.id = p.thematic_area_id
       JOIN grades g ON g.id = p.grade_id
       JOIN programmes pr ON pr.id = c.programme_id
       JOIN organisations src ON src.id = p.organisation_id
       JOIN organisations pdst ON pdst.id = pr.destination_organisation_id
       LEFT JOIN organisations dst ON dst.id = c.destination_organisation_id
       LEFT JOIN organisations host ON host.id = coalesce(c.host_organisation_id, pr.destination_organisation_id)
       LEFT JOIN grades ng ON ng.id = c.new_grade_id
      WHERE c.id = $1`,
    [caseId],
  );
  if (!row) throw new NotFoundException('Case not found');
  return row;
}

/** The data a case letter is rendered from (kept, as JSON, with the issued document). */
export function caseLetterData(kind: DocumentKind, f: CaseLetterFacts, today: string, signatory: string): Record<string, unknown> {
  const missing: string[] = [];
  if (kind === DocumentKind.TransferLetter) {
    if (f.route !== 'tupe_transfer' && f.route !== 'cosop_transfer') {
      throw new ApiException(HttpStatus.CONFLICT, 'A transfer letter is for a TUPE or COSOP transfer', [{ field: 'kind', reason: `the case's route is ${f.route}` }]);
    }
    // Without a new grade the person keeps theirs; without an agreed pension the letter says "to be agreed".
    if (!f.effectiveDate) missing.push('proposedEffectiveDate');
  }
  if (kind === DocumentKind.SecondmentAgreement) {
    if (f.route !== 'secondment') throw new ApiException(HttpStatus.CONFLICT, 'A secondment agreement is for a secondment', [{ field: 'kind', reason: `the case's route is ${f.route}` }]);
    if (!f.secondmentStartDate) missing.push('secondmentStartDate');
    if (!f.secondmentEndDate) missing.push('secondmentEndDate');
  }
  if (missing.length) {
    throw new ApiException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'The case lacks what the letter needs',
      missing.map((field) => ({ field: `case.${field}`, reason: 'is required for this letter' })),
    );
  }
  return {
    today: govDate(today),
    programme: f.programme,
    employer: f.employer,
    destination: f.destination ?? '',
    signatory,
    employee: { name: f.employeeName, firstName: f.firstName, staffNumber: f.staffNumber },
    post: { reference: f.postReference, title: f.postTitle, area: f.areaName },
    oldGrade: f.oldGrade,
    newGrade: f.newGrade ?? f.oldGrade,
    effectiveDate: govDate(f.effectiveDate),
    currentPensionScheme: PENSION_SCHEME[f.currentPensionScheme ?? ''] ?? 'not recorded',
    pensionArrangement: PENSION_ARRANGEMENT[f.pensionArrangement ?? ''] ?? (f.staysInLgps ? PENSION_ARRANGEMENT.lgps_continued : 'to be agreed'),
    legalBasis: f.legalBasis ?? '',
    isTupe: f.route === 'tupe_transfer',
    isCosop: f.route === 'cosop_transfer',
    isSecondment: f.route === 'secondment',
    hasPayProtection: !!f.payProtectionUntil,
    payProtectionUntil: govDate(f.payProtectionUntil),
    secondment: {
      host: f.host ?? f.destination ?? '',
      startDate: govDate(f.secondmentStartDate),
      endDate: govDate(f.secondmentEndDate),
      reviewDate: govDate(f.secondmentReviewDate ?? f.secondmentEndDate),
      recharge: f.rechargePercent === null ? '' : String(f.rechargePercent),
      staysInLgps: !!f.staysInLgps,
    },
  };
}

export interface ConsultationLetterInputs {
  reasons: string;
  legalImplications: string;
  economicImplications: string;
  socialImplications: string;
  measures: { employer: string; text: string }[];
}

export interface ConsultationFacts {
  consultationId: string;
  programmeId: string;
  title: string;
  startDate: string;
  endDate: string;
  programme: string;
  destination: string;
  goLive: string;
  employer: string;
  affected: number;
}

export async function loadConsultationFacts(em: EntityManager, consultationId: string): Promise<ConsultationFacts> {
  const [row]: ConsultationFacts[] = await em.query(
    `SELECT k.id AS "consultationId", k.programme_id AS "programmeId", k.title, k.start_date::text AS "startDate",
            coalesce(k.closed_on, k.planned_end_date)::text AS "endDate", pr.name AS programme, d.name AS destination,
            pr.go_live_date::text AS "goLive",
            coalesce((SELECT string_agg(o.name, ', ' ORDER BY o.name) FROM programme_source_organisations pso JOIN organisations o ON o.id = pso.organisation_id WHERE pso.programme_id = pr.id), '') AS employer,
            (SELECT count(*)::int FROM consultation_posts cp WHERE cp.consultation_id = k.id) AS affected
       FROM consultations k JOIN programmes pr ON pr.id = k.programme_id JOIN organisations d ON d.id = pr.destination_organisation_id
      WHERE k.id = $1`,
    [consultationId],
  );
  if (!row) throw new NotFoundException('Consultation not found');
  return row;
}

/** The forum's current union members for the consultation's programme: the appropriate representatives. */
export async function loadRepresentatives(em: EntityManager, programmeId: string): Promise<{ name: string; union: string; email: string; userId: string | null }[]> {
  return em.query(
    `SELECT m.display_name AS name, coalesce(u.name, 'trade union') AS union, m.email, m.user_id AS "userId"
       FROM forum_members m JOIN forums f ON f.id = m.forum_id LEFT JOIN unions u ON u.id = m.union_id
      WHERE f.programme_id = $1 AND m.side = 'union' AND (m.left_on IS NULL OR m.left_on > current_date)
      ORDER BY m.display_name, m.id`,
    [programmeId],
  );
}

export function consultationLetterData(
  f: ConsultationFacts,
  reps: { name: string; union: string }[],
  inputs: ConsultationLetterInputs,
  today: string,
  signatory: string,
): Record<string, unknown> {
  return {
    today: govDate(today),
    programme: f.programme,
    employer: f.employer,
    destination: f.destination,
    signatory,
    consultation: { title: f.title, startDate: govDate(f.startDate), endDate: govDate(f.endDate) },
    transferDate: govDate(f.goLive),
    reasons: inputs.reasons,
    implications: { legal: inputs.legalImplications, economic: inputs.economicImplications, social: inputs.socialImplications },
    hasMeasures: inputs.measures.length > 0,
    measures: inputs.measures,
    representatives: reps.map((r) => ({ name: r.name, union: r.union })),
    affected: f.affected < 5 ? 'fewer than 5 posts' : `${f.affected} posts`,
  };
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EntityManager } from 'typeorm';

import { asDivision, calendarFlags } from '../statutory/calendar';
import {
  Aggregation,
  aggregateProposals,
  DismissalProposal,
  protectiveAwardMaximum,
  reg16Exposure,
  remainsOwed,
  RULES,
  RuleId,
  startByRule,
} from '../statutory/rules';
import { Consultation, ConsultationKind, ConsultationStatus } from './entities/consultation.entity';

/** Collective redundancy consultations of a programme, as proposals to dismiss (for s.188(1) adding up). */
export async function loadProposals(em: EntityManager, programmeId: string): Promise<DismissalProposal[]> {
  const rows: {
    id: string;
    title: string;
    establishment: string | null;
    proposed_dismissals: number;
    start_date: string;
    planned_end_date: string;
    first_dismissal_date: string | null;
    status: string;
    opened_at: string | null;
    created_at: string;
  }[] = await em.query(
    `SELECT id, title, establishment, proposed_dismissals, start_date::text, planned_end_date::text, first_dismissal_date::text, status,
            to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS opened_at,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at
     FROM consultations WHERE programme_id = $1 AND kind = 'collective_redundancy'`,
    [programmeId],
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    establishment: r.establishment,
    proposedDismissals: r.proposed_dismissals,
    startDate: r.start_date,
    plannedEndDate: r.planned_end_date,
    firstDismissalDate: r.first_dismissal_date,
    consultationBegun: r.status !== ConsultationStatus.Planned,
    openedAt: r.opened_at,
    createdAt: r.created_at,
  }));
}

export function asProposal(
  c: Pick<Consultation, 'title' | 'establishment' | 'proposedDismissals' | 'startDate' | 'plannedEndDate' | 'firstDismissalDate' | 'status'> & {
    id?: string;
    createdAt?: Date;
    openedAt?: Date | null;
  },
): DismissalProposal {
  return {
    id: c.id ?? 'new',
    title: c.title,
    establishment: c.establishment,
    proposedDismissals: c.proposedDismissals ?? 0,
    startDate: c.startDate,
    plannedEndDate: c.plannedEndDate,
    firstDismissalDate: c.firstDismissalDate,
    consultationBegun: c.status !== ConsultationStatus.Planned,
    openedAt: c.openedAt ? c.openedAt.toISOString() : null,
    createdAt: c.createdAt ? c.createdAt.toISOString() : '9999-12-31T00:00:00.000Z',
  };
}

export class AggregationLineResponse {
  @ApiProperty() consultationId: string;
  @ApiProperty() title: string;
  @ApiProperty() proposedDismissals: number;
  @ApiProperty() startDate: string;
  @ApiProperty() firstDismissalDate: string;
  @ApiProperty() reason: string;
}

export class AggregationResponse {
  @ApiProperty({ description: 'This proposal plus those counted' }) total: number;
  @ApiProperty() own: number;
  @ApiProperty({ type: [AggregationLineResponse], description: 'Other proposals at the establishment counted (s.188(1))' }) counted: AggregationLineResponse[];
  @ApiProperty({ type: [AggregationLineResponse], description: 'Proposals at the establishment not counted, and why (s.188(3), or not within 90 days)' })
  notCounted: AggregationLineResponse[];
  @ApiProperty() citation: string;
  @ApiProperty() explanation: string;
}

export class DatedDeadlineResponse {
  @ApiProperty({ format: 'date' }) dueOn: string;
  @ApiProperty() dayOfWeek: string;
  @ApiProperty() nonWorkingDay: boolean;
  @ApiProperty({ nullable: true, type: String }) nonWorkingReason: string | null;
  @ApiProperty({ format: 'date' }) sendBy: string;
  @ApiProperty() citation: string;
  @ApiProperty() explanation: string;
}

export class ProtectiveAwardResponse {
  @ApiProperty({ example: 90 }) maxDaysPay: number;
  @ApiProperty() citation: string;
  @ApiProperty({ description: 'The rule applies to consultations starting on or after' }) appliesFrom: string;
  @ApiProperty() keyedOn: string;
}

export class Reg16ConsultationExposure {
  @ApiProperty({ example: 13 }) maxWeeksPayPerEmployee: number;
  @ApiProperty({ description: 'Transfer cases linked to this consultation' }) affectedEmployees: number;
  @ApiProperty() citation: string;
}

/** The statutory reading of a consultation, as of a date. Counts and dates only: no personal data. */
export class ConsultationStatutoryResponse {
  @ApiProperty({ format: 'date' }) asOf: string;
  @ApiPropertyOptional({ type: AggregationResponse, nullable: true }) aggregation: AggregationResponse | null;
  @ApiPropertyOptional({ type: DatedDeadlineResponse, nullable: true, description: 's.188(1A): consultation must begin by (known with a first dismissal date)' })
  mustBeginBy: DatedDeadlineResponse | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'The first dismissal may take effect on this date at the earliest' }) earliestFirstDismissalDate: string | null;
  @ApiPropertyOptional({ nullable: true, type: Boolean }) startedLate: boolean | null;
  @ApiPropertyOptional({ type: DatedDeadlineResponse, nullable: true, description: 's.193: HR1 by the earlier of the first notice and 30/45 days before' }) hr1: DatedDeadlineResponse | null;
  @ApiPropertyOptional({ type: DatedDeadlineResponse, nullable: true, description: 's.188(4) written disclosure' }) disclosure: DatedDeadlineResponse | null;
  @ApiProperty({ type: [String], description: 'What is still owed (closing early is allowed)' }) remainsOwed: string[];
  @ApiPropertyOptional({ type: ProtectiveAwardResponse, nullable: true }) protectiveAward: ProtectiveAwardResponse | null;
  @ApiPropertyOptional({ type: Reg16ConsultationExposure, nullable: true }) reg16Exposure: Reg16ConsultationExposure | null;
  @ApiProperty({ type: [String], description: 'Breaches the dates already show' }) problems: string[];
}

const dated = (dueOn: string, division: string, citation: string, explanation: string): DatedDeadlineResponse => {
  const f = calendarFlags(dueOn, asDivision(division));
  return { dueOn, dayOfWeek: f.dayOfWeek, nonWorkingDay: f.nonWorkingDay, nonWorkingReason: f.nonWorkingReason, sendBy: f.sendBy, citation, explanation };
};

export async function consultationDivision(em: EntityManager, programmeId: string): Promise<string> {
  const [row]: { division: string }[] = await em.query(
    `SELECT o.bank_holiday_division AS division FROM programme_source_organisations pso JOIN organisations o ON o.id = pso.organisation_id
     WHERE pso.programme_id = $1 ORDER BY o.name LIMIT 1`,
    [programmeId],
  );
  return row?.division ?? 'england-and-wales';
}

/** The statutory view of one consultation, from its data, the other proposals and its milestones. */
export async function statutoryView(em: EntityManager, c: Consultation, asOf: string, hr1DaysBefore: number | null): Promise<ConsultationStatutoryResponse> {
  const division = await consultationDivision(em, c.programmeId);
  const problems: string[] = [];
  const out: ConsultationStatutoryResponse = {
    asOf,
    aggregation: null,
    mustBeginBy: null,
    earliestFirstDismissalDate: null,
    startedLate: null,
    hr1: null,
    disclosure: null,
    remainsOwed: [],
    protectiveAward: null,
    reg16Exposure: null,
    problems,
  };
  if (c.kind === ConsultationKind.CollectiveRedundancy) {
    const agg: Aggregation = aggregateProposals(asProposal(c), await loadProposals(em, c.programmeId));
    out.aggregation = agg;
    out.protectiveAward = protectiveAwardMaximum(c.startDate);
    if (c.minimumPeriodDays && c.ruleId) {
      const inputs = { startDate: c.startDate, plannedEndDate: c.plannedEndDate, closedOn: c.closedOn, firstDismissalDate: c.firstDismissalDate, firstNoticeDate: c.firstNoticeDate };
      const r = startByRule(inputs, c.minimumPeriodDays, hr1DaysBefore ?? c.minimumPeriodDays);
      out.mustBeginBy = r.mustBeginBy ? dated(r.mustBeginBy, division, RULES[RuleId.S188StartBy].citation, r.note) : null;
      out.earliestFirstDismissalDate = r.earliestFirstDismissalDate;
      out.startedLate = r.startedLate;
      if (r.startedLate) problems.push(`Consultation began on ${c.startDate}, ${r.daysLate} days after ${r.mustBeginBy}, the latest date for ${agg.total} dismissals (s.188(1A))`);
      out.hr1 = dated(
        r.hr1DueDate,
        division,
        RULES[RuleId.S193Hr1].citation,
        r.hr1Basis === 'first_notice_date'
          ? `HR1 before the first notice of dismissal on ${c.firstNoticeDate}`
          : `HR1 at least ${hr1DaysBefore ?? c.minimumPeriodDays} days before the first dismissal on ${r.firstDismissalUsed}`,
      );
      const ms: { derived_from: string; status: string; completed_on: string | null; due_date: string }[] = await em.query(
        `SELECT derived_from, status, completed_on::text, due_date::text FROM milestones WHERE consultation_id = $1 AND derived_from IN ('hr1_due_date', 'disclosure_due_date')`,
        [c.id],
      );
      const doneBy = (k: string) => ms.some((m) => m.derived_from === k && m.status === 'done' && m.completed_on && m.completed_on <= asOf);
      const disclosure = ms.find((m) => m.derived_from === 'disclosure_due_date');
      const disclosureDue = disclosure?.due_date ?? c.startDate;
      out.disclosure = dated(disclosureDue, division, RULES[RuleId.S188Disclosure].citation, 'Written disclosure of the s.188(4) particulars to the representatives when consultation begins');
      out.remainsOwed = remainsOwed(c.closedOn && c.closedOn <= asOf ? inputs : { ...inputs, closedOn: null }, r, { hr1: !doneBy('hr1_due_date'), disclosure: !doneBy('disclosure_due_date') });
    }
  } else if (c.kind === ConsultationKind.TupeInformationConsultation) {
    const [{ n }]: { n: number }[] = await em.query(
      `SELECT count(*)::int AS n FROM transition_cases WHERE consultation_id = $1 AND route IN ('tupe_transfer', 'cosop_transfer') AND state <> 'withdrawn'`,
      [c.id],
    );
    const e = reg16Exposure(n);
    out.reg16Exposure = { maxWeeksPayPerEmployee: e.maxWeeksPayPerEmployee, affectedEmployees: e.affectedEmployees, citation: e.citation };
    const end = c.closedOn ?? c.plannedEndDate;
    const [{ late }]: { late: number }[] = await em.query(
      `SELECT count(*)::int AS late FROM transition_cases WHERE consultation_id = $1 AND route IN ('tupe_transfer', 'cosop_transfer') AND state <> 'withdrawn'
         AND coalesce(actual_effective_date, proposed_effective_date) <= $2`,
      [c.id, end],
    );
    if (late) problems.push(`${late} linked transfers take effect on or before the consultation ends on ${end}: it must end before the transfer (TUPE reg. 13)`);
  }
  return out;
}

import { addDays, addMonths, daysBetween, maxDate } from '../common/dates';

/**
 * Every statutory (and product-policy) rule the product computes, with its citation and the dates
 * it applies between. A rule is chosen by the date the law looks at (the transfer date, the start of
 * consultation …), so a later change in the law never rewrites an earlier deadline.
 * docs/legal-rules.md lists these with the tests that prove them.
 */
export enum RuleId {
  TupeEli14Days = 'tupe_reg11_eli_14_days',
  TupeEli28Days = 'tupe_reg11_eli_28_days',
  TupeReg13Information = 'tupe_reg13_information',
  TupeReg13ConsultationBeforeTransfer = 'tupe_reg13_consultation_before_transfer',
  TupeReg13Reasons = 'tupe_reg13_7_reasons_for_rejecting',
  TupeReg16Award = 'tupe_reg16_award',
  S188StartBy = 'tulrca_s188_start_by',
  S188Aggregation = 'tulrca_s188_aggregation',
  S188Disclosure = 'tulrca_s188_4_disclosure',
  S193Hr1 = 'tulrca_s193_hr1',
  S189Award90 = 'tulrca_s189_protective_award_90_days',
  S189Award180 = 'tulrca_s189_protective_award_180_days',
  SecondmentReview = 'policy_secondment_review',
  PayProtectionExpiry = 'policy_pay_protection_expiry',
  WorkingDays = 'practice_working_day_send_by',
}

export interface StatutoryRule {
  id: RuleId;
  citation: string;
  /** First date (of the date the rule is keyed on) it applies to; null: from the start of the regime. */
  appliesFrom: string | null;
  /** Last such date; null: still in force. */
  appliesUntil: string | null;
  /** The date the rule is keyed on. */
  keyedOn: string;
  summary: string;
}

/** The day TUPE 2006 came into force. */
export const TUPE_2006_IN_FORCE = '2006-04-06';
/** SI 2014/16 (amending TUPE reg. 11(6)): 28 days for transfers on or after this date. */
export const ELI_28_DAYS_FROM = '2014-05-01';
/**
 * The day the Employment Rights Act 2025 doubles the maximum protected period (s.189(4) TULRCA) from
 * 90 to 180 days. ASSUMPTION: 6 April 2026, the date the government's implementation roadmap
 * (July 2025) gives for this measure; check it against the commencement regulations and change this
 * one line (and docs/legal-rules.md) if they say otherwise.
 */
export const PROTECTIVE_AWARD_180_FROM = '2026-04-06';
/** Default for a programme: reg. 13 information at least this many days before the transfer. */
export const DEFAULT_REG13_INFORMATION_DAYS = 30;

export const RULES: Record<RuleId, StatutoryRule> = {
  [RuleId.TupeEli14Days]: {
    id: RuleId.TupeEli14Days,
    citation: 'TUPE 2006 reg. 11(6) as made',
    appliesFrom: TUPE_2006_IN_FORCE,
    appliesUntil: addDays(ELI_28_DAYS_FROM, -1),
    keyedOn: 'transfer date',
    summary: 'Employee liability information at least 14 days before the transfer',
  },
  [RuleId.TupeEli28Days]: {
    id: RuleId.TupeEli28Days,
    citation: 'TUPE 2006 reg. 11(6), as amended by SI 2014/16 (transfers on or after 1 May 2014)',
    appliesFrom: ELI_28_DAYS_FROM,
    appliesUntil: null,
    keyedOn: 'transfer date',
    summary: 'Employee liability information at least 28 days before the transfer',
  },
  [RuleId.TupeReg13Information]: {
    id: RuleId.TupeReg13Information,
    citation: 'TUPE 2006 reg. 13(2) and (6)',
    appliesFrom: TUPE_2006_IN_FORCE,
    appliesUntil: null,
    keyedOn: 'transfer date',
    summary:
      'The information (transfer, date, reasons, implications, measures) long enough before the transfer to consult: due when the consultation ' +
      'covering the case opens, and at least the programme-set number of days (default 30) before the transfer, whichever is earlier',
  },
  [RuleId.TupeReg13ConsultationBeforeTransfer]: {
    id: RuleId.TupeReg13ConsultationBeforeTransfer,
    citation: 'TUPE 2006 reg. 13(2), (6)',
    appliesFrom: TUPE_2006_IN_FORCE,
    appliesUntil: null,
    keyedOn: 'transfer date',
    summary: 'The consultation covering a transfer ends before the transfer date',
  },
  [RuleId.TupeReg13Reasons]: {
    id: RuleId.TupeReg13Reasons,
    citation: 'TUPE 2006 reg. 13(7)',
    appliesFrom: TUPE_2006_IN_FORCE,
    appliesUntil: null,
    keyedOn: 'representation',
    summary: 'Consider the representatives’ representations, reply, and give reasons for rejecting any',
  },
  [RuleId.TupeReg16Award]: {
    id: RuleId.TupeReg16Award,
    citation: 'TUPE 2006 reg. 15(7)-(9) and reg. 16(3)',
    appliesFrom: TUPE_2006_IN_FORCE,
    appliesUntil: null,
    keyedOn: 'transfer date',
    summary: 'Failure to inform or consult: up to 13 weeks’ pay for each affected employee',
  },
  [RuleId.S188StartBy]: {
    id: RuleId.S188StartBy,
    citation: 'TULRCA 1992 s.188(1A) (bands and dates: the collective_redundancy_rules versions)',
    appliesFrom: '1995-10-26',
    appliesUntil: null,
    keyedOn: 'consultation start date',
    summary:
      'Consultation begins at least 30 days (20-99 dismissals) or 45 days (100 or more; 90 before 6 April 2013) before the first dismissal takes effect; ' +
      'it may close earlier',
  },
  [RuleId.S188Aggregation]: {
    id: RuleId.S188Aggregation,
    citation: 'TULRCA 1992 s.188(1) and (3)',
    appliesFrom: '1995-10-26',
    appliesUntil: null,
    keyedOn: 'proposal (consultation start) date',
    summary:
      'Dismissals proposed at one establishment within 90 days add up, except those on which consultation has already begun (s.188(3))',
  },
  [RuleId.S188Disclosure]: {
    id: RuleId.S188Disclosure,
    citation: 'TULRCA 1992 s.188(4)',
    appliesFrom: '1995-10-26',
    appliesUntil: null,
    keyedOn: 'consultation start date',
    summary: 'Written disclosure to the representatives (reasons, numbers, descriptions, selection, method, payments) when consultation begins',
  },
  [RuleId.S193Hr1]: {
    id: RuleId.S193Hr1,
    citation: 'TULRCA 1992 s.193(1), (2) and (4)',
    appliesFrom: '1995-10-26',
    appliesUntil: null,
    keyedOn: 'consultation start date',
    summary: 'HR1 to the Secretary of State before the first notice of dismissal is given, and at least 30 / 45 days before the first dismissal',
  },
  [RuleId.S189Award90]: {
    id: RuleId.S189Award90,
    citation: 'TULRCA 1992 s.189(4)',
    appliesFrom: '1995-10-26',
    appliesUntil: addDays(PROTECTIVE_AWARD_180_FROM, -1),
    keyedOn: 'consultation start date',
    summary: 'Protective award: at most 90 days’ pay per employee',
  },
  [RuleId.S189Award180]: {
    id: RuleId.S189Award180,
    citation: 'TULRCA 1992 s.189(4), as amended by the Employment Rights Act 2025 (commencement assumed 6 April 2026)',
    appliesFrom: PROTECTIVE_AWARD_180_FROM,
    appliesUntil: null,
    keyedOn: 'consultation start date',
    summary: 'Protective award: at most 180 days’ pay per employee',
  },
  [RuleId.SecondmentReview]: {
    id: RuleId.SecondmentReview,
    citation: 'Programme policy (not statute)',
    appliesFrom: null,
    appliesUntil: null,
    keyedOn: 'secondment dates',
    summary: 'The recorded review date; without one, three calendar months before the end, never before the start',
  },
  [RuleId.PayProtectionExpiry]: {
    id: RuleId.PayProtectionExpiry,
    citation: 'Programme policy (pay protection agreed on transfer or re-grading)',
    appliesFrom: null,
    appliesUntil: null,
    keyedOn: 'pay protection end date',
    summary: 'Pay protection expires on its date; reminded from 90 days before; it may not end before the transfer',
  },
  [RuleId.WorkingDays]: {
    id: RuleId.WorkingDays,
    citation: 'Practice: periods run in calendar days; act on the last working day before a weekend or bank holiday',
    appliesFrom: null,
    appliesUntil: null,
    keyedOn: 'deadline',
    summary: 'A deadline on a weekend or bank holiday (of the organisation’s division) is flagged, with "send by" the last working day before it',
  },
};

export const ruleList = (): StatutoryRule[] => Object.values(RULES);

// ---- TUPE ------------------------------------------------------------------------------------------

export interface Computed {
  dueOn: string;
  rule: StatutoryRule;
  note: string;
}

/** TUPE reg. 11: ELI 28 days before a transfer on or after 1 May 2014, 14 days before an earlier one. */
export function eliDue(transferDate: string): Computed {
  const rule = transferDate >= ELI_28_DAYS_FROM ? RULES[RuleId.TupeEli28Days] : RULES[RuleId.TupeEli14Days];
  const days = rule.id === RuleId.TupeEli28Days ? 28 : 14;
  return {
    dueOn: addDays(transferDate, -days),
    rule,
    note: `${rule.citation}: employee liability information at least ${days} days before the transfer on ${transferDate}`,
  };
}

/**
 * TUPE reg. 13(2), (6): the information (with the measures) reaches the representatives when the
 * consultation covering the case opens, and at least `daysBefore` days before the transfer.
 */
export function reg13InformationDue(transferDate: string, consultationStart: string | null, daysBefore = DEFAULT_REG13_INFORMATION_DAYS): Computed & { basis: string } {
  const byTransfer = addDays(transferDate, -daysBefore);
  const rule = RULES[RuleId.TupeReg13Information];
  if (consultationStart && consultationStart <= byTransfer) {
    return {
      dueOn: consultationStart,
      basis: 'consultation_start',
      rule,
      note: `${rule.citation}: the information and measures are given when the consultation opens on ${consultationStart} (and at least ${daysBefore} days before the transfer on ${transferDate})`,
    };
  }
  return {
    dueOn: byTransfer,
    basis: 'days_before_transfer',
    rule,
    note:
      `${rule.citation}: the information and measures at least ${daysBefore} days before the transfer on ${transferDate}` +
      (consultationStart ? ` (the consultation opens later, on ${consultationStart})` : ' (no consultation is linked to the case yet)'),
  };
}

/** The consultation covering a transfer ends before the transfer date: the last day it may run is the day before. */
export function reg13ConsultationEnd(transferDate: string, consultationEnd: string): Computed & { problem: string | null } {
  const rule = RULES[RuleId.TupeReg13ConsultationBeforeTransfer];
  const dueOn = addDays(transferDate, -1);
  return {
    dueOn,
    rule,
    problem: consultationEnd >= transferDate ? `the consultation ends on ${consultationEnd}, not before the transfer on ${transferDate}` : null,
    note: `${rule.citation}: the consultation (ending ${consultationEnd}) must end before the transfer on ${transferDate}`,
  };
}

export const REG16_MAX_WEEKS = 13;

/** Up to 13 weeks' pay per affected employee (no cap on a week's pay applies to this award). */
export function reg16Exposure(affectedEmployees: number, annualPays?: (number | null)[]) {
  const known = (annualPays ?? []).filter((p): p is number => typeof p === 'number');
  return {
    maxWeeksPayPerEmployee: REG16_MAX_WEEKS,
    affectedEmployees,
    citation: RULES[RuleId.TupeReg16Award].citation,
    ...(annualPays ? { maxAmount: Math.round(known.reduce((t, p) => t + (p / 52) * REG16_MAX_WEEKS, 0) * 100) / 100, payKnownFor: known.length } : {}),
  };
}

// ---- secondments and pay protection -----------------------------------------------------------------

/** The recorded review date wins; without one, three calendar months before the end, but never before the start. */
export function secondmentReviewDue(c: { startDate: string | null; endDate: string | null; reviewDate: string | null }): (Computed & { basis: string }) | null {
  const rule = RULES[RuleId.SecondmentReview];
  if (c.reviewDate) return { dueOn: c.reviewDate, basis: 'secondment_review_date', rule, note: `Review the secondment on the recorded review date ${c.reviewDate}` };
  if (!c.endDate) return null;
  const threeMonths = addMonths(c.endDate, -3);
  const dueOn = c.startDate ? maxDate(threeMonths, c.startDate) : threeMonths;
  return {
    dueOn,
    basis: 'secondment_end',
    rule,
    note:
      `Review the secondment three months before it ends on ${c.endDate}` +
      (dueOn !== threeMonths ? ` (not before it starts on ${c.startDate})` : ''),
  };
}

export const PAY_PROTECTION_REMINDER_DAYS = 90;

export function payProtectionExpiry(until: string): Computed & { remindFrom: string } {
  const rule = RULES[RuleId.PayProtectionExpiry];
  return { dueOn: until, remindFrom: addDays(until, -PAY_PROTECTION_REMINDER_DAYS), rule, note: `Pay protection ends on ${until}: tell payroll and the person` };
}

// ---- TULRCA -------------------------------------------------------------------------------------------

/** The maximum protective award for a consultation that began on this date. */
export function protectiveAwardMaximum(consultationStart: string) {
  const rule = consultationStart >= PROTECTIVE_AWARD_180_FROM ? RULES[RuleId.S189Award180] : RULES[RuleId.S189Award90];
  return { maxDaysPay: rule.id === RuleId.S189Award180 ? 180 : 90, citation: rule.citation, appliesFrom: rule.appliesFrom!, ruleId: rule.id, keyedOn: rule.keyedOn };
}

/** One proposal to dismiss: a collective redundancy consultation. */
export interface DismissalProposal {
  id: string;
  title: string;
  establishment: string | null;
  proposedDismissals: number;
  /** When the proposal was made (the consultation's start date). */
  startDate: string;
  plannedEndDate: string;
  firstDismissalDate: string | null;
  /** Consultation with the representatives has begun (the consultation is open, extended or closed). */
  consultationBegun: boolean;
  /** When it was opened (ISO instant), if it was. */
  openedAt: string | null;
  /** When the proposal was recorded (ISO instant). */
  createdAt: string;
}

export interface AggregationLine {
  consultationId: string;
  title: string;
  proposedDismissals: number;
  startDate: string;
  firstDismissalDate: string;
  reason: string;
}

export interface Aggregation {
  /** This proposal's own dismissals plus those counted from the others. */
  total: number;
  own: number;
  counted: AggregationLine[];
  notCounted: AggregationLine[];
  citation: string;
  explanation: string;
}

/** When the dismissals of a proposal take effect, for the 90-day window: the first dismissal date, else the day after consultation ends. */
export function dismissalDate(p: Pick<DismissalProposal, 'firstDismissalDate' | 'plannedEndDate'>): string {
  return p.firstDismissalDate ?? addDays(p.plannedEndDate, 1);
}

const sameEstablishment = (a: string | null, b: string | null) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * s.188(1): dismissals proposed at one establishment within 90 days add up. Counted: the earlier (or
 * same-day) proposals at the same establishment whose dismissals fall within 90 days of this one's.
 * s.188(3): not counted, those on which consultation had already begun before this proposal.
 */
export function aggregateProposals(self: DismissalProposal, others: DismissalProposal[]): Aggregation {
  const counted: AggregationLine[] = [];
  const notCounted: AggregationLine[] = [];
  const mine = dismissalDate(self);
  for (const o of others) {
    if (o.id === self.id || !sameEstablishment(o.establishment, self.establishment)) continue;
    const earlier = o.startDate < self.startDate || (o.startDate === self.startDate && o.createdAt <= self.createdAt);
    if (!earlier) continue;
    const line = { consultationId: o.id, title: o.title, proposedDismissals: o.proposedDismissals, startDate: o.startDate, firstDismissalDate: dismissalDate(o) };
    const apart = Math.abs(daysBetween(mine, dismissalDate(o)));
    if (apart > 89) {
      notCounted.push({ ...line, reason: `its dismissals take effect ${apart} days apart from these: not within one period of 90 days (s.188(1))` });
    } else if (o.consultationBegun && o.startDate < self.startDate && (!o.openedAt || o.openedAt <= self.createdAt)) {
      // Begun before this proposal: it started earlier and was opened before this one was recorded,
      // so the answer does not change when the earlier one is opened later.
      notCounted.push({ ...line, reason: `consultation on its ${o.proposedDismissals} dismissals had already begun on ${o.startDate} (s.188(3))` });
    } else {
      counted.push({ ...line, reason: `proposed at ${o.establishment} on ${o.startDate}, dismissals within 90 days, no consultation on them begun before this proposal` });
    }
  }
  const total = self.proposedDismissals + counted.reduce((t, l) => t + l.proposedDismissals, 0);
  const parts = [`${self.proposedDismissals} proposed here`];
  for (const l of counted) parts.push(`${l.proposedDismissals} from "${l.title}"`);
  const explanation =
    `${total} proposed dismissals at ${self.establishment ?? 'this establishment'} within 90 days (${parts.join(' + ')})` +
    (notCounted.length ? `; not counted: ${notCounted.map((l) => `"${l.title}" (${l.reason})`).join('; ')}` : '');
  return { total, own: self.proposedDismissals, counted, notCounted, citation: RULES[RuleId.S188Aggregation].citation, explanation };
}

export interface StartByInputs {
  startDate: string;
  plannedEndDate: string;
  closedOn: string | null;
  firstDismissalDate: string | null;
  firstNoticeDate: string | null;
}

export interface StartByResult {
  periodDays: number;
  /** Consultation must begin by this date (only known with a first dismissal date). */
  mustBeginBy: string | null;
  /** The first dismissal may take effect on this date at the earliest. */
  earliestFirstDismissalDate: string;
  /** The first dismissal date used for HR1: the planned one, else the earliest possible after the consultation. */
  firstDismissalUsed: string;
  hr1DueDate: string;
  hr1Basis: 'first_notice_date' | 'days_before_first_dismissal';
  startedLate: boolean;
  daysLate: number;
  note: string;
}

/**
 * s.188(1A): consultation begins at least `periodDays` before the first dismissal takes effect (a
 * start-by rule: closing earlier is allowed). s.193: HR1 by the earlier of the first notice of
 * dismissal and `hr1DaysBefore` days before the first dismissal.
 */
export function startByRule(c: StartByInputs, periodDays: number, hr1DaysBefore: number): StartByResult {
  const earliest = addDays(c.startDate, periodDays);
  const used = c.firstDismissalDate ?? maxDate(addDays(c.plannedEndDate, 1), earliest);
  const mustBeginBy = c.firstDismissalDate ? addDays(c.firstDismissalDate, -periodDays) : null;
  const byDays = addDays(used, -hr1DaysBefore);
  const byNotice = c.firstNoticeDate && c.firstNoticeDate < byDays ? c.firstNoticeDate : null;
  const daysLate = mustBeginBy && c.startDate > mustBeginBy ? daysBetween(mustBeginBy, c.startDate) : 0;
  return {
    periodDays,
    mustBeginBy,
    earliestFirstDismissalDate: earliest,
    firstDismissalUsed: used,
    hr1DueDate: byNotice ?? byDays,
    hr1Basis: byNotice ? 'first_notice_date' : 'days_before_first_dismissal',
    startedLate: daysLate > 0,
    daysLate,
    note: mustBeginBy
      ? `Consultation must begin by ${mustBeginBy}: at least ${periodDays} days before the first dismissal on ${c.firstDismissalDate}`
      : `Consultation began on ${c.startDate}: no dismissal may take effect before ${earliest} (${periodDays} days)`,
  };
}

/** What is still owed after a consultation closes (closing early is allowed; the start-by rule still binds dismissals). */
export function remainsOwed(
  c: StartByInputs,
  r: StartByResult,
  pending: { hr1: boolean; disclosure: boolean },
): string[] {
  const out: string[] = [];
  if (c.closedOn) {
    const day = daysBetween(c.startDate, c.closedOn) + 1;
    if (day < r.periodDays) {
      out.push(`Closed on day ${day} of ${r.periodDays}: allowed, but no dismissal may take effect before ${r.earliestFirstDismissalDate} (s.188(1A))`);
    }
  }
  if (pending.hr1) out.push(`HR1 to the Secretary of State by ${r.hr1DueDate} (s.193), copied to the representatives`);
  if (pending.disclosure) out.push('Written disclosure to the representatives of the s.188(4) particulars');
  if (r.startedLate) out.push(`Consultation began ${r.daysLate} days late: the protective award risk (s.189) stands`);
  return out;
}

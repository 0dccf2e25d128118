import type { ErrorDetail } from '../common/errors/api-error';
import { daysBetween } from '../common/dates';
import { CaseRoute, CaseState, COMMITTED_STATES, stageOf } from './case-state';

export enum ChecklistItem {
  EliSent = 'eli_sent',
  MeasuresLetterIssued = 'measures_letter_issued',
  OneToOneHeld = 'one_to_one_held',
  /** The secondment agreement, or the new contract, signed. */
  AgreementSigned = 'agreement_signed',
  PayrollPensionNotified = 'payroll_pension_notified',
  SystemAccessMoved = 'system_access_moved',
}
export const CHECKLIST_ITEMS: readonly ChecklistItem[] = Object.values(ChecklistItem);

export enum DeadlineKind {
  Eli = 'eli',
  MeasuresLetter = 'measures_letter',
  SecondmentReview = 'secondment_review',
  /** TUPE reg. 13: the consultation covering a transfer ends before the transfer date. */
  ConsultationEndsBeforeTransfer = 'reg13_consultation_end',
  /** Pay protection expires (a reminder, not a duty: never "overdue"). */
  PayProtectionExpiry = 'pay_protection_expiry',
}

/** Deadlines that are reminders of a date, not duties: they are never overdue. */
export const REMINDER_KINDS: readonly DeadlineKind[] = [DeadlineKind.PayProtectionExpiry];

export enum DeadlineStatus {
  Upcoming = 'upcoming',
  Due = 'due',
  Overdue = 'overdue',
  Done = 'done',
}

/** A deadline is "due" from this many days before its date until the date itself. */
export const DUE_WINDOW_DAYS = 7;

/**
 * done: recorded as done (on time or late); overdue: the date has passed undone; due: within
 * DUE_WINDOW_DAYS (0-7 days left); upcoming: further away. `today` is the date in London.
 */
export function deadlineStatus(dueOn: string, doneOn: string | null, today: string, opts: { dueWindowDays?: number; reminder?: boolean } = {}): DeadlineStatus {
  // Judged as it stood on `today`: something done later was not yet done then.
  if (doneOn && doneOn <= today) return DeadlineStatus.Done;
  const left = daysBetween(today, dueOn);
  if (left < 0) return opts.reminder ? DeadlineStatus.Done : DeadlineStatus.Overdue;
  if (left <= (opts.dueWindowDays ?? DUE_WINDOW_DAYS)) return DeadlineStatus.Due;
  return DeadlineStatus.Upcoming;
}

export interface CaseRequirementsInput {
  route: CaseRoute;
  state: CaseState;
  heldFromState: CaseState | null;
  proposedEffectiveDate: string | null;
  actualEffectiveDate: string | null;
  destinationOrganisationId: string | null;
  destinationPostId: string | null;
  legalBasis: string | null;
  hostOrganisationId: string | null;
  secondmentStartDate: string | null;
  secondmentEndDate: string | null;
}

/**
 * What a case must hold at its stage (the database keeps the same rules as CHECK constraints;
 * this names the missing fields first). From agreed on, the route is decided and its
 * arrangements are complete; effective and completed cases have their actual effective date.
 */
export function missingForStage(c: CaseRequirementsInput): ErrorDetail[] {
  const stage = stageOf(c.state, c.heldFromState);
  const out: ErrorDetail[] = [];
  const need = (field: keyof CaseRequirementsInput, why: string) => {
    if (c[field] === null || c[field] === undefined) out.push({ field, reason: `is required ${why}` });
  };
  if (COMMITTED_STATES.includes(stage)) {
    const why = `once the case is ${stage}`;
    switch (c.route) {
      case CaseRoute.Undecided:
        out.push({ field: 'route', reason: `must be decided ${why}` });
        break;
      case CaseRoute.TupeTransfer:
      case CaseRoute.CosopTransfer:
        need('destinationOrganisationId', `for a transfer ${why}`);
        need('legalBasis', `for a transfer ${why}`);
        need('proposedEffectiveDate', `for a transfer ${why}`);
        break;
      case CaseRoute.Secondment:
        need('hostOrganisationId', `for a secondment ${why}`);
        need('secondmentStartDate', `for a secondment ${why}`);
        need('secondmentEndDate', `for a secondment ${why}`);
        break;
      case CaseRoute.Redeployment:
        need('destinationPostId', `for a redeployment ${why}`);
        need('proposedEffectiveDate', `for a redeployment ${why}`);
        break;
      case CaseRoute.Leaves:
        need('proposedEffectiveDate', `for a leaver ${why}`);
        break;
      case CaseRoute.RemainsWithCouncil:
        break;
    }
  }
  if (stage === CaseState.Effective || stage === CaseState.Completed) need('actualEffectiveDate', `once the case is ${stage}`);
  return out;
}

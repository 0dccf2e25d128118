import { ChecklistItem, DeadlineKind, DeadlineStatus } from './case-rules';
import { CASE_ROUTES, CASE_STATES, CaseRoute, CaseState } from './case-state';

/** The words the pages use for the cases feature's values (the API keeps the codes). */
export const STATE_LABELS: Record<CaseState, string> = {
  [CaseState.Proposed]: 'Proposed',
  [CaseState.InConsultation]: 'In consultation',
  [CaseState.Agreed]: 'Agreed',
  [CaseState.LettersIssued]: 'Letters issued',
  [CaseState.Effective]: 'Effective',
  [CaseState.Completed]: 'Completed',
  [CaseState.OnHold]: 'On hold',
  [CaseState.Withdrawn]: 'Withdrawn',
};

export const STATE_TAG_CLASSES: Record<CaseState, string> = {
  [CaseState.Proposed]: 'govuk-tag--grey',
  [CaseState.InConsultation]: 'govuk-tag--light-blue',
  [CaseState.Agreed]: 'govuk-tag--turquoise',
  [CaseState.LettersIssued]: 'govuk-tag--blue',
  [CaseState.Effective]: 'govuk-tag--green',
  [CaseState.Completed]: 'govuk-tag--green',
  [CaseState.OnHold]: 'govuk-tag--yellow',
  [CaseState.Withdrawn]: 'govuk-tag--grey',
};

/** What the button to move a case to a state says. */
export const MOVE_LABELS: Record<CaseState, string> = {
  [CaseState.Proposed]: 'Back to proposed',
  [CaseState.InConsultation]: 'Move to in consultation',
  [CaseState.Agreed]: 'Move to agreed',
  [CaseState.LettersIssued]: 'Move to letters issued',
  [CaseState.Effective]: 'Record as effective',
  [CaseState.Completed]: 'Mark as completed',
  [CaseState.OnHold]: 'Put on hold',
  [CaseState.Withdrawn]: 'Withdraw the case',
};

export const ROUTE_LABELS: Record<CaseRoute, string> = {
  [CaseRoute.Undecided]: 'Undecided',
  [CaseRoute.Secondment]: 'Secondment',
  [CaseRoute.TupeTransfer]: 'TUPE transfer',
  [CaseRoute.CosopTransfer]: 'COSOP transfer',
  [CaseRoute.RemainsWithCouncil]: 'Remains with the council',
  [CaseRoute.Redeployment]: 'Redeployment',
  [CaseRoute.Leaves]: 'Leaves',
};

export const DEADLINE_LABELS: Record<DeadlineKind, string> = {
  [DeadlineKind.Eli]: 'Employee liability information (ELI)',
  [DeadlineKind.MeasuresLetter]: 'Measures letter',
  [DeadlineKind.SecondmentReview]: 'Secondment review',
  [DeadlineKind.ConsultationEndsBeforeTransfer]: 'Consultation ends before the transfer (TUPE reg. 13)',
  [DeadlineKind.PayProtectionExpiry]: 'Pay protection ends',
};

export const DEADLINE_STATUS_LABELS: Record<DeadlineStatus, string> = {
  [DeadlineStatus.Upcoming]: 'Upcoming',
  [DeadlineStatus.Due]: 'Due',
  [DeadlineStatus.Overdue]: 'Overdue',
  [DeadlineStatus.Done]: 'Done',
};

export const DEADLINE_STATUS_CLASSES: Record<DeadlineStatus, string> = {
  [DeadlineStatus.Upcoming]: 'govuk-tag--grey',
  [DeadlineStatus.Due]: 'govuk-tag--yellow',
  [DeadlineStatus.Overdue]: 'govuk-tag--red',
  [DeadlineStatus.Done]: 'govuk-tag--green',
};

export const CHECKLIST_LABELS: Record<ChecklistItem, string> = {
  [ChecklistItem.EliSent]: 'ELI sent',
  [ChecklistItem.MeasuresLetterIssued]: 'Measures letter issued',
  [ChecklistItem.OneToOneHeld]: 'One-to-one meeting held',
  [ChecklistItem.AgreementSigned]: 'Agreement or new contract signed',
  [ChecklistItem.PayrollPensionNotified]: 'Payroll and pension notified',
  [ChecklistItem.SystemAccessMoved]: 'System access moved',
};

export const BASIS_LABELS: Record<string, string> = {
  actual_effective_date: 'the actual effective date',
  proposed_effective_date: 'the proposed effective date',
  consultation_end: 'the end of the consultation',
  secondment_end: 'the end of the secondment',
  secondment_review_date: 'the recorded review date',
  consultation_start: 'the start of the consultation',
  days_before_transfer: 'the days the programme sets before the transfer',
  pay_protection_until: 'the end of pay protection',
};

export const PENSION_SCHEME_LABELS: Record<string, string> = {
  lgps: 'Local Government Pension Scheme (LGPS)',
  nhs_pension_scheme: 'NHS Pension Scheme',
  none: 'None',
};

export const PENSION_ARRANGEMENT_LABELS: Record<string, string> = {
  lgps_continued: 'LGPS continued',
  nhs_pension_scheme: 'NHS Pension Scheme',
  broadly_comparable_scheme: 'Broadly comparable scheme',
  no_scheme: 'No scheme',
  to_be_agreed: 'To be agreed',
};

export const LEGAL_BASIS_LABELS: Record<string, string> = {
  tupe_2006: 'TUPE 2006',
  cosop: 'COSOP (TUPE applied as policy)',
  statutory_transfer_scheme: 'Statutory transfer scheme',
  other: 'Other',
};

/** Field names of a case as an HR officer reads them (bulk preview). */
export const FIELD_LABELS: Record<string, string> = {
  route: 'Route',
  state: 'State',
  heldFromState: 'Held from',
  proposedEffectiveDate: 'Proposed effective date',
  actualEffectiveDate: 'Actual effective date',
  hostOrganisationId: 'Host organisation',
  destinationOrganisationId: 'Destination organisation',
  destinationPostId: 'Destination post',
  currentPensionScheme: 'Current pension scheme',
  staysInLgps: 'Stays in the LGPS',
  eli: 'ELI deadline',
  measures_letter: 'Measures letter deadline',
  secondment_review: 'Secondment review deadline',
};

export const stateOptions = () => CASE_STATES.map((s) => ({ value: s, text: STATE_LABELS[s] }));
export const routeOptions = () => CASE_ROUTES.map((r) => ({ value: r, text: ROUTE_LABELS[r] }));

/** Every label map, for the templates. */
export const LABELS = {
  state: STATE_LABELS,
  stateTag: STATE_TAG_CLASSES,
  move: MOVE_LABELS,
  route: ROUTE_LABELS,
  deadline: DEADLINE_LABELS,
  deadlineStatus: DEADLINE_STATUS_LABELS,
  deadlineStatusTag: DEADLINE_STATUS_CLASSES,
  checklist: CHECKLIST_LABELS,
  basis: BASIS_LABELS,
  pensionScheme: PENSION_SCHEME_LABELS,
  pensionArrangement: PENSION_ARRANGEMENT_LABELS,
  legalBasis: LEGAL_BASIS_LABELS,
  field: FIELD_LABELS,
};

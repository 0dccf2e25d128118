export enum ContractType {
  Permanent = 'permanent',
  FixedTerm = 'fixed_term',
  Temporary = 'temporary',
  Casual = 'casual',
}

export enum PensionScheme {
  Lgps = 'lgps',
  NhsPensionScheme = 'nhs_pension_scheme',
  None = 'none',
}

/**
 * What employee liability information (TUPE 2006 reg. 11(2)) needs from the employee record:
 * identity and age, the particulars of employment (contract, hours, pay, notice, pension,
 * continuous service). Disciplinary, grievance, claims and collective agreements are recorded
 * as text where there is something to say; an empty one means "none".
 */
export const ELI_REQUIRED_FIELDS = [
  'dateOfBirth',
  'startDate',
  'continuousServiceDate',
  'contractType',
  'weeklyHours',
  'annualPay',
  'noticePeriodWeeks',
  'pensionScheme',
] as const;

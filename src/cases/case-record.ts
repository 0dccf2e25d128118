import type { EntityManager } from 'typeorm';
import { CaseRoute, CaseState } from './case-state';

type Kind = 'text' | 'date' | 'numeric' | 'bool' | 'timestamp';

/**
 * The columns of transition_cases a change can touch, by API field name. Drives the one SELECT
 * that reads a case as a plain record (dates as YYYY-MM-DD text), the UPDATE that writes a
 * change, the audit view, and the field-by-field diff of a bulk preview.
 */
export const CASE_COLUMNS = {
  route: { column: 'route', kind: 'text' },
  state: { column: 'state', kind: 'text' },
  heldFromState: { column: 'held_from_state', kind: 'text' },
  proposedEffectiveDate: { column: 'proposed_effective_date', kind: 'date' },
  actualEffectiveDate: { column: 'actual_effective_date', kind: 'date' },
  hostOrganisationId: { column: 'host_organisation_id', kind: 'text' },
  secondmentStartDate: { column: 'secondment_start_date', kind: 'date' },
  secondmentEndDate: { column: 'secondment_end_date', kind: 'date' },
  secondmentReviewDate: { column: 'secondment_review_date', kind: 'date' },
  secondmentReviewedOn: { column: 'secondment_reviewed_on', kind: 'date' },
  rechargePercent: { column: 'recharge_percent', kind: 'numeric' },
  staysInLgps: { column: 'stays_in_lgps', kind: 'bool' },
  destinationOrganisationId: { column: 'destination_organisation_id', kind: 'text' },
  destinationPostId: { column: 'destination_post_id', kind: 'text' },
  newGradeId: { column: 'new_grade_id', kind: 'text' },
  legalBasis: { column: 'legal_basis', kind: 'text' },
  legalAdviceReference: { column: 'legal_advice_reference', kind: 'text' },
  currentPensionScheme: { column: 'current_pension_scheme', kind: 'text' },
  pensionArrangement: { column: 'pension_arrangement', kind: 'text' },
  payProtectionUntil: { column: 'pay_protection_until', kind: 'date' },
  eliOverrideReason: { column: 'eli_override_reason', kind: 'text' },
  eliOverrideBy: { column: 'eli_override_by', kind: 'text' },
  eliOverrideAt: { column: 'eli_override_at', kind: 'timestamp' },
  consultationId: { column: 'consultation_id', kind: 'text' },
  reg13OverrideReason: { column: 'reg13_override_reason', kind: 'text' },
  reg13OverrideBy: { column: 'reg13_override_by', kind: 'text' },
  reg13OverrideAt: { column: 'reg13_override_at', kind: 'timestamp' },
  notes: { column: 'notes', kind: 'text' },
} as const satisfies Record<string, { column: string; kind: Kind }>;

export type CaseField = keyof typeof CASE_COLUMNS;

export interface CaseRecord {
  id: string;
  programmeId: string;
  employeeId: string;
  postId: string;
  version: number;
  route: CaseRoute;
  state: CaseState;
  heldFromState: CaseState | null;
  proposedEffectiveDate: string | null;
  actualEffectiveDate: string | null;
  hostOrganisationId: string | null;
  secondmentStartDate: string | null;
  secondmentEndDate: string | null;
  secondmentReviewDate: string | null;
  secondmentReviewedOn: string | null;
  rechargePercent: number | null;
  staysInLgps: boolean | null;
  destinationOrganisationId: string | null;
  destinationPostId: string | null;
  newGradeId: string | null;
  legalBasis: string | null;
  legalAdviceReference: string | null;
  currentPensionScheme: string | null;
  pensionArrangement: string | null;
  payProtectionUntil: string | null;
  eliOverrideReason: string | null;
  eliOverrideBy: string | null;
  eliOverrideAt: string | null;
  consultationId: string | null;
  reg13OverrideReason: string | null;
  reg13OverrideBy: string | null;
  reg13OverrideAt: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

export type CasePatch = Partial<Pick<CaseRecord, CaseField>>;

const selectList = [
  'c.id',
  'c.programme_id AS "programmeId"',
  'c.employee_id AS "employeeId"',
  'c.post_id AS "postId"',
  'c.version',
  `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`,
  `to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`,
  ...Object.entries(CASE_COLUMNS).map(([field, { column, kind }]) => {
    switch (kind as Kind) {
      case 'date':
        return `c.${column}::text AS "${field}"`;
      case 'numeric':
        return `c.${column}::float8 AS "${field}"`;
      case 'timestamp':
        return `to_char(c.${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${field}"`;
      default:
        return `c.${column} AS "${field}"`;
    }
  }),
].join(', ');

/** Cases as plain records (the WHERE clause and parameters are the caller's). */
export async function selectCases(em: EntityManager, where: string, params: unknown[], suffix = ''): Promise<CaseRecord[]> {
  return em.query(`SELECT ${selectList} FROM transition_cases c WHERE ${where} ${suffix}`, params);
}

/** One case, optionally locked FOR UPDATE for the rest of the transaction. */
export async function loadCase(em: EntityManager, id: string, lock = false): Promise<CaseRecord | undefined> {
  const [row] = await selectCases(em, 'c.id = $1', [id], lock ? 'FOR UPDATE' : '');
  return row;
}

/** Write the fields of a patch, bump the version. */
export async function writeCase(em: EntityManager, id: string, patch: CasePatch): Promise<void> {
  const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [CaseField, unknown][];
  const sets = entries.map(([field], i) => `${CASE_COLUMNS[field].column} = $${i + 2}`);
  await em.query(`UPDATE transition_cases SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')} WHERE id = $1`, [
    id,
    ...entries.map(([, v]) => v),
  ]);
}

/** The fields of a case an audit row or a preview compares. */
export function caseFields(c: CaseRecord): Record<CaseField, unknown> {
  const out = {} as Record<CaseField, unknown>;
  for (const f of Object.keys(CASE_COLUMNS) as CaseField[]) out[f] = c[f];
  return out;
}

/** Field -> { from, to } for the fields that differ. */
export function diffCase(before: CaseRecord, after: CaseRecord): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const f of Object.keys(CASE_COLUMNS) as CaseField[]) {
    if (JSON.stringify(before[f]) !== JSON.stringify(after[f])) out[f] = { from: before[f], to: after[f] };
  }
  return out;
}

import type { EntityManager } from 'typeorm';
import { LEGAL_BASIS_LABELS, PENSION_SCHEME_LABELS, ROUTE_LABELS } from '../../cases/case-labels';
import type { CaseRoute } from '../../cases/case-state';
import { Cell, toXlsx } from '../../establishment/spreadsheet';

/**
 * The ELI schedule (TUPE 2006 reg. 11(2)): one row per person of the chosen cases, with the items
 * the regulation lists, taken from what the product holds. Where the product holds nothing for an
 * item the cell says so ("none recorded", "not held by this service"): nothing is invented.
 *
 * Two kinds: the anonymised **draft** (staff reference, age band; no name, date of birth or NI
 * number) and the named **final**. Every cell is text.
 */
export type EliKind = 'draft' | 'final';
export const ELI_KINDS: EliKind[] = ['draft', 'final'];

/** The routes whose people are in the schedule: those moving to the transferee (transfer) or working for it (secondment). */
export const ELI_ROUTES = ['secondment', 'tupe_transfer', 'cosop_transfer'] as const;

export const NONE_RECORDED = 'None recorded';
export const NOT_HELD = 'Not held by this service';

export interface EliPersonFacts {
  caseId: string;
  staffNumber: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string | null;
  postReference: string;
  postTitle: string;
  areaName: string;
  employerName: string | null;
  gradeCode: string;
  gradeName: string | null;
  payMin: string | null;
  payMax: string | null;
  annualPay: string | null;
  contractedFte: string;
  weeklyHours: string | null;
  contractType: string;
  contractEndsOn: string | null;
  startDate: string | null;
  continuousServiceDate: string | null;
  noticePeriodWeeks: number | null;
  pensionScheme: string | null;
  route: CaseRoute;
  moveDate: string | null;
  destinationName: string | null;
  legalBasis: string | null;
  disciplinaryGrievance: string | null;
  claims: string | null;
  collectiveAgreements: string | null;
}

/** The cases a schedule may cover: the programme's secondments and transfers not withdrawn. */
export async function eligibleCaseIds(em: EntityManager, programmeId: string): Promise<string[]> {
  const rows: { id: string }[] = await em.query(
    `SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id
      WHERE c.programme_id = $1 AND c.route = ANY($2::text[]) AND c.state <> 'withdrawn' ORDER BY p.reference, c.id`,
    [programmeId, ELI_ROUTES],
  );
  return rows.map((r) => r.id);
}

export async function loadEliFacts(em: EntityManager, caseIds: string[]): Promise<EliPersonFacts[]> {
  return em.query(
    `SELECT c.id AS "caseId", e.staff_number AS "staffNumber", e.first_name AS "firstName", e.last_name AS "lastName",
            e.date_of_birth::text AS "dateOfBirth", p.reference AS "postReference", p.title AS "postTitle", a.name AS "areaName",
            eo.name AS "employerName", g.code AS "gradeCode", g.name AS "gradeName", g.pay_min::text AS "payMin", g.pay_max::text AS "payMax",
            e.annual_pay::text AS "annualPay", e.contracted_fte::text AS "contractedFte", e.weekly_hours::text AS "weeklyHours",
            e.contract_type AS "contractType", e.contract_ends_on::text AS "contractEndsOn", e.start_date::text AS "startDate",
            e.continuous_service_date::text AS "continuousServiceDate", e.notice_period_weeks AS "noticePeriodWeeks",
            coalesce(c.current_pension_scheme, e.pension_scheme) AS "pensionScheme", c.route,
            coalesce(c.actual_effective_date, c.proposed_effective_date, c.secondment_start_date)::text AS "moveDate",
            coalesce(d.name, h.name) AS "destinationName", c.legal_basis AS "legalBasis",
            e.eli_disciplinary_grievance AS "disciplinaryGrievance", e.eli_claims AS "claims", e.eli_collective_agreements AS "collectiveAgreements"
       FROM transition_cases c
       JOIN employees e ON e.id = c.employee_id
       JOIN posts p ON p.id = c.post_id
       JOIN thematic_areas a ON a.id = p.thematic_area_id
       JOIN grades g ON g.id = p.grade_id
       LEFT JOIN organisations eo ON eo.id = coalesce(e.employer_organisation_id, p.organisation_id)
       LEFT JOIN organisations d ON d.id = c.destination_organisation_id
       LEFT JOIN organisations h ON h.id = c.host_organisation_id
      WHERE c.id = ANY($1::uuid[])
      ORDER BY p.reference, e.staff_number`,
    [caseIds],
  );
}

/** Whole years from a date of birth to a day (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function ageBand(age: number): string {
  if (age < 25) return 'Under 25';
  if (age >= 65) return '65 and over';
  const low = Math.floor((age - 25) / 10) * 10 + 25;
  return `${low}–${low + 9}`;
}

const CONTRACT_LABELS: Record<string, string> = { permanent: 'Permanent', fixed_term: 'Fixed term', temporary: 'Temporary', casual: 'Casual' };

const money = (v: string | null) => (v === null ? null : `£${Number(v).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const fte = (v: string) => String(Number(v));

function payBand(f: EliPersonFacts): string {
  const range = f.payMin !== null && f.payMax !== null ? ` (${money(f.payMin)} to ${money(f.payMax)})` : '';
  return `${f.gradeName ?? f.gradeCode}${range}`;
}

/** The header and rows of one schedule. `asOf` is the day ages are taken on when a case has no move date. */
export function eliRows(kind: EliKind, people: EliPersonFacts[], asOf: string): string[][] {
  const named = kind === 'final';
  const header = [
    'Staff reference',
    ...(named ? ['Name', 'Date of birth', 'Age at move', 'National Insurance number'] : ['Age band at move']),
    'Post reference',
    'Post title',
    'Thematic area',
    'Employer',
    'Grade',
    'Pay band (as held)',
    'Annual pay',
    'FTE',
    'Weekly hours',
    'Contract',
    'Contract ends',
    'Start date',
    'Continuous service from',
    'Notice period (weeks)',
    'Pension scheme',
    'Route',
    'Move date',
    'Transferee or host',
    'Legal basis',
    'Disciplinary and grievance (last two years)',
    'Claims brought or expected',
    'Collective agreements that apply',
  ];
  const rows = people.map((f) => {
    const ageDay = f.moveDate ?? asOf;
    const age = f.dateOfBirth ? ageOn(f.dateOfBirth, ageDay) : null;
    const identity = named
      ? [`${f.firstName} ${f.lastName}`, f.dateOfBirth ?? NONE_RECORDED, age === null ? NONE_RECORDED : String(age), NOT_HELD]
      : [age === null ? NONE_RECORDED : ageBand(age)];
    return [
      f.staffNumber,
      ...identity,
      f.postReference,
      f.postTitle,
      f.areaName,
      f.employerName ?? NONE_RECORDED,
      f.gradeCode,
      payBand(f),
      money(f.annualPay) ?? NONE_RECORDED,
      fte(f.contractedFte),
      f.weeklyHours === null ? NONE_RECORDED : fte(f.weeklyHours),
      CONTRACT_LABELS[f.contractType] ?? f.contractType,
      f.contractEndsOn ?? (f.contractType === 'permanent' ? 'Not applicable' : NONE_RECORDED),
      f.startDate ?? NONE_RECORDED,
      f.continuousServiceDate ?? f.startDate ?? NONE_RECORDED,
      f.noticePeriodWeeks === null ? NONE_RECORDED : String(f.noticePeriodWeeks),
      f.pensionScheme ? (PENSION_SCHEME_LABELS[f.pensionScheme] ?? f.pensionScheme) : NONE_RECORDED,
      ROUTE_LABELS[f.route] ?? f.route,
      f.moveDate ?? NONE_RECORDED,
      f.destinationName ?? NONE_RECORDED,
      f.legalBasis ? (LEGAL_BASIS_LABELS[f.legalBasis] ?? f.legalBasis) : f.route === 'secondment' ? 'Not applicable (secondment)' : NONE_RECORDED,
      f.disciplinaryGrievance?.trim() || NONE_RECORDED,
      f.claims?.trim() || NONE_RECORDED,
      f.collectiveAgreements?.trim() || NONE_RECORDED,
    ];
  });
  return [header, ...rows];
}

export interface EliWorkbookMeta {
  programmeName: string;
  kind: EliKind;
  builtOn: string;
  requestedBy: string;
}

/** The workbook: the schedule, and a sheet saying what it is and what the product does not hold. */
export async function eliWorkbook(meta: EliWorkbookMeta, people: EliPersonFacts[]): Promise<Buffer> {
  const rows: Cell[][] = eliRows(meta.kind, people, meta.builtOn);
  const about: Cell[][] = [
    ['Employee liability information', meta.kind === 'final' ? 'Final (named)' : 'Draft (anonymised: staff references and age bands, no names)'],
    ['Programme', meta.programmeName],
    ['Made on', meta.builtOn],
    ['Requested by', meta.requestedBy],
    ['People', String(people.length)],
    ['Rule', 'TUPE 2006 reg. 11(2): identity and age; particulars of employment; disciplinary and grievance records of the last two years; claims; collective agreements'],
    ['Deadline', 'At least 28 days before the transfer (14 days for a transfer before 1 May 2014), TUPE 2006 reg. 11(6)'],
    ['Not held', `"${NONE_RECORDED}" means this service holds no record of it; "${NOT_HELD}" means the service never stores it (National Insurance numbers)`],
  ];
  return toXlsx([
    { name: 'ELI schedule', rows, boldRows: [0], widths: rows[0].map((h) => Math.min(40, Math.max(12, String(h).length + 2))) },
    { name: 'About', rows: about, boldRows: [], widths: [22, 100] },
  ]);
}

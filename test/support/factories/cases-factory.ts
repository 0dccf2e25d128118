/**
 * Rows for people and cases tests, written with raw SQL so these tests do not depend on the
 * establishment API: organisations, a programme, grades, thematic areas, posts, employees,
 * assignments, cases and consultations.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';

const tag = () => randomBytes(4).toString('hex');

export interface TestEstablishment {
  programmeId: string;
  councilId: string;
  ccgId: string;
  /** Two in-scope areas and one out of scope. */
  areaIds: { a: string; b: string; out: string };
  gradeIds: { g5: string; g7: string; g9: string; band7: string };
}

export async function createEstablishment(sql: Client, opts: { goLive?: string } = {}): Promise<TestEstablishment> {
  const t = tag();
  const one = async (text: string, params: unknown[]): Promise<string> => (await sql.query(text, params)).rows[0].id;
  const councilId = await one(`INSERT INTO organisations (name, short_name, kind, status) VALUES ($1, $2, 'council', 'active') RETURNING id`, [`Council ${t}`, `C${t}`]);
  const ccgId = await one(`INSERT INTO organisations (name, short_name, kind, status) VALUES ($1, $2, 'merged_ccg', 'proposed') RETURNING id`, [`CCG ${t}`, `G${t}`]);
  const programmeId = await one(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ($1, $2, $3) RETURNING id`, [
    `Programme ${t}`,
    ccgId,
    opts.goLive ?? '2017-04-01',
  ]);
  await sql.query(`INSERT INTO programme_source_organisations (programme_id, organisation_id) VALUES ($1, $2)`, [programmeId, councilId]);
  const grade = (org: string, code: string, rank: number) =>
    one(`INSERT INTO grades (organisation_id, code, rank, report_group) VALUES ($1, $2, $3, $2) RETURNING id`, [org, code, rank]);
  const gradeIds = { g5: await grade(councilId, 'G5', 5), g7: await grade(councilId, 'G7', 7), g9: await grade(councilId, 'G9', 9), band7: await grade(ccgId, 'Band 7', 107) };
  const area = (name: string, scope: string, order: number) =>
    one(`INSERT INTO thematic_areas (programme_id, name, default_scope, sort_order) VALUES ($1, $2, $3, $4) RETURNING id`, [programmeId, name, scope, order]);
  const areaIds = { a: await area('Mental Health', 'in_scope', 1), b: await area('Learning Disability', 'in_scope', 2), out: await area('Homelessness', 'out_of_scope', 3) };
  return { programmeId, councilId, ccgId, areaIds, gradeIds };
}

export async function createPost(
  sql: Client,
  est: TestEstablishment,
  opts: { areaId?: string; gradeId?: string; organisationId?: string; fte?: number; reference?: string; scope?: string; status?: string; title?: string } = {},
): Promise<string> {
  const organisationId = opts.organisationId ?? est.councilId;
  const gradeId = opts.gradeId ?? (organisationId === est.ccgId ? est.gradeIds.band7 : est.gradeIds.g7);
  const { rows } = await sql.query(
    `INSERT INTO posts (programme_id, thematic_area_id, organisation_id, grade_id, reference, title, fte, establishment_status, scope)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      est.programmeId,
      opts.areaId ?? est.areaIds.a,
      organisationId,
      gradeId,
      opts.reference ?? `P-${tag()}`,
      opts.title ?? 'Commissioning Manager',
      opts.fte ?? 1,
      opts.status ?? 'filled',
      opts.scope ?? 'in_scope',
    ],
  );
  return rows[0].id;
}

export interface TestEmployee {
  id: string;
  staffNumber: string;
  firstName: string;
  lastName: string;
  workEmail: string;
}

/** An employee; by default with everything ELI needs, in the LGPS, full time. */
export async function createEmployee(
  sql: Client,
  opts: { eliComplete?: boolean; pensionScheme?: string | null; contractedFte?: number; continuousServiceDate?: string; startDate?: string; employerId?: string } = {},
): Promise<TestEmployee> {
  const t = tag();
  const e = { staffNumber: `S${t}`, firstName: `Firstname${t}`, lastName: `Lastname${t}`, workEmail: `person.${t}@council.example` };
  const complete = opts.eliComplete ?? true;
  const { rows } = await sql.query(
    `INSERT INTO employees (staff_number, first_name, last_name, work_email, employer_organisation_id, contracted_fte, start_date, continuous_service_date,
       pension_scheme, date_of_birth, annual_pay, weekly_hours, notice_period_weeks)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
    [
      e.staffNumber,
      e.firstName,
      e.lastName,
      e.workEmail,
      opts.employerId ?? null,
      opts.contractedFte ?? 1,
      opts.startDate ?? '2010-09-01',
      opts.continuousServiceDate ?? '2004-06-14',
      opts.pensionScheme === undefined ? 'lgps' : opts.pensionScheme,
      complete ? '1975-02-11' : null,
      complete ? 31520 : null,
      complete ? 37 : null,
      complete ? 4 : null,
    ],
  );
  return { id: rows[0].id, ...e };
}

export async function assign(sql: Client, employeeId: string, postId: string, opts: { fte?: number; startsOn?: string; endsOn?: string | null } = {}): Promise<string> {
  const { rows } = await sql.query(`INSERT INTO post_assignments (employee_id, post_id, fte, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5) RETURNING id`, [
    employeeId,
    postId,
    opts.fte ?? 1,
    opts.startsOn ?? '2015-04-01',
    opts.endsOn ?? null,
  ]);
  return rows[0].id;
}

export interface TestHolder {
  postId: string;
  employee: TestEmployee;
  assignmentId: string;
}

/** A filled post and the person in it. */
export async function createHolder(
  sql: Client,
  est: TestEstablishment,
  opts: { areaId?: string; fte?: number; gradeId?: string; reference?: string; eliComplete?: boolean; scope?: string } = {},
): Promise<TestHolder> {
  const postId = await createPost(sql, est, { areaId: opts.areaId, fte: opts.fte, gradeId: opts.gradeId, reference: opts.reference, scope: opts.scope });
  const employee = await createEmployee(sql, { eliComplete: opts.eliComplete, contractedFte: opts.fte ?? 1, employerId: est.councilId });
  const assignmentId = await assign(sql, employee.id, postId, { fte: opts.fte ?? 1 });
  return { postId, employee, assignmentId };
}

/** A case straight in the database (state proposed), for tests that need many; with the defaults the API would give it. */
export async function insertCase(
  sql: Client,
  est: TestEstablishment,
  holder: TestHolder,
  fields: { route?: string; proposedEffectiveDate?: string | null; destinationOrganisationId?: string | null; legalBasis?: string | null } = {},
): Promise<string> {
  const transfer = fields.route === 'tupe_transfer' || fields.route === 'cosop_transfer';
  const { rows } = await sql.query(
    `INSERT INTO transition_cases (programme_id, employee_id, post_id, route, proposed_effective_date, destination_organisation_id, legal_basis, legal_advice_reference,
       current_pension_scheme, stays_in_lgps)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $4 IN ('tupe_transfer', 'cosop_transfer') THEN e.pension_scheme END,
            CASE WHEN $4 = 'secondment' THEN e.pension_scheme = 'lgps' END
     FROM employees e WHERE e.id = $2
     RETURNING id`,
    [
      est.programmeId,
      holder.employee.id,
      holder.postId,
      fields.route ?? 'undecided',
      fields.proposedEffectiveDate === undefined ? (transfer ? '2017-04-01' : null) : fields.proposedEffectiveDate,
      fields.destinationOrganisationId === undefined ? (transfer ? est.ccgId : null) : fields.destinationOrganisationId,
      fields.legalBasis === undefined ? (transfer ? 'tupe_2006' : null) : fields.legalBasis,
      (fields.legalBasis === undefined ? transfer : fields.legalBasis) ? 'Legal advice LS/1' : null,
    ],
  );
  return rows[0].id;
}

/** Walk a case through states with raw updates (the database's state machine still applies). */
export async function walkCase(sql: Client, caseId: string, states: string[]): Promise<void> {
  for (const s of states) {
    if (s === 'effective') {
      await sql.query(`UPDATE case_checklist_items SET done_on = '2017-02-20', done_by_label = 'test', recorded_at = now() WHERE case_id = $1 AND item = 'eli_sent'`, [caseId]);
      await sql.query(`UPDATE transition_cases SET state = $2, actual_effective_date = coalesce(actual_effective_date, proposed_effective_date, '2017-04-01') WHERE id = $1`, [caseId, s]);
    } else {
      await sql.query(`UPDATE transition_cases SET state = $2 WHERE id = $1`, [caseId, s]);
    }
  }
}

/** A TUPE information and consultation covering the posts. */
export async function createConsultation(sql: Client, programmeId: string, postIds: string[], opts: { startDate?: string; plannedEndDate: string }): Promise<string> {
  const { rows } = await sql.query(
    `INSERT INTO consultations (programme_id, title, kind, start_date, planned_end_date, original_end_date)
     VALUES ($1, $2, 'tupe_information_consultation', $3, $4, $4) RETURNING id`,
    [programmeId, `Consultation ${tag()}`, opts.startDate ?? '2016-12-01', opts.plannedEndDate],
  );
  for (const p of postIds) await sql.query(`INSERT INTO consultation_posts (consultation_id, post_id) VALUES ($1, $2)`, [rows[0].id, p]);
  return rows[0].id;
}

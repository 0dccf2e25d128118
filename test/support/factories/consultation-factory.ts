/**
 * Rows for consultation and forum tests, written with raw SQL so these tests depend on nothing
 * but the migrated schema: a programme with its organisation, grades, thematic areas and posts,
 * and (for checks that no personal data leaks) a post holder.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';

const tag = () => randomBytes(4).toString('hex');

export interface ConsultationFixture {
  programmeId: string;
  organisationId: string;
  /** area name -> id */
  areaIds: Record<string, string>;
  /** grade code -> id */
  gradeIds: Record<string, string>;
}

export async function createProgramme(
  sql: Client,
  opts: { areas?: string[]; grades?: { code: string; rank: number; reportGroup?: string }[] } = {},
): Promise<ConsultationFixture> {
  const t = tag();
  const one = async (text: string, params: unknown[]): Promise<string> => (await sql.query(text, params)).rows[0].id;
  const organisationId = await one(`INSERT INTO organisations (name, short_name, kind, status) VALUES ($1, $2, 'council', 'active') RETURNING id`, [
    `Test Council ${t}`,
    `TC${t}`,
  ]);
  const ccgId = await one(`INSERT INTO organisations (name, kind, status) VALUES ($1, 'merged_ccg', 'proposed') RETURNING id`, [`Test CCG ${t}`]);
  const programmeId = await one(`INSERT INTO programmes (name, destination_organisation_id, go_live_date) VALUES ($1, $2, '2017-04-01') RETURNING id`, [
    `Test programme ${t}`,
    ccgId,
  ]);
  const areaIds: Record<string, string> = {};
  for (const [i, name] of (opts.areas ?? ['Mental Health', 'Learning Disability', 'Public Health Commissioning']).entries()) {
    areaIds[name] = await one(`INSERT INTO thematic_areas (programme_id, name, default_scope, sort_order) VALUES ($1, $2, 'in_scope', $3) RETURNING id`, [
      programmeId,
      name,
      i,
    ]);
  }
  const gradeIds: Record<string, string> = {};
  const grades = opts.grades ?? [
    { code: 'G5', rank: 5 },
    { code: 'G7', rank: 7 },
    { code: 'G9', rank: 9 },
    { code: 'G11', rank: 11 },
    { code: 'SS1', rank: 13, reportGroup: '>G12' },
  ];
  for (const g of grades) {
    gradeIds[g.code] = await one(`INSERT INTO grades (organisation_id, code, rank, report_group) VALUES ($1, $2, $3, $4) RETURNING id`, [
      organisationId,
      g.code,
      g.rank,
      g.reportGroup ?? g.code,
    ]);
  }
  return { programmeId, organisationId, areaIds, gradeIds };
}

/** `count` posts in one area and grade, each of `fte`. Returns their ids. */
export async function createPosts(
  sql: Client,
  f: ConsultationFixture,
  opts: { area: string; grade: string; count: number; fte?: number; status?: string; title?: string },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const { rows } = await sql.query(
      `INSERT INTO posts (programme_id, thematic_area_id, organisation_id, grade_id, reference, title, fte, establishment_status, scope)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'in_scope') RETURNING id`,
      [f.programmeId, f.areaIds[opts.area], f.organisationId, f.gradeIds[opts.grade], `P-${tag()}`, opts.title ?? 'Commissioning Officer', opts.fte ?? 1, opts.status ?? 'filled'],
    );
    ids.push(rows[0].id);
  }
  return ids;
}

export interface PostHolder {
  id: string;
  staffNumber: string;
  firstName: string;
  lastName: string;
  workEmail: string;
}

/** Someone holding the post: their name, staff number and email must never reach a tu_rep. */
export async function createPostHolder(sql: Client, postId: string): Promise<PostHolder> {
  const t = tag();
  const h = { staffNumber: `SN${t}`, firstName: `Holderfirst${t}`, lastName: `Holderlast${t}`, workEmail: `holder.${t}@council.example` };
  const { rows } = await sql.query(`INSERT INTO employees (staff_number, first_name, last_name, work_email) VALUES ($1, $2, $3, $4) RETURNING id`, [
    h.staffNumber,
    h.firstName,
    h.lastName,
    h.workEmail,
  ]);
  await sql.query(`INSERT INTO post_assignments (post_id, employee_id, fte, starts_on) SELECT id, $2, fte, '2015-01-01' FROM posts WHERE id = $1`, [
    postId,
    rows[0].id,
  ]);
  return { id: rows[0].id, ...h };
}

/** Today's date in London, and days from it, as YYYY-MM-DD. */
export function londonToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Domain events recorded for an entity, oldest first. */
export async function eventsFor(sql: Client, entityId: string): Promise<{ type: string; payload: Record<string, unknown>; programme_id: string | null }[]> {
  const { rows } = await sql.query(`SELECT type, payload, programme_id FROM domain_events WHERE entity_id = $1 ORDER BY occurred_at, id`, [entityId]);
  return rows;
}

/** Audit actions recorded for an entity, oldest first. */
export async function auditActions(sql: Client, entityId: string): Promise<string[]> {
  const { rows } = await sql.query(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [entityId]);
  return rows.map((r: { action: string }) => r.action);
}

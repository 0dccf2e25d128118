import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException } from '../common/errors/api-error';
import { assertProgrammeVisible, readableAreas } from './case-access';
import { selectCases } from './case-record';
import { DeadlineStatus } from './case-rules';
import { CASE_STATES, CaseRoute, CaseState } from './case-state';
import { buildCaseResponses, deadlineResponse, loadDeadlines } from './case-view';
import { CaseResponse, CaseTransitionResponse } from './dto/case.dto';
import { CasesService, filterSql } from './cases.service';

/** What the cases list page filters by (every condition given must hold). */
export interface CaseSearch {
  state?: CaseState[];
  route?: CaseRoute[];
  thematicAreaId?: string[];
  /** The organisation the person moves to: a transfer's destination or a secondment's host. */
  destinationOrganisationId?: string[];
  /** Cases with at least one deadline in one of these statuses, as at the as-at date. */
  deadline?: DeadlineStatus[];
  /** Part of the post reference or title, the person's name or staff number. */
  text?: string;
}

/** Keyset cursor: the (post reference, case id) of the row a page continues after (or before). */
export interface CaseCursor {
  reference: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCaseCursor(c: CaseCursor): string {
  return Buffer.from(JSON.stringify([c.reference, c.id]), 'utf8').toString('base64url');
}

export function decodeCaseCursor(text: string, field = 'cursor'): CaseCursor {
  const invalid = () => ApiException.validation([{ field, reason: 'is not a cursor this service gave out' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [reference, id] = parsed as unknown[];
  if (typeof reference !== 'string' || reference.length > 50 || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  return { reference, id };
}

export interface CaseSearchPage {
  items: CaseResponse[];
  /** Cases matching every filter. */
  total: number;
  /** Cases matching every filter but the state, by state (for the sub-navigation). */
  countsByState: Record<CaseState, number>;
  /** Cursors for the next and previous pages (null: none). */
  next: string | null;
  previous: string | null;
}

export interface CaseFilterOptions {
  areas: { id: string; name: string }[];
  destinations: { id: string; name: string }[];
}

export interface EmployeeCase {
  case: CaseResponse;
  transitions: CaseTransitionResponse[];
}

/**
 * Reading cases for the pages: the list with the filters HR asks for (beyond the API's state,
 * route and area: destination, deadline status, text), by keyset on (post reference, id); the
 * filter options; a person's cases. Same access rules as the API (CasesService.list): a manager
 * reads their areas only. Deadline statuses come from the same computation as a case's response.
 */
@Injectable()
export class CaseSearchService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cases: CasesService,
  ) {}

  async search(
    user: AuthUser,
    programmeId: string,
    q: CaseSearch,
    asOf: string,
    page: { after?: string; before?: string; limit?: number } = {},
  ): Promise<CaseSearchPage> {
    const em = this.db.manager;
    await assertProgrammeVisible(em, user, programmeId);
    const limit = Math.min(Math.max(page.limit ?? 25, 1), 200);
    const all = await this.whereFor(user, programmeId, q, asOf);
    const noState = await this.whereFor(user, programmeId, { ...q, state: undefined }, asOf);

    const [{ total }]: { total: number }[] = await em.query(`SELECT count(*)::int AS total FROM transition_cases c JOIN posts p ON p.id = c.post_id JOIN employees e ON e.id = c.employee_id WHERE ${all.where}`, all.params);
    const byState: { state: CaseState; n: number }[] = await em.query(
      `SELECT c.state, count(*)::int AS n FROM transition_cases c JOIN posts p ON p.id = c.post_id JOIN employees e ON e.id = c.employee_id WHERE ${noState.where} GROUP BY c.state`,
      noState.params,
    );
    const countsByState = Object.fromEntries(CASE_STATES.map((s) => [s, byState.find((r) => r.state === s)?.n ?? 0])) as Record<CaseState, number>;

    const params = [...all.params];
    let keyset = '';
    const backwards = !page.after && Boolean(page.before);
    const cursorText = page.after ?? page.before;
    if (cursorText) {
      const cursor = decodeCaseCursor(cursorText, page.after ? 'after' : 'before');
      params.push(cursor.reference, cursor.id);
      keyset = ` AND (p.reference, c.id) ${backwards ? '<' : '>'} ($${params.length - 1}, $${params.length}::uuid)`;
    }
    const ordered: { id: string; reference: string }[] = await em.query(
      `SELECT c.id, p.reference FROM transition_cases c JOIN posts p ON p.id = c.post_id JOIN employees e ON e.id = c.employee_id
       WHERE ${all.where}${keyset} ORDER BY p.reference ${backwards ? 'DESC' : 'ASC'}, c.id ${backwards ? 'DESC' : 'ASC'} LIMIT ${limit + 1}`,
      params,
    );
    const more = ordered.length > limit;
    const rows = ordered.slice(0, limit);
    if (backwards) rows.reverse();
    const records = rows.length ? await selectCases(em, 'c.id = ANY($1::uuid[])', [rows.map((r) => r.id)]) : [];
    const byId = new Map(records.map((r) => [r.id, r]));
    const items = await buildCaseResponses(em, rows.map((r) => byId.get(r.id)!), user, asOf);
    const first = rows[0];
    const last = rows[rows.length - 1];
    const hasNext = backwards ? Boolean(cursorText) : more;
    const hasPrevious = backwards ? more : Boolean(cursorText);
    return {
      items,
      total,
      countsByState,
      next: hasNext && last ? encodeCaseCursor({ reference: last.reference, id: last.id }) : null,
      previous: hasPrevious && first ? encodeCaseCursor({ reference: first.reference, id: first.id }) : null,
    };
  }

  /** The ids of every case matching the filters (for "change all N matching cases"), at most `max`. */
  async matchingIds(user: AuthUser, programmeId: string, q: CaseSearch, asOf: string, max: number): Promise<{ ids: string[]; total: number }> {
    const em = this.db.manager;
    await assertProgrammeVisible(em, user, programmeId);
    const { where, params } = await this.whereFor(user, programmeId, q, asOf);
    const rows: { id: string }[] = await em.query(
      `SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id JOIN employees e ON e.id = c.employee_id WHERE ${where} ORDER BY p.reference, c.id`,
      params,
    );
    return { ids: rows.slice(0, max).map((r) => r.id), total: rows.length };
  }

  /** Areas the caller may filter by, and the organisations the programme's cases move people to. */
  async filterOptions(user: AuthUser, programmeId: string): Promise<CaseFilterOptions> {
    const em = this.db.manager;
    await assertProgrammeVisible(em, user, programmeId);
    const areas = readableAreas(user);
    const areaRows: { id: string; name: string }[] = await em.query(
      `SELECT id, name FROM thematic_areas WHERE programme_id = $1 ${areas === 'all' ? '' : 'AND id = ANY($2::uuid[])'} ORDER BY sort_order, name`,
      areas === 'all' ? [programmeId] : [programmeId, areas],
    );
    const destinations: { id: string; name: string }[] = await em.query(
      `SELECT DISTINCT o.id, o.name FROM organisations o
       WHERE o.id IN (SELECT destination_organisation_id FROM transition_cases WHERE programme_id = $1
                      UNION SELECT host_organisation_id FROM transition_cases WHERE programme_id = $1)
          OR o.id = (SELECT destination_organisation_id FROM programmes WHERE id = $1)
       ORDER BY o.name`,
      [programmeId],
    );
    return { areas: areaRows, destinations };
  }

  /** Every organisation, by name (organisations are reference data every signed-in role may read). */
  async organisations(): Promise<{ id: string; name: string }[]> {
    return this.db.query(`SELECT id, name FROM organisations ORDER BY name`);
  }

  /** Every case of a person the caller may read (all programmes), with each one's state history. */
  async forEmployee(user: AuthUser, employeeId: string, asOf: string): Promise<EmployeeCase[]> {
    const em = this.db.manager;
    const areas = readableAreas(user);
    if (areas !== 'all' && !areas.length) throw new NotFoundException('Employee not found');
    const ids: { id: string }[] = await em.query(
      `SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id
       WHERE c.employee_id = $1 ${areas === 'all' ? '' : 'AND p.thematic_area_id = ANY($2::uuid[])'} ORDER BY c.created_at, c.id`,
      areas === 'all' ? [employeeId] : [employeeId, areas],
    );
    const out: EmployeeCase[] = [];
    for (const { id } of ids) out.push({ case: await this.cases.get(user, id, asOf), transitions: await this.cases.transitions(user, id) });
    return out;
  }

  private async whereFor(user: AuthUser, programmeId: string, q: CaseSearch, asOf: string): Promise<{ where: string; params: unknown[] }> {
    const base = filterSql(programmeId, { state: q.state, route: q.route, thematicAreaId: q.thematicAreaId }, readableAreas(user));
    const params = [...base.params];
    const parts = [base.where];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      parts.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (q.destinationOrganisationId?.length) add('coalesce(c.destination_organisation_id, c.host_organisation_id) = ANY(?::uuid[])', q.destinationOrganisationId);
    if (q.text?.trim()) {
      const like = `%${q.text.trim().toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      add(
        `(lower(p.reference) LIKE ? OR lower(p.title) LIKE ? OR lower(e.first_name || ' ' || e.last_name) LIKE ? OR lower(e.staff_number) LIKE ?)`,
        like,
      );
    }
    if (q.deadline?.length) {
      const wanted = new Set(q.deadline);
      const ids = new Set<string>();
      for (const d of await loadDeadlines(this.db.manager, programmeId)) if (wanted.has(deadlineResponse(d, asOf).status)) ids.add(d.caseId);
      add('c.id = ANY(?::uuid[])', [...ids]);
    }
    return { where: parts.join(' AND '), params };
  }
}

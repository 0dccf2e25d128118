import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS } from '../establishment/spreadsheet';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { daysBetween, todayInLondon } from '../common/dates';
import { assertProgrammeVisible, readableAreas } from './case-access';
import { DeadlineKind, REMINDER_KINDS } from './case-rules';
import { CASE_ROUTES, CASE_STATES, CaseRoute, CaseState, OPEN_STATES } from './case-state';
import { loadDeadlines } from './case-view';
import { PipelineCell, PipelineOverdue, PipelineResponse, PipelineUpcoming } from './dto/pipeline.dto';
import { showCount, suppressCaseCounts } from '../common/small-counts';

interface Row {
  id: string;
  route: CaseRoute;
  state: CaseState;
  effectiveDate: string | null;
  postReference: string;
  fte: string | null;
}

const hundredths = (fte: string | null) => (fte === null ? 0 : Math.round(Number(fte) * 100));
const fteOf = (h: number) => Number((h / 100).toFixed(2));
/** Upcoming effective dates listed. */
const UPCOMING_DATES = 50;

/**
 * A programme's pipeline: cases and FTE by route x state, the effective dates coming up and the
 * deadlines overdue. HR officers and admins see the programme, managers their areas (with case
 * ids), trade union reps the whole programme as counts only with small counts hidden.
 */
@Injectable()
export class PipelineService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async pipeline(user: AuthUser, programmeId: string, asOf?: string): Promise<PipelineResponse> {
    const em = this.db.manager;
    await assertProgrammeVisible(em, user, programmeId);
    const countsOnly = user.role === Role.TuRep;
    const areas = countsOnly ? 'all' : readableAreas(user);
    const today = asOf ?? todayInLondon();
    const params: unknown[] = [programmeId];
    if (areas !== 'all') params.push(areas);
    const rows: Row[] = await em.query(
      `SELECT c.id, c.route, c.state, coalesce(c.actual_effective_date, c.proposed_effective_date)::text AS "effectiveDate",
              p.reference AS "postReference",
              (SELECT a.fte::text FROM post_assignments a WHERE a.post_id = c.post_id AND a.employee_id = c.employee_id
                ORDER BY a.starts_on DESC, a.id LIMIT 1) AS fte
       FROM transition_cases c JOIN posts p ON p.id = c.post_id
       WHERE c.programme_id = $1 ${areas !== 'all' ? 'AND p.thematic_area_id = ANY($2::uuid[])' : ''}
       ORDER BY p.reference, c.id`,
      params,
    );

    const cellMap = new Map<string, { route: CaseRoute; state: CaseState; cases: number; h: number }>();
    for (const r of rows) {
      const key = `${r.route}/${r.state}`;
      const cell = cellMap.get(key) ?? { route: r.route, state: r.state, cases: 0, h: 0 };
      cell.cases += 1;
      cell.h += hundredths(r.fte);
      cellMap.set(key, cell);
    }
    const cellsInOrder = [...cellMap.values()].sort(
      (a, b) => CASE_ROUTES.indexOf(a.route) - CASE_ROUTES.indexOf(b.route) || CASE_STATES.indexOf(a.state) - CASE_STATES.indexOf(b.state),
    );
    const totalH = rows.reduce((s, r) => s + hundredths(r.fte), 0);

    const waiting = rows.filter((r) => (OPEN_STATES.includes(r.state) || r.state === CaseState.OnHold) && r.effectiveDate && r.effectiveDate >= today);
    const byDate = new Map<string, Row[]>();
    for (const r of waiting.sort((a, b) => a.effectiveDate!.localeCompare(b.effectiveDate!))) byDate.set(r.effectiveDate!, [...(byDate.get(r.effectiveDate!) ?? []), r]);
    const dates = [...byDate.entries()].slice(0, UPCOMING_DATES);

    const byId = new Map(rows.map((r) => [r.id, r]));
    const overdue = (await loadDeadlines(em, programmeId)).filter((d) => {
      const r = byId.get(d.caseId);
      return r && r.state !== CaseState.Completed && !REMINDER_KINDS.includes(d.kind) && !(d.doneOn && d.doneOn <= today) && d.dueOn < today;
    });

    if (countsOnly) {
      const kinds = Object.values(DeadlineKind)
        .map((kind) => ({ kind, n: overdue.filter((d) => d.kind === kind).length }))
        .filter((k) => k.n > 0);
      return {
        programmeId,
        asOf: today,
        coverage: 'programme',
        countsOnly: true,
        cells: suppressCaseCounts(cellsInOrder.map(({ route, state, cases }) => ({ route, state, cases }))) as PipelineCell[],
        total: { cases: showCount(rows.length) },
        upcomingEffective: dates.map(([date, rs]) => ({ date, cases: showCount(rs.length) })),
        overdueDeadlines: kinds.map(({ kind, n }) => ({ kind, cases: showCount(n) })),
      };
    }
    return {
      programmeId,
      asOf: today,
      coverage: areas === 'all' ? 'programme' : 'managed_areas',
      countsOnly: false,
      cells: cellsInOrder.map(({ route, state, cases, h }) => ({ route, state, cases, fte: fteOf(h) })),
      total: { cases: rows.length, fte: fteOf(totalH) },
      upcomingEffective: dates.map(
        ([date, rs]): PipelineUpcoming => ({ date, cases: rs.length, fte: fteOf(rs.reduce((s, r) => s + hundredths(r.fte), 0)), caseIds: rs.map((r) => r.id) }),
      ),
      overdueDeadlines: overdue.map((d): PipelineOverdue => {
        const r = byId.get(d.caseId)!;
        return {
          kind: d.kind,
          caseId: d.caseId,
          postReference: r.postReference,
          route: r.route,
          state: r.state,
          dueOn: d.dueOn,
          daysOverdue: daysBetween(d.dueOn, today),
        };
      }),
    };
  }

  /** The route x state table as CSV (the total last), by csv-stringify as every export. Trade union reps get counts only, small ones hidden. */
  toCsv(p: PipelineResponse): string {
    const rows: (string | number | null | undefined)[][] = [p.countsOnly ? ['route', 'state', 'cases'] : ['route', 'state', 'cases', 'fte']];
    for (const c of p.cells) rows.push([c.route, c.state, c.cases, ...(p.countsOnly ? [] : [c.fte])]);
    rows.push(['total', '', p.total.cases, ...(p.countsOnly ? [] : [p.total.fte])]);
    return stringify(rows, { ...CSV_OPTIONS, cast: { number: (n: number) => String(n) } });
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { SMALL_COUNT_LABEL, suppressTable } from '../common/small-counts';
import { hundredthsToNumber, hundredthsToText, toHundredths } from './decimal';
import { EstablishmentMatrixResponse, MatrixCell, MatrixColumn, MatrixTotals } from './dto/matrix.dto';
import { canSeeProgramme } from './establishment-access';
import { Scope } from './establishment.constants';
import { ReportSlots } from './report-slots';
import { notFound } from './establishment-errors';
import { Cell, XlsxSheetSpec } from './spreadsheet';

/**
 * The aggregate the matrix is built from: one row per (area, grade, scope, fte) of a programme's
 * live posts (establishment_matrix_counts(), see its migration: an index-only scan in grouping
 * order), with the grade's rank and report column. Grouping by the FTE value (a handful of values)
 * instead of summing numerics keeps the scan cheap; the exact sums are made here in integer
 * hundredths. Exported so the bench runs exactly this SQL through psql.
 */
export const MATRIX_SQL = `
  SELECT c.thematic_area_id, c.scope, c.fte::text AS fte, c.posts, g.rank, COALESCE(g.report_group, g.code) AS grp
  FROM establishment_matrix_counts($1) c JOIN grades g ON g.id = c.grade_id`;

interface Acc {
  posts: number;
  fte: number; // hundredths
}

const SUBTOTAL_KEYS: Record<Scope, keyof EstablishmentMatrixResponse['subtotals']> = {
  [Scope.InScope]: 'inScope',
  [Scope.OutOfScope]: 'outOfScope',
  [Scope.UnderReview]: 'underReview',
  [Scope.LaterPhase]: 'laterPhase',
};

const SCOPE_LABELS: Record<Scope, string> = {
  [Scope.InScope]: 'In scope',
  [Scope.OutOfScope]: 'Out of scope',
  [Scope.UnderReview]: 'Under review',
  [Scope.LaterPhase]: 'Later phase',
};

const cell = (a: Acc | undefined): MatrixCell => ({ posts: a?.posts ?? 0, fte: hundredthsToNumber(a?.fte ?? 0) });

/**
 * The establishment of a programme as the council's report counts it: rows thematic areas,
 * columns grade report groups (senior first), cells posts and FTE, totals and scope subtotals.
 * Deleted posts are not counted; filled, vacant and frozen posts are.
 */
@Injectable()
export class MatrixService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly slots: ReportSlots,
  ) {}

  async build(user: AuthUser, programmeId: string): Promise<EstablishmentMatrixResponse> {
    if (!canSeeProgramme(user, programmeId)) throw notFound('Programme', programmeId);
    // A heavy report: at most REPORT_CONCURRENCY at once per process, the rest wait (bounded) or get 503.
    return this.slots.run(() => this.compute(user, programmeId));
  }

  private async compute(user: AuthUser, programmeId: string): Promise<EstablishmentMatrixResponse> {
    // Three independent reads at once: the aggregate is the only one that costs anything.
    const [programmes, areas, aggregates] = await Promise.all([
      this.ds.query(`SELECT name FROM programmes WHERE id = $1`, [programmeId]) as Promise<{ name: string }[]>,
      this.ds.query(`SELECT id, name, default_scope FROM thematic_areas WHERE programme_id = $1 ORDER BY sort_order, name`, [programmeId]) as Promise<
        { id: string; name: string; default_scope: Scope }[]
      >,
      this.ds.query(MATRIX_SQL, [programmeId]) as Promise<{ thematic_area_id: string; scope: Scope; fte: string; posts: number; rank: number; grp: string }[]>,
    ]);
    if (!programmes.length) throw notFound('Programme', programmeId);
    return this.assemble(user, programmeId, programmes[0].name, areas, aggregates);
  }

  /**
   * The matrix from the aggregate rows (live, or a scenario's: src/scenarios reuses it with
   * scenario_matrix_counts()), for the caller's role.
   */
  assemble(
    user: AuthUser,
    programmeId: string,
    programmeName: string,
    areas: { id: string; name: string; default_scope: Scope }[],
    aggregates: { thematic_area_id: string; scope: Scope; fte: string; posts: number; rank: number; grp: string }[],
  ): EstablishmentMatrixResponse {
    const columnRank = new Map<string, number>();
    for (const a of aggregates) columnRank.set(a.grp, Math.max(columnRank.get(a.grp) ?? -Infinity, a.rank));
    const columns: MatrixColumn[] = [...columnRank.entries()]
      .map(([key, rank]) => ({ key, rank }))
      .sort((a, b) => b.rank - a.rank || a.key.localeCompare(b.key));

    const byAreaGroup = new Map<string, Acc>(); // `${area}|${group}`
    const byArea = new Map<string, Acc>();
    const byGroup = new Map<string, Acc>();
    const byScopeGroup = new Map<string, Acc>(); // `${scope}|${group}`
    const byScope = new Map<Scope, Acc>();
    const grand: Acc = { posts: 0, fte: 0 };
    const bump = <K>(m: Map<K, Acc>, k: K, posts: number, fte: number) => {
      const a = m.get(k) ?? { posts: 0, fte: 0 };
      a.posts += posts;
      a.fte += fte;
      m.set(k, a);
    };
    for (const a of aggregates) {
      const group = a.grp;
      const fte = toHundredths(a.fte) * a.posts;
      bump(byAreaGroup, `${a.thematic_area_id}|${group}`, a.posts, fte);
      bump(byArea, a.thematic_area_id, a.posts, fte);
      bump(byGroup, group, a.posts, fte);
      bump(byScopeGroup, `${a.scope}|${group}`, a.posts, fte);
      bump(byScope, a.scope, a.posts, fte);
      grand.posts += a.posts;
      grand.fte += fte;
    }

    const cellsOf = (get: (group: string) => Acc | undefined): Record<string, MatrixCell> =>
      Object.fromEntries(columns.map((c) => [c.key, cell(get(c.key))]));
    const subtotal = (scope: Scope): MatrixTotals => ({ cells: cellsOf((g) => byScopeGroup.get(`${scope}|${g}`)), total: cell(byScope.get(scope)) });

    const matrix: EstablishmentMatrixResponse = {
      programmeId,
      programmeName,
      countsSuppressed: false,
      columns,
      rows: areas.map((area) => ({
        thematicAreaId: area.id,
        thematicAreaName: area.name,
        defaultScope: area.default_scope,
        cells: cellsOf((g) => byAreaGroup.get(`${area.id}|${g}`)),
        total: cell(byArea.get(area.id)),
      })),
      totals: { cells: cellsOf((g) => byGroup.get(g)), total: cell(grand) },
      subtotals: {
        inScope: subtotal(Scope.InScope),
        outOfScope: subtotal(Scope.OutOfScope),
        underReview: subtotal(Scope.UnderReview),
        laterPhase: subtotal(Scope.LaterPhase),
      },
    };
    // A trade union rep sees counts with the one small-count rule (src/common/small-counts.ts).
    return user.role === Role.TuRep ? suppressForRep(matrix) : matrix;
  }

  /**
   * The matrix as a sheet: one row per area, then Total and the scope subtotals; for each column
   * a posts and an FTE column, then the row totals.
   */
  toRows(m: EstablishmentMatrixResponse): Cell[][] {
    const header: Cell[] = ['Thematic area', 'Default scope'];
    for (const c of m.columns) header.push(`${c.key} posts`, `${c.key} FTE`);
    header.push('Total posts', 'Total FTE');
    const line = (label: string, scope: string, cells: Record<string, MatrixCell>, total: MatrixCell): Cell[] => {
      const out: Cell[] = [label, scope];
      for (const c of m.columns) out.push(cells[c.key].posts, fteText(cells[c.key].fte));
      out.push(total.posts, fteText(total.fte));
      return out;
    };
    const rows: Cell[][] = [header];
    for (const r of m.rows) rows.push(line(r.thematicAreaName, SCOPE_LABELS[r.defaultScope], r.cells, r.total));
    rows.push(line('Total', '', m.totals.cells, m.totals.total));
    for (const scope of Object.values(Scope)) {
      const s = m.subtotals[SUBTOTAL_KEYS[scope]];
      rows.push(line(`Subtotal: ${SCOPE_LABELS[scope].toLowerCase()}`, SCOPE_LABELS[scope], s.cells, s.total));
    }
    return rows;
  }

  toXlsxSheet(m: EstablishmentMatrixResponse): XlsxSheetSpec {
    // FTE columns as numbers; a hidden count ("<5", or withheld) stays as text.
    const rows = this.toRows(m).map((r, i) => (i === 0 ? r : r.map((v, j) => (j >= 2 && typeof v === 'string' && v !== '' && v !== SMALL_COUNT_LABEL ? Number(v) : v))));
    const n = m.rows.length;
    const fteColumns = [...m.columns.map((_, i) => 3 + 2 * i), 3 + 2 * m.columns.length];
    return {
      name: 'Establishment',
      rows,
      boldRows: [0, n + 1],
      decimalColumns: fteColumns,
      widths: [40, 14, ...m.columns.flatMap(() => [10, 10]), 12, 12],
    };
  }
}

/** FTE as exact text for CSV ('66.2'), from the JSON number; a hidden count stays as shown ("<5", or empty when withheld). */
function fteText(n: MatrixCell['fte']): string {
  if (n === null) return '';
  if (typeof n === 'string') return n;
  return hundredthsToText(toHundredths(n));
}

const SUBTOTALS = ['inScope', 'outOfScope', 'underReview', 'laterPhase'] as const;

/**
 * The matrix as a trade union rep may see it: every cell, row and column total, grand total and
 * scope subtotal under 5 posts shows "<5" (its FTE too), and complementary cells are withheld
 * (null) so that no hidden count can be worked out from a row, a column or a subtotal.
 */
export function suppressForRep(m: EstablishmentMatrixResponse): EstablishmentMatrixResponse {
  const cols = m.columns.map((c) => c.key);
  const counts = new Map<string, number>();
  const cellOf = new Map<string, MatrixCell>();
  const put = (key: string, c: MatrixCell) => {
    counts.set(key, c.posts as number);
    cellOf.set(key, c);
  };
  for (const r of m.rows) {
    for (const k of cols) put(`${r.thematicAreaId}|${k}`, r.cells[k]);
    put(`${r.thematicAreaId}|*`, r.total);
  }
  for (const k of cols) put(`*|${k}`, m.totals.cells[k]);
  put('*|*', m.totals.total);
  for (const s of SUBTOTALS) {
    for (const k of cols) put(`${s}|${k}`, m.subtotals[s].cells[k]);
    put(`${s}|*`, m.subtotals[s].total);
  }
  const lines: { parts: string[]; total: string }[] = [];
  for (const r of [...m.rows.map((x) => x.thematicAreaId), '*', ...SUBTOTALS]) lines.push({ parts: cols.map((k) => `${r}|${k}`), total: `${r}|*` });
  for (const k of [...cols, '*']) {
    lines.push({ parts: m.rows.map((r) => `${r.thematicAreaId}|${k}`), total: `*|${k}` });
    lines.push({ parts: SUBTOTALS.map((s) => `${s}|${k}`), total: `*|${k}` });
  }
  const { small, complementary } = suppressTable(counts, lines);
  const shown = (key: string): MatrixCell => {
    if (small.has(key)) return { posts: SMALL_COUNT_LABEL, fte: SMALL_COUNT_LABEL };
    if (complementary.has(key)) return { posts: null, fte: null };
    return { ...(cellOf.get(key) as MatrixCell) };
  };
  const line = (r: string) => ({ cells: Object.fromEntries(cols.map((k) => [k, shown(`${r}|${k}`)])), total: shown(`${r}|*`) });
  return {
    ...m,
    countsSuppressed: true,
    rows: m.rows.map((r) => ({ ...r, ...line(r.thematicAreaId) })),
    totals: line('*'),
    subtotals: Object.fromEntries(SUBTOTALS.map((s) => [s, line(s)])) as unknown as EstablishmentMatrixResponse['subtotals'],
  };
}

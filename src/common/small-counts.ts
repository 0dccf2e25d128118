/**
 * Small-count suppression: the one rule for every count a trade union rep sees (status view,
 * matrix page, matrix JSON/CSV/XLSX). A count of posts under 5 could identify the people in
 * those posts, so it is shown as "<5".
 *
 * - The FTE of a suppressed cell is suppressed too: FTE bounds the head count (2.6 FTE means at
 *   least 3 posts), so showing it would undo the suppression.
 * - Complementary suppression: when exactly one cell of a breakdown is suppressed, the total and
 *   the other cells would give it away by subtraction, so the smallest other cell is withheld too
 *   (its posts and FTE shown as null, marked 'complementary').
 */
export const SMALL_COUNT_THRESHOLD = 5;
export const SMALL_COUNT_LABEL = '<5';

export type Suppression = 'fewer_than_5' | 'complementary';
export type ShownCount = number | typeof SMALL_COUNT_LABEL | null;

export interface CountCell {
  posts: number;
  fte: number;
}

export interface ShownCell {
  posts: ShownCount;
  fte: ShownCount;
  suppressed: Suppression | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function showTotal(total: CountCell): ShownCell {
  if (total.posts < SMALL_COUNT_THRESHOLD) return { posts: SMALL_COUNT_LABEL, fte: SMALL_COUNT_LABEL, suppressed: 'fewer_than_5' };
  return { posts: total.posts, fte: round2(total.fte), suppressed: null };
}

export function showCount(n: number): number | typeof SMALL_COUNT_LABEL {
  return n < SMALL_COUNT_THRESHOLD ? SMALL_COUNT_LABEL : n;
}

/**
 * The rules above for one breakdown (a list of counts that add up to a shown total): which cells
 * are shown as "<5" and which one is withheld as complementary. `tiebreak` orders equal counts
 * when choosing the complementary cell (FTE for posts), then the position.
 */
export function breakdownSuppression(counts: number[], tiebreak: number[] = []): (Suppression | null)[] {
  const small = counts.map((n) => n < SMALL_COUNT_THRESHOLD);
  let complementary = -1;
  if (small.filter(Boolean).length === 1) {
    const next = counts
      .map((n, i) => ({ n, t: tiebreak[i] ?? 0, i }))
      .filter(({ i }) => !small[i])
      .sort((a, b) => a.n - b.n || a.t - b.t || a.i - b.i)[0];
    if (next) complementary = next.i;
  }
  return counts.map((_, i) => (small[i] ? 'fewer_than_5' : i === complementary ? 'complementary' : null));
}

/** Apply the rules above to one breakdown of posts and FTE (by grade, or by thematic area). Order is kept. */
export function suppressSmallCounts<T extends CountCell>(cells: T[]): (Omit<T, 'posts' | 'fte'> & ShownCell)[] {
  const marks = breakdownSuppression(
    cells.map((c) => c.posts),
    cells.map((c) => c.fte),
  );
  return cells.map(({ posts, fte, ...rest }, i) => {
    if (marks[i] === 'fewer_than_5') return { ...rest, posts: SMALL_COUNT_LABEL, fte: SMALL_COUNT_LABEL, suppressed: 'fewer_than_5' as const };
    if (marks[i] === 'complementary') return { ...rest, posts: null, fte: null, suppressed: 'complementary' as const };
    return { ...rest, posts, fte: round2(fte), suppressed: null };
  });
}

/** The same rule for a breakdown of cases (the pipeline): `cases` is the count. */
export function suppressCaseCounts<T extends { cases: number }>(cells: T[]): (Omit<T, 'cases'> & { cases: ShownCount; suppressed: Suppression | null })[] {
  const marks = breakdownSuppression(cells.map((c) => c.cases));
  return cells.map(({ cases, ...rest }, i) => ({
    ...rest,
    cases: marks[i] === 'fewer_than_5' ? SMALL_COUNT_LABEL : marks[i] === 'complementary' ? null : cases,
    suppressed: marks[i],
  }));
}

/**
 * The same rule for a table with totals (the establishment matrix): every count under 5 is shown as
 * "<5", and then, line by line (each row with its total, each column with its total, each partition
 * of a total), wherever exactly one member of a line is hidden, the smallest visible part of that
 * line (or its total) is withheld too, until no hidden count can be worked out by subtraction.
 *
 * `lines` lists, for each additive line, the keys of its parts and of its total. Returns the keys to
 * show as "<5" and those withheld as complementary.
 */
export function suppressTable(counts: Map<string, number>, lines: { parts: string[]; total: string }[]): { small: Set<string>; complementary: Set<string> } {
  const small = new Set([...counts].filter(([, n]) => n < SMALL_COUNT_THRESHOLD).map(([k]) => k));
  const complementary = new Set<string>();
  const hidden = (k: string) => small.has(k) || complementary.has(k);
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const members = [...line.parts, line.total];
      if (members.filter(hidden).length !== 1) continue;
      const candidates = line.parts.filter((k) => !hidden(k)).sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0) || a.localeCompare(b));
      complementary.add(candidates[0] ?? line.total);
      changed = true;
    }
  }
  return { small, complementary };
}

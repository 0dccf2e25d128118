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

/** Apply the rules above to one breakdown (by grade, or by thematic area). Order is kept. */
export function suppressSmallCounts<T extends CountCell>(cells: T[]): (Omit<T, 'posts' | 'fte'> & ShownCell)[] {
  const small = new Set(cells.map((c, i) => (c.posts < SMALL_COUNT_THRESHOLD ? i : -1)).filter((i) => i >= 0));
  const complementary = new Set<number>();
  if (small.size === 1) {
    const next = cells
      .map((c, i) => ({ c, i }))
      .filter(({ i }) => !small.has(i))
      .sort((a, b) => a.c.posts - b.c.posts || a.c.fte - b.c.fte)[0];
    if (next) complementary.add(next.i);
  }
  return cells.map(({ posts, fte, ...rest }, i) => {
    if (small.has(i)) return { ...rest, posts: SMALL_COUNT_LABEL, fte: SMALL_COUNT_LABEL, suppressed: 'fewer_than_5' as const };
    if (complementary.has(i)) return { ...rest, posts: null, fte: null, suppressed: 'complementary' as const };
    return { ...rest, posts, fte: round2(fte), suppressed: null };
  });
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

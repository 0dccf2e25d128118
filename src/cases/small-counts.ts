/**
 * Counts for trade union reps: any count under 5 is shown as "<5" (it could identify the people
 * behind it). When exactly one cell of a breakdown is hidden, the total and the other cells would
 * give it away by subtraction, so the smallest other cell is withheld too (null, 'complementary').
 */
export const SMALL_COUNT_THRESHOLD = 5;
export const SMALL_COUNT_LABEL = '<5';
export type ShownCount = number | typeof SMALL_COUNT_LABEL | null;

export function showCount(n: number): number | typeof SMALL_COUNT_LABEL {
  return n < SMALL_COUNT_THRESHOLD ? SMALL_COUNT_LABEL : n;
}

export function suppressCells<T extends { cases: number }>(cells: T[]): (Omit<T, 'cases'> & { cases: ShownCount; suppressed: 'fewer_than_5' | 'complementary' | null })[] {
  const small = new Set(cells.flatMap((c, i) => (c.cases < SMALL_COUNT_THRESHOLD ? [i] : [])));
  let complementary = -1;
  if (small.size === 1) {
    const others = cells.map((c, i) => ({ n: c.cases, i })).filter(({ i }) => !small.has(i));
    if (others.length) complementary = others.sort((a, b) => a.n - b.n || a.i - b.i)[0].i;
  }
  return cells.map(({ cases, ...rest }, i) => {
    if (small.has(i)) return { ...rest, cases: SMALL_COUNT_LABEL, suppressed: 'fewer_than_5' as const };
    if (i === complementary) return { ...rest, cases: null, suppressed: 'complementary' as const };
    return { ...rest, cases, suppressed: null };
  });
}

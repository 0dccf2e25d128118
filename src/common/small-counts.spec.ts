import { showCount, showTotal, SMALL_COUNT_LABEL, suppressCaseCounts, suppressSmallCounts, suppressTable } from './small-counts';

describe('small counts: one rule for every count a trade union rep sees', () => {
  it('hides counts under 5 and, in a breakdown, the smallest other cell when only one is hidden', () => {
    const shown = suppressSmallCounts([
      { k: 'a', posts: 3, fte: 2.5 },
      { k: 'b', posts: 7, fte: 7 },
      { k: 'c', posts: 9, fte: 8 },
    ]);
    expect(shown.map((c) => [c.k, c.posts, c.fte, c.suppressed])).toEqual([
      ['a', SMALL_COUNT_LABEL, SMALL_COUNT_LABEL, 'fewer_than_5'],
      ['b', null, null, 'complementary'],
      ['c', 9, 8, null],
    ]);
  });

  it('in a table, leaves no hidden count that a row or column total gives away', () => {
    // rows r1, r2; columns c1, c2; totals
    const counts = new Map<string, number>([
      ['r1|c1', 2], ['r1|c2', 10], ['r1|t', 12],
      ['r2|c1', 8], ['r2|c2', 9], ['r2|t', 17],
      ['t|c1', 10], ['t|c2', 19], ['t|t', 29],
    ]);
    const lines = [
      { parts: ['r1|c1', 'r1|c2'], total: 'r1|t' },
      { parts: ['r2|c1', 'r2|c2'], total: 'r2|t' },
      { parts: ['t|c1', 't|c2'], total: 't|t' },
      { parts: ['r1|c1', 'r2|c1'], total: 't|c1' },
      { parts: ['r1|c2', 'r2|c2'], total: 't|c2' },
      { parts: ['r1|t', 'r2|t'], total: 't|t' },
    ];
    const { small, complementary } = suppressTable(counts, lines);
    expect([...small]).toEqual(['r1|c1']);
    const hidden = new Set([...small, ...complementary]);
    for (const line of lines) expect([...line.parts, line.total].filter((k) => hidden.has(k)).length).not.toBe(1);
  });

  it('hides nothing more when every count is 5 or more', () => {
    const counts = new Map([['a', 5], ['b', 6], ['t', 11]]);
    const { small, complementary } = suppressTable(counts, [{ parts: ['a', 'b'], total: 't' }]);
    expect([...small, ...complementary]).toEqual([]);
  });
});

describe('small-count suppression', () => {
  it('shows a count under 5 as "<5", with its FTE suppressed too', () => {
    const out = suppressSmallCounts([
      { grade: 'G7', posts: 31, fte: 28.4 },
      { grade: 'G5', posts: 13, fte: 12.6 },
      { grade: 'G9', posts: 6, fte: 5.5 },
      { grade: 'G11', posts: 3, fte: 2.6 },
    ]);
    expect(out).toEqual([
      { grade: 'G7', posts: 31, fte: 28.4, suppressed: null },
      { grade: 'G5', posts: 13, fte: 12.6, suppressed: null },
      // the only small cell: the smallest other cell is withheld so it cannot be had by subtraction
      { grade: 'G9', posts: null, fte: null, suppressed: 'complementary' },
      { grade: 'G11', posts: '<5', fte: '<5', suppressed: 'fewer_than_5' },
    ]);
  });

  it('needs no complementary suppression when two or more cells are small', () => {
    const out = suppressSmallCounts([
      { area: 'A', posts: 10, fte: 10 },
      { area: 'B', posts: 2, fte: 2 },
      { area: 'C', posts: 1, fte: 0.5 },
    ]);
    expect(out.map((c) => c.suppressed)).toEqual([null, 'fewer_than_5', 'fewer_than_5']);
    expect(out[0]).toEqual({ area: 'A', posts: 10, fte: 10, suppressed: null });
  });

  it('shows exactly 5 as 5 and suppresses a small total', () => {
    expect(suppressSmallCounts([{ k: 'x', posts: 5, fte: 4.5 }])).toEqual([{ k: 'x', posts: 5, fte: 4.5, suppressed: null }]);
    expect(showTotal({ posts: 4, fte: 3.2 })).toEqual({ posts: '<5', fte: '<5', suppressed: 'fewer_than_5' });
    expect(showTotal({ posts: 72, fte: 66.2 })).toEqual({ posts: 72, fte: 66.2, suppressed: null });
  });
});

describe('small counts of cases (the pipeline)', () => {
  it('shows any count under 5 as "<5"', () => {
    expect([0, 1, 4, 5, 12].map(showCount)).toEqual(['<5', '<5', '<5', 5, 12]);
  });

  it('withholds the smallest other cell when exactly one cell is hidden', () => {
    const out = suppressCaseCounts([{ k: 'a', cases: 3 }, { k: 'b', cases: 9 }, { k: 'c', cases: 7 }]);
    expect(out.map((c) => c.cases)).toEqual(['<5', 9, null]);
    expect(out.map((c) => c.suppressed)).toEqual(['fewer_than_5', null, 'complementary']);
  });

  it('needs no complementary cell when two or more are hidden', () => {
    expect(suppressCaseCounts([{ cases: 3 }, { cases: 2 }, { cases: 8 }]).map((c) => c.cases)).toEqual(['<5', '<5', 8]);
  });
});

import { SMALL_COUNT_LABEL, suppressSmallCounts, suppressTable } from './small-counts';

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

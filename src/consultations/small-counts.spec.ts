import { showTotal, suppressSmallCounts } from './small-counts';

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

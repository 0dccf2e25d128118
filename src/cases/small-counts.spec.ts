import { showCount, suppressCells } from './small-counts';

describe('small counts for trade union reps', () => {
  it('shows any count under 5 as "<5"', () => {
    expect([0, 1, 4, 5, 12].map(showCount)).toEqual(['<5', '<5', '<5', 5, 12]);
  });

  it('withholds the smallest other cell when exactly one cell is hidden', () => {
    const out = suppressCells([{ k: 'a', cases: 3 }, { k: 'b', cases: 9 }, { k: 'c', cases: 7 }]);
    expect(out.map((c) => c.cases)).toEqual(['<5', 9, null]);
    expect(out.map((c) => c.suppressed)).toEqual(['fewer_than_5', null, 'complementary']);
  });

  it('needs no complementary cell when two or more are hidden', () => {
    expect(suppressCells([{ cases: 3 }, { cases: 2 }, { cases: 8 }]).map((c) => c.cases)).toEqual(['<5', '<5', 8]);
  });
});

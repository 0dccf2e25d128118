import { deriveDeadlines, groupVersions, minimumPeriodProblem, RuleBand, versionInForce, versionProblems } from './collective-redundancy';

const band = (appliesFrom: string, min: number, max: number | null, days: number): RuleBand => ({
  id: `${appliesFrom}-${min}`,
  appliesFrom,
  minDismissals: min,
  maxDismissals: max,
  minimumPeriodDays: days,
  hr1DaysBefore: days,
  citation: 'TULRCA 1992 s.188',
});
const versions = groupVersions([band('1995-10-26', 20, 99, 30), band('1995-10-26', 100, null, 90), band('2013-04-06', 100, null, 45), band('2013-04-06', 20, 99, 30)]);

describe('collective redundancy rules (TULRCA s.188)', () => {
  it('picks the version in force on the start date', () => {
    expect(versionInForce(versions, '2013-04-05')!.appliesFrom).toBe('1995-10-26');
    expect(versionInForce(versions, '2013-04-06')!.appliesFrom).toBe('2013-04-06');
    expect(versionInForce(versions, '1990-01-01')).toBeNull();
  });

  it('derives 45 days for 100 dismissals, 30 for 20 to 99 and none under 20', () => {
    const v = versionInForce(versions, '2024-01-01')!;
    const c = { startDate: '2024-01-01', plannedEndDate: '2024-03-01', firstDismissalDate: null };
    expect(deriveDeadlines(v, { ...c, proposedDismissals: 100 })).toMatchObject({ minimumPeriodDays: 45, minimumEndDate: '2024-02-14' });
    expect(deriveDeadlines(v, { ...c, proposedDismissals: 99 })).toMatchObject({ minimumPeriodDays: 30, minimumEndDate: '2024-01-30' });
    expect(deriveDeadlines(v, { ...c, proposedDismissals: 20 })).toMatchObject({ minimumPeriodDays: 30 });
    expect(deriveDeadlines(v, { ...c, proposedDismissals: 19 })).toMatchObject({ rule: null, minimumPeriodDays: null, minimumEndDate: null, hr1DueDate: null });
  });

  it('counts the HR1 deadline back from the first dismissal', () => {
    const v = versionInForce(versions, '2024-01-01')!;
    // No first dismissal date: the day after the planned end.
    expect(deriveDeadlines(v, { startDate: '2024-01-01', plannedEndDate: '2024-02-14', proposedDismissals: 100, firstDismissalDate: null }).hr1DueDate).toBe('2024-01-01');
    expect(deriveDeadlines(v, { startDate: '2024-01-01', plannedEndDate: '2024-02-14', proposedDismissals: 100, firstDismissalDate: '2024-03-31' }).hr1DueDate).toBe('2024-02-15');
  });

  it('explains why an end date at day 40 is too early for 100 dismissals', () => {
    const v = versionInForce(versions, '2024-01-01')!;
    const c = { startDate: '2024-01-01', plannedEndDate: '2024-02-09', proposedDismissals: 100, firstDismissalDate: null };
    const msg = minimumPeriodProblem(deriveDeadlines(v, c), c);
    expect(msg).toContain('at least 45 days');
    expect(msg).toContain('on or after 2024-02-14 (day 45)');
    expect(msg).toContain('2024-02-09 is day 40');
    const ok = { ...c, plannedEndDate: '2024-02-14' };
    expect(minimumPeriodProblem(deriveDeadlines(v, ok), ok)).toBeNull();
  });

  it('refuses overlapping bands in a new version', () => {
    expect(versionProblems([{ minDismissals: 20, maxDismissals: 99 }, { minDismissals: 100, maxDismissals: null }])).toEqual([]);
    expect(versionProblems([{ minDismissals: 20, maxDismissals: null }, { minDismissals: 100, maxDismissals: null }])).toEqual([
      { field: 'bands[1].minDismissals', reason: 'overlaps the band starting at 20' },
    ]);
  });
});

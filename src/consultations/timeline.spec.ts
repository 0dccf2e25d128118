import { ConsultationStatus } from './entities/consultation.entity';
import { timeline } from './timeline';

const c = { status: ConsultationStatus.Open, startDate: '2016-12-01', plannedEndDate: '2017-01-14', originalEndDate: '2017-01-14', closedOn: null };

describe('consultation timeline', () => {
  it('counts the start date as day 1 and the end date as day M', () => {
    expect(timeline(c, '2016-12-01')).toMatchObject({ phase: 'open', day: 1, totalDays: 45, daysLeft: 44 });
    expect(timeline(c, '2017-01-14')).toMatchObject({ phase: 'open', day: 45, totalDays: 45, daysLeft: 0, phaseLabel: 'Day 45 of 45: 0 days left' });
    expect(timeline(c, '2016-12-12')).toMatchObject({ day: 12, daysLeft: 33, phaseLabel: 'Day 12 of 45: 33 days left' });
  });

  it('says when the period has run out but the consultation is not closed', () => {
    expect(timeline(c, '2017-01-15')).toMatchObject({ phase: 'period_ended', day: 45, daysLeft: 0 });
  });

  it('describes planned, extended and closed consultations', () => {
    expect(timeline({ ...c, status: ConsultationStatus.Planned }, '2016-11-29')).toMatchObject({ phase: 'planned', daysUntilStart: 2, day: null });
    expect(timeline({ ...c, status: ConsultationStatus.Extended, plannedEndDate: '2017-01-31' }, '2017-01-20')).toMatchObject({
      phase: 'extended',
      day: 51,
      totalDays: 62,
      daysLeft: 11,
      phaseLabel: 'Day 51 of 62: 11 days left (extended from 2017-01-14 to 2017-01-31)',
    });
    expect(timeline({ ...c, status: ConsultationStatus.Closed, closedOn: '2017-01-20' }, '2017-02-01')).toMatchObject({ phase: 'closed', day: null, daysLeft: 0 });
    // As at a date before it closed, it was still open then.
    expect(timeline({ ...c, status: ConsultationStatus.Closed, closedOn: '2017-01-14' }, '2017-01-04')).toMatchObject({ phase: 'open', day: 35, daysLeft: 10 });
  });
});

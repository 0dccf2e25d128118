import type { MilestoneUpcomingPayload } from '../../../src/events/domain-event';

/**
 * The i-th milestone.upcoming payload for a programme's forum, whole and typed, as
 * MilestoneRemindersService emits it (a measures letter due in 7 days): for tests and benches that
 * need many forum notices without consultations behind them.
 */
export const forumMilestoneUpcoming = (i: number): MilestoneUpcomingPayload => ({
  milestoneId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  consultationId: '00000000-0000-4000-8000-000000000000',
  consultationTitle: 'Transfer to the CCG',
  title: `Milestone ${i}`,
  kind: 'measures_letter',
  dueDate: '2017-03-01',
  audience: ['forum'],
  ownerUserId: null,
  daysLeft: 7,
  offsetDays: 7,
});

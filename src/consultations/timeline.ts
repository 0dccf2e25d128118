import { daysBetween } from '../common/dates';
import { ConsultationStatus } from './entities/consultation.entity';

export type Phase = 'planned' | 'not_started' | 'open' | 'extended' | 'period_ended' | 'closed';

export interface Timeline {
  phase: Phase;
  /** In words, for the reps' screen: "Day 12 of 45: 33 days left". */
  phaseLabel: string;
  /** Day N of the consultation (the start date is day 1); null when it is not running. */
  day: number | null;
  /** M: the planned length in days, start and end dates included. */
  totalDays: number;
  daysLeft: number | null;
  daysUntilStart: number | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Where a consultation stands on a date. */
export function timeline(
  c: { status: ConsultationStatus; startDate: string; plannedEndDate: string; originalEndDate: string; closedOn: string | null },
  asOf: string,
): Timeline {
  const totalDays = daysBetween(c.startDate, c.plannedEndDate) + 1;
  const untilStart = daysBetween(asOf, c.startDate);
  const base = { totalDays, day: null, daysLeft: null, daysUntilStart: null };
  // A consultation closed later than the date asked about was still running then ("view as at").
  if (c.status === ConsultationStatus.Closed && (!c.closedOn || c.closedOn <= asOf)) {
    return { ...base, phase: 'closed', phaseLabel: `Closed on ${c.closedOn}`, daysLeft: 0 };
  }
  if (c.status === ConsultationStatus.Planned) {
    return untilStart > 0
      ? { ...base, phase: 'planned', phaseLabel: `Planned: starts on ${c.startDate} (in ${plural(untilStart, 'day')})`, daysUntilStart: untilStart }
      : { ...base, phase: 'planned', phaseLabel: `Planned: due to start on ${c.startDate}, not opened yet`, daysUntilStart: 0 };
  }
  if (untilStart > 0) {
    return { ...base, phase: 'not_started', phaseLabel: `Starts on ${c.startDate} (in ${plural(untilStart, 'day')})`, daysUntilStart: untilStart };
  }
  const day = daysBetween(c.startDate, asOf) + 1;
  if (day > totalDays) {
    return { ...base, phase: 'period_ended', phaseLabel: `Period ended on ${c.plannedEndDate} (day ${totalDays} of ${totalDays}); not closed yet`, day: totalDays, daysLeft: 0 };
  }
  const extended = c.status === ConsultationStatus.Extended;
  const daysLeft = totalDays - day;
  return {
    ...base,
    phase: extended ? 'extended' : 'open',
    phaseLabel: `Day ${day} of ${totalDays}: ${plural(daysLeft, 'day')} left${extended ? ` (extended from ${c.originalEndDate} to ${c.plannedEndDate})` : ''}`,
    day,
    daysLeft,
  };
}

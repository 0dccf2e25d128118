import holidays from './data/bank-holidays.json';
import { addDays } from '../common/dates';

/**
 * Working days in the UK: weekends and the bank holidays of the organisation's division, from the
 * GOV.UK list shipped as data (src/statutory/data/bank-holidays.json, refreshed by
 * scripts/refresh-bank-holidays.sh). Statutory periods stay in calendar days; this only says when a
 * deadline falls on a day nobody is at work, and gives the last working day before it ("send by").
 */
export enum BankHolidayDivision {
  EnglandAndWales = 'england-and-wales',
  Scotland = 'scotland',
  NorthernIreland = 'northern-ireland',
}
export const BANK_HOLIDAY_DIVISIONS: readonly BankHolidayDivision[] = Object.values(BankHolidayDivision);

interface GovUkEvent {
  title: string;
  date: string;
  notes?: string;
}
type GovUkFile = Record<string, { division: string; events: GovUkEvent[] }>;

const byDivision = new Map<BankHolidayDivision, Map<string, string>>(
  BANK_HOLIDAY_DIVISIONS.map((d) => [d, new Map(((holidays as GovUkFile)[d]?.events ?? []).map((e) => [e.date, e.title]))]),
);

/** The years the shipped list covers (a date outside them is judged on weekends only, and says so). */
export function coveredYears(division: BankHolidayDivision = BankHolidayDivision.EnglandAndWales): { from: number; to: number } {
  const years = [...byDivision.get(division)!.keys()].map((d) => Number(d.slice(0, 4)));
  return { from: Math.min(...years), to: Math.max(...years) };
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function dayOfWeek(date: string): string {
  return DAY_NAMES[new Date(`${date}T00:00:00Z`).getUTCDay()];
}

export function bankHoliday(date: string, division: BankHolidayDivision = BankHolidayDivision.EnglandAndWales): string | null {
  return byDivision.get(division)?.get(date) ?? null;
}

/** Why nobody works on this date ("Saturday", "Sunday", "Good Friday (bank holiday)"), or null on a working day. */
export function nonWorkingReason(date: string, division: BankHolidayDivision = BankHolidayDivision.EnglandAndWales): string | null {
  const day = dayOfWeek(date);
  if (day === 'Saturday' || day === 'Sunday') return day;
  const holiday = bankHoliday(date, division);
  return holiday ? `${holiday} (bank holiday)` : null;
}

/** The last working day on or before the date. */
export function lastWorkingDayOnOrBefore(date: string, division: BankHolidayDivision = BankHolidayDivision.EnglandAndWales): string {
  let d = date;
  for (let i = 0; i < 14 && nonWorkingReason(d, division); i++) d = addDays(d, -1);
  return d;
}

export interface CalendarFlags {
  /** The weekday of the deadline. */
  dayOfWeek: string;
  nonWorkingDay: boolean;
  /** "Saturday", "Sunday" or the bank holiday's name; null on a working day. */
  nonWorkingReason: string | null;
  /** The last working day on or before the deadline: when HR acts. */
  sendBy: string;
  division: BankHolidayDivision;
}

export function calendarFlags(date: string, division: BankHolidayDivision = BankHolidayDivision.EnglandAndWales): CalendarFlags {
  const reason = nonWorkingReason(date, division);
  return { dayOfWeek: dayOfWeek(date), nonWorkingDay: reason !== null, nonWorkingReason: reason, sendBy: lastWorkingDayOnOrBefore(date, division), division };
}

export function asDivision(value: string | null | undefined): BankHolidayDivision {
  return BANK_HOLIDAY_DIVISIONS.includes(value as BankHolidayDivision) ? (value as BankHolidayDivision) : BankHolidayDivision.EnglandAndWales;
}

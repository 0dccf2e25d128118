/**
 * Calendar dates as ISO strings (YYYY-MM-DD). A date has no time zone, so arithmetic runs on UTC
 * midnights: a clock change never adds or loses a day (2017-04-01 - 28 days is 2017-03-04).
 * Postgres `date` values are read as text (`col::text`), never as JS Dates.
 */
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** A real calendar date written YYYY-MM-DD (2017-02-29 is not one). */
export function isDateOnly(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_ONLY.exec(value);
  if (!m) return false;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === value;
}

function toUtc(date: string): number {
  if (!isDateOnly(date)) throw new Error(`not a calendar date: ${date}`);
  return Date.parse(`${date}T00:00:00Z`);
}

export function addDays(date: string, days: number): string {
  return new Date(toUtc(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toUtc(to) - toUtc(from)) / DAY_MS);
}

/** Calendar months back or forward, clamped to the month's last day (2017-05-31 - 3 months = 2017-02-28), as Postgres does. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d, last))).toISOString().slice(0, 10);
}

/** Today's date in England (the programmes run on UK law and UK working days). */
export function todayInLondon(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Midnight at the start of a date in England, as an instant. */
export function startOfDayInLondon(date: string): Date {
  const utcMidnight = toUtc(date);
  // London is UTC+0 or UTC+1: find the offset at that date's midday and step back.
  const hourThere = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hourCycle: 'h23' }).format(new Date(utcMidnight + 12 * 3_600_000)),
  );
  return new Date(utcMidnight - (hourThere - 12) * 3_600_000);
}

export function maxDate(a: string, b: string): string {
  return a >= b ? a : b;
}

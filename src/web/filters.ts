import { SMALL_COUNT_LABEL } from '../common/small-counts';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const dateFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const timeFmt = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'Europe/London' });
const dateLondonFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
const weekdayFmt = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' });

function toDate(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'string' && v) {
    const d = new Date(DATE_ONLY.test(v) ? `${v}T00:00:00Z` : v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** "1 April 2017" (GOV.UK style). A calendar date is shown as it is; a timestamp in London time. */
export function govDate(v: unknown): string {
  const d = toDate(v);
  if (!d) return '';
  return typeof v === 'string' && DATE_ONLY.test(v) ? dateFmt.format(d) : dateLondonFmt.format(d);
}

/** "1 Apr 2017" for tables. */
export function govShortDate(v: unknown): string {
  const d = toDate(v);
  return d ? shortFmt.format(d) : '';
}

/** "1 April 2017 at 3:04pm" (London time). */
export function govDateTime(v: unknown): string {
  const d = toDate(v);
  if (!d) return '';
  return `${dateLondonFmt.format(d)} at ${timeFmt.format(d).replace(' ', '').toLowerCase()}`;
}

export function weekday(v: unknown): string {
  const d = toDate(v);
  return d ? weekdayFmt.format(d) : '';
}

/** FTE with at most two decimals and no trailing zeros: 66.2, 1, 0.5. Suppressed counts pass through ("<5"). */
export function fte(v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (v === SMALL_COUNT_LABEL) return SMALL_COUNT_LABEL;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return String(v);
  return String(Math.round(n * 100) / 100);
}

/** A count as shown: numbers as they are, "<5" as it is, withheld (null) as an en dash. */
export function count(v: unknown): string {
  if (v === null || v === undefined) return '–';
  return String(v);
}

/** Words for an enum value: in_scope → In scope. Features pass their own labels where the words differ. */
export function humanise(v: unknown): string {
  if (typeof v !== 'string' || !v) return '';
  const s = v.replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const FILTERS: Record<string, (...args: never[]) => unknown> = { govDate, govShortDate, govDateTime, weekday, fte, count, humanise };

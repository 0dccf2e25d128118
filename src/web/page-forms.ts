import { isDateOnly } from '../common/dates';
import type { FormErrors } from './page-context';

/**
 * Form helpers the consultation, forum, notifications and admin pages share: GOV.UK date inputs
 * (day, month, year) to YYYY-MM-DD, times in London to instants, numbers from text fields, and
 * page-level errors merged with the DTO's.
 */

export type Fields = Record<string, string | string[]>;

export const text = (f: Fields, name: string): string | undefined => (typeof f[name] === 'string' ? (f[name] as string) : undefined);

export const list = (f: Fields, name: string): string[] => {
  const v = f[name];
  return Array.isArray(v) ? v.filter(Boolean) : typeof v === 'string' && v ? [v] : [];
};

/** A whole number typed in a field, as a number; anything else as typed (for the validator to refuse). */
export function int(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  return /^-?\d{1,9}$/.test(v) ? Number(v) : v;
}

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

/** The parts of a GOV.UK date input named `<name>-day`, `<name>-month`, `<name>-year`. */
export function dateParts(f: Fields, name: string): DateParts {
  return { day: text(f, `${name}-day`) ?? '', month: text(f, `${name}-month`) ?? '', year: text(f, `${name}-year`) ?? '' };
}

/** YYYY-MM-DD to the parts a date input shows. */
export function partsOf(iso: string | null | undefined): DateParts {
  if (!iso) return { day: '', month: '', year: '' };
  const [y, m, d] = iso.slice(0, 10).split('-');
  return { day: String(Number(d)), month: String(Number(m)), year: y };
}

/**
 * A date input read: the date, nothing (left empty), or the GOV.UK message for what is wrong.
 * `label` is the question in lower case ("the start date").
 */
export function readDate(f: Fields, name: string, label: string, required: boolean): { value?: string; error?: string; parts: DateParts } {
  const parts = dateParts(f, name);
  const { day, month, year } = parts;
  if (!day && !month && !year) return required ? { parts, error: `Enter ${label}` } : { parts };
  if (!day || !month || !year) {
    const missing = [!day && 'day', !month && 'month', !year && 'year'].filter(Boolean).join(' and ');
    return { parts, error: `${cap(label)} must include a ${missing}` };
  }
  const iso = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year) || !isDateOnly(iso)) return { parts, error: `${cap(label)} must be a real date` };
  return { parts, value: iso };
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const TIME = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/;

/** "10:00" on a date in England, as an ISO instant with its UTC offset; null when the time is not one. */
export function londonInstant(date: string, time: string): string | null {
  const m = TIME.exec(time.trim());
  if (!m) return null;
  const hh = m[1].padStart(2, '0');
  const mm = m[2];
  const guess = Date.parse(`${date}T${hh}:${mm}:00Z`);
  // London is UTC+0 or UTC+1: the offset at that moment, then step back by it.
  const offset = londonOffsetMinutes(new Date(guess));
  const instant = new Date(guess - offset * 60_000);
  const back = londonOffsetMinutes(instant);
  return new Date(guess - back * 60_000).toISOString();
}

function londonOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/** An instant as the date (YYYY-MM-DD) and time ("10:00") it is in England. */
export function londonParts(iso: string): { date: string; time: string } {
  const d = new Date(iso);
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return { date, time };
}

/** Page-level messages (`{ field: text }`), in the order given, as the GOV.UK error summary. */
export function pageErrors(messages: Record<string, string | undefined>, ids: Record<string, string> = {}, status = 400): FormErrors | undefined {
  const entries = Object.entries(messages).filter((e): e is [string, string] => !!e[1]);
  if (!entries.length) return undefined;
  return {
    errorList: entries.map(([field, t]) => ({ text: t, href: `#${ids[field] ?? field}` })),
    fields: Object.fromEntries(entries.map(([field, t]) => [field, { text: t }])),
    stale: false,
    status,
  };
}

/** Two sets of errors as one (the page's own first, then the DTO's for fields the page did not flag). */
export function mergeErrors(a: FormErrors | undefined, b: FormErrors | undefined): FormErrors | undefined {
  if (!a) return b;
  if (!b) return a;
  const fields = { ...b.fields, ...a.fields };
  const seen = new Set(a.errorList.map((e) => e.href));
  return { errorList: [...a.errorList, ...b.errorList.filter((e) => !seen.has(e.href))], fields, stale: a.stale || b.stale, status: a.status };
}

/** The stale-version message of a page, in the error summary. */
export function staleErrors(errors: FormErrors, what: string): FormErrors {
  return { ...errors, errorList: [{ text: `Someone else changed this ${what} while you were working on it. The form now shows the current values: check them and try again.`, href: '#main-content' }], fields: {} };
}

/** The form was refused because the record changed since the page was read (409 on version). */
export function isStale(errors: FormErrors): boolean {
  return errors.stale;
}

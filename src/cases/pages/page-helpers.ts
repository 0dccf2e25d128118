import { isDateOnly } from '../../common/dates';
import type { FormErrors } from '../../web/page-context';

export type QueryValues = Record<string, string | string[] | undefined>;

/** A query or form field as a list of strings (repeated fields, or one value). */
export function listOf(q: QueryValues | Record<string, unknown>, key: string): string[] {
  const v = (q as Record<string, unknown>)[key];
  const arr = Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v];
  return arr.map((x) => String(x).trim()).filter(Boolean);
}

export function oneOf(q: QueryValues | Record<string, unknown>, key: string): string | undefined {
  return listOf(q, key)[0];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

/** Only values of an enum (a filter link with a value the service does not know is ignored). */
export function enumValues<T extends string>(values: string[], allowed: readonly T[]): T[] {
  return values.filter((v): v is T => (allowed as readonly string[]).includes(v));
}

/** A GOV.UK date input's three fields (`<prefix>-day` …) as YYYY-MM-DD; empty: undefined. */
export function dateFromParts(fields: Record<string, unknown>, prefix: string): { iso?: string; error?: string; values: { day: string; month: string; year: string } } {
  const get = (k: string) => (typeof fields[`${prefix}-${k}`] === 'string' ? (fields[`${prefix}-${k}`] as string).trim() : '');
  const values = { day: get('day'), month: get('month'), year: get('year') };
  if (!values.day && !values.month && !values.year) return { values };
  if (!values.day || !values.month || !values.year) return { values, error: 'must include a day, month and year' };
  if (!/^\d{1,2}$/.test(values.day) || !/^\d{1,2}$/.test(values.month) || !/^\d{4}$/.test(values.year)) return { values, error: 'must be a real date' };
  const iso = `${values.year}-${values.month.padStart(2, '0')}-${values.day.padStart(2, '0')}`;
  if (!isDateOnly(iso)) return { values, error: 'must be a real date' };
  return { iso, values };
}

/** The parts of a YYYY-MM-DD date for a GOV.UK date input. */
export function dateParts(iso: string | null | undefined): { day: string; month: string; year: string } {
  if (!iso) return { day: '', month: '', year: '' };
  const [y, m, d] = iso.split('-');
  return { day: String(Number(d)), month: String(Number(m)), year: y };
}

/** A version conflict, as the error summary says it on every case form. */
export function staleCaseErrors(errors: FormErrors): FormErrors {
  const text = 'Someone else changed this case while you were working on it. Check its current details and try again.';
  return { ...errors, errorList: [{ text, href: '#main-content' }], fields: {}, stale: true };
}

/** A query string from values (repeated keys for lists), without empty ones. */
export function queryString(values: Record<string, string | string[] | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    for (const x of Array.isArray(v) ? v : v === undefined ? [] : [v]) if (x !== '') p.append(k, x);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

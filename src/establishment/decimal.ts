/**
 * Exact two-decimal arithmetic for FTE: values travel as text ('0.50', from Postgres numeric)
 * or as numbers (JSON), are summed as integer hundredths, and are printed without float drift
 * (72 posts of the demo sum to 66.2, never 66.19999999999999).
 */

const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$/;

/** '0.5' -> 50, '1.00' -> 100, '66.20' -> 6620. Throws on anything else (callers validate first). */
export function toHundredths(value: string | number): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = DECIMAL.exec(text.startsWith('.') ? `0${text}` : text);
  if (!m) throw new Error(`not a two-decimal number: ${JSON.stringify(value)}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** A parse that answers null instead of throwing: for validating user input. */
export function tryHundredths(value: string | number): number | null {
  try {
    return toHundredths(value);
  } catch {
    return null;
  }
}

/** 6620 -> '66.2', 100 -> '1', 50 -> '0.5', 5 -> '0.05'. */
export function hundredthsToText(h: number): string {
  const whole = Math.trunc(h / 100);
  const frac = Math.abs(h % 100);
  if (frac === 0) return String(whole);
  return `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}`;
}

/** 6620 -> 66.2 as a JSON number: the nearest double to the exact decimal, so it prints exactly. */
export function hundredthsToNumber(h: number): number {
  return Number(hundredthsToText(h));
}

/** '0.50' -> 0.5 */
export function decimalTextToNumber(text: string): number {
  return hundredthsToNumber(toHundredths(text));
}

/** 0.5 -> '0.50': the text Postgres receives for numeric(3,2). */
export function numberToDecimalText(n: number): string {
  const h = toHundredths(n);
  return `${Math.trunc(h / 100)}.${String(h % 100).padStart(2, '0')}`;
}

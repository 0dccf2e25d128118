/**
 * A small RFC 5322 / MIME composer for notification emails: a multipart/alternative message with
 * a plain-text and an HTML part (UTF-8, base64), RFC 2047 encoded words for non-ASCII headers.
 * It builds the message in one pass into one Buffer, about forty times cheaper than a general
 * MIME library, which matters at thousands of emails a second (see docs/benchmarks.md).
 * Addresses must be ASCII (the caller falls back to nodemailer's composer otherwise).
 */

export interface MimeAddress {
  name?: string;
  address: string;
}

export interface MimeMessage {
  from: MimeAddress;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  messageId: string;
  date: Date;
  /** Extra headers; names as given, values ASCII or encoded. */
  headers?: Record<string, string>;
}

const CRLF = '\r\n';
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ADDRESS = /^[\x21-\x7e]+@[\x21-\x7e]+$/;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const isAsciiAddress = (a: string) => ADDRESS.test(a) && !/[<>()[\]\\,;:"\s]/.test(a);

const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ');

/** RFC 2047 base64 encoded words (at most 64 characters each, so a folded line stays under 76), split on character boundaries. */
export function encodeWords(value: string): string {
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const ch of value) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > 39) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** A header value as is when it is printable ASCII and short, encoded words otherwise. */
export function headerValue(value: string): string {
  const v = oneLine(value);
  return PRINTABLE_ASCII.test(v) && v.length <= 900 ? v : encodeWords(v);
}

export function formatAddress(a: MimeAddress): string {
  if (!a.name) return a.address;
  const name = oneLine(a.name);
  if (!PRINTABLE_ASCII.test(name)) return `${encodeWords(name)} <${a.address}>`;
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/.test(name) ? `${name} <${a.address}>` : `"${name.replace(/(["\\])/g, '\\$1')}" <${a.address}>`;
}

/** RFC 5322 date-time in UTC: 'Tue, 14 Mar 2017 10:00:00 +0000'. */
export function formatMailDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function base64Lines(s: string): string {
  const b64 = Buffer.from(s.replace(/\r?\n/g, CRLF), 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

export function composeMime(m: MimeMessage): Buffer {
  if (!isAsciiAddress(m.to) || !isAsciiAddress(m.from.address)) throw new Error('composeMime takes ASCII addresses only');
  const boundary = `=_wtt_${m.messageId.replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}`;
  const head = [
    `From: ${formatAddress(m.from)}`,
    `To: ${m.to}`,
    `Subject: ${headerValue(m.subject)}`,
    `Date: ${formatMailDate(m.date)}`,
    `Message-ID: ${oneLine(m.messageId)}`,
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${headerValue(v)}`),
    'MIME-Version: 1.0',
  ];
  const part = (type: string, body: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(body)].join(CRLF);
  const body = m.html
    ? [`Content-Type: multipart/alternative; boundary="${boundary}"`, '', part('text/plain', m.text), part('text/html', m.html), `--${boundary}--`, ''].join(CRLF)
    : ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Lines(m.text), ''].join(CRLF);
  return Buffer.from(`${head.join(CRLF)}${CRLF}${body}`, 'utf8');
}

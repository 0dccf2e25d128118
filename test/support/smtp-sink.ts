/**
 * A real SMTP server (the smtp-server package) for tests and benches, on a free loopback port.
 *
 *   const sink = await startSmtpSink();         // env SMTP_URL = sink.url
 *   sink.setMode('refuse');                     // every RCPT TO answered 451 (try again later)
 *   sink.setMode('reject');                     // every RCPT TO answered 550 (refused for good)
 *   sink.setMode('hold');                       // messages are read but not acknowledged until release()
 *   await sink.waitFor((m) => m.length >= 3);
 *
 * A message counts as received only once the server has answered 250 to its DATA; a held
 * message whose connection closes first (the client died) is dropped, as a real server would.
 */
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { freePort } from './servers';

export interface ReceivedMail {
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  notificationId: string | null;
  text: string;
  html: string | null;
  /** The text/calendar part (a meeting invitation), decoded. */
  calendar: string | null;
  raw: string;
  /** When the server answered 250 to its DATA (ms since the epoch). */
  receivedAt: number;
}

export type SinkMode = 'accept' | 'refuse' | 'reject' | 'hold';

export interface SmtpSink {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Messages refused (RCPT TO answered 451) so far. */
  refused: number;
  setMode(mode: SinkMode): void;
  /** Messages read and waiting for their 250 in hold mode. */
  held(): number;
  /** Acknowledge every held message whose client is still connected, and accept from now on. */
  release(): void;
  waitFor(accept: (messages: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

interface Held {
  session: string;
  mail: ReceivedMail;
  ack: () => void;
}

export async function startSmtpSink(opts: { parse?: boolean; port?: number } = {}): Promise<SmtpSink> {
  const parse = opts.parse !== false;
  const port = opts.port ?? (await freePort());
  let mode: SinkMode = 'accept';
  const messages: ReceivedMail[] = [];
  let held: Held[] = [];
  const open = new Set<string>();
  const state = { refused: 0 };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 200,
    onConnect(session: SMTPServerSession, cb: (err?: Error | null) => void) {
      open.add(session.id);
      cb();
    },
    onClose(session: SMTPServerSession) {
      open.delete(session.id);
      held = held.filter((h) => h.session !== session.id);
    },
    onRcptTo(_address, _session, cb) {
      if (mode === 'refuse') {
        state.refused++;
        const err = Object.assign(new Error('Mailbox temporarily unavailable, try again later'), { responseCode: 451 });
        return cb(err);
      }
      if (mode === 'reject') {
        state.refused++;
        return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = toMail(raw, session, parse);
        if (mode === 'hold') {
          held.push({ session: session.id, mail, ack: () => cb(null, 'OK: queued') });
          return;
        }
        mail.receivedAt = Date.now();
        messages.push(mail);
        cb(null, 'OK: queued');
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    get refused() {
      return state.refused;
    },
    setMode(m: SinkMode) {
      mode = m;
    },
    held: () => held.length,
    release() {
      mode = 'accept';
      const now = held;
      held = [];
      for (const h of now) {
        if (!open.has(h.session)) continue;
        h.mail.receivedAt = Date.now();
        messages.push(h.mail);
        h.ack();
      }
    },
    async waitFor(accept, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!accept(messages) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function toMail(raw: string, session: SMTPServerSession, parse: boolean): ReceivedMail {
  const to = session.envelope.rcptTo.map((a) => a.address);
  const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  if (!parse) {
    const id = /^x-wtt-notification-id:\s*(\S+)/im.exec(raw)?.[1] ?? null;
    return { from, to, headers: {}, subject: '', messageId: '', notificationId: id, text: '', html: null, calendar: null, raw: '', receivedAt: 0 };
  }
  const { headers, body } = splitHeaders(raw);
  const parts = mimeParts(headers, body);
  return {
    from,
    to,
    headers,
    subject: decodeWords(headers.subject ?? ''),
    messageId: headers['message-id'] ?? '',
    notificationId: headers['x-wtt-notification-id'] ?? null,
    text: parts.find((p) => p.type === 'text/plain')?.content ?? '',
    html: parts.find((p) => p.type === 'text/html')?.content ?? null,
    calendar: parts.find((p) => p.type === 'text/calendar')?.content ?? null,
    raw,
    receivedAt: 0,
  };
}

/** Headers (lower-case names, unfolded) and the body of a MIME entity. */
export function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

function mimeParts(headers: Record<string, string>, body: string): { type: string; content: string }[] {
  const type = (headers['content-type'] ?? 'text/plain').split(';')[0].trim().toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .flatMap((p) => {
        const part = splitHeaders(p.replace(/^\r?\n/, ''));
        return mimeParts(part.headers, part.body);
      });
  }
  return [{ type, content: decodeBody(body, headers['content-transfer-encoding'] ?? '7bit') }];
}

function decodeBody(body: string, encoding: string): string {
  const e = encoding.toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') {
    const soft = body.replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
        bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
    return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n').trimEnd();
  }
  return body.replace(/\r\n/g, '\n').trimEnd();
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) in a header. */
export function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

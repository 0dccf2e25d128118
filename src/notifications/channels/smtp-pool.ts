import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { parseConnectionUrl } from 'nodemailer/lib/shared';

interface Pooled {
  conn: SMTPConnection;
  messages: number;
  broken: boolean;
  counted: boolean;
  lastUsed: number;
}

type SmtpError = Error & { code?: string; responseCode?: number };

const IDLE_MS = 30_000;

/** A 5xx reply other than 503 (bad sequence): the server refused this message for good (RFC 5321). */
export const isPermanentSmtpError = (err: unknown): boolean => {
  const code = (err as SmtpError | undefined)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600 && code !== 503;
};

/**
 * A pool of up to `size` SMTP connections (nodemailer's SMTPConnection, which also does
 * STARTTLS and AUTH) sending ready-made messages. It does what nodemailer's pooled transport
 * does for this case at about a third of the CPU per message: no Mail object, no MIME tree,
 * one write for the message. A refused message (an SMTP reply) resets the session and keeps
 * the connection; a connection error drops the connection; the caller retries.
 */
export class SmtpPool {
  private idle: Pooled[] = [];
  private total = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly options: SMTPConnectionOptions & { auth?: { user: string; pass: string } };

  constructor(
    url: string,
    private readonly size: number,
    timeouts: { connectionTimeout: number; greetingTimeout: number; socketTimeout: number },
    private readonly maxMessagesPerConnection = 1000,
  ) {
    const parsed = parseConnectionUrl(url);
    this.options = {
      host: parsed.host,
      port: parsed.port,
      secure: parsed.secure,
      auth: parsed.auth,
      tls: parsed.tls as SMTPConnectionOptions['tls'],
      ...timeouts,
      socketCloseTimeout: 1000,
    };
    this.sweeper = setInterval(() => this.closeIdle(), IDLE_MS / 2);
    this.sweeper.unref();
  }

  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void> {
    const c = await this.acquire();
    try {
      await new Promise<void>((resolve, reject) => c.conn.send(envelope, raw, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      const e = err as SmtpError;
      if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !c.broken) {
        // The server refused the message; the session is fine once reset.
        const ok = await new Promise<boolean>((r) => c.conn.reset((resetErr) => r(!resetErr)));
        if (ok) this.release(c);
        else this.discard(c);
      } else this.discard(c);
      throw err;
    }
    c.messages++;
    c.lastUsed = Date.now();
    if (c.messages >= this.maxMessagesPerConnection) {
      c.conn.quit();
      this.discard(c);
    } else this.release(c);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const c of this.idle.splice(0)) {
      c.conn.quit();
      this.discard(c);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  private async acquire(): Promise<Pooled> {
    for (;;) {
      if (this.closed) throw new Error('SMTP pool is closed');
      const c = this.idle.pop();
      if (c) {
        if (!c.broken) return c;
        continue;
      }
      if (this.total < this.size) {
        this.total++;
        return this.open();
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  private release(c: Pooled): void {
    if (c.broken || this.closed) return this.discard(c);
    this.idle.push(c);
    this.waiters.shift()?.();
  }

  private discard(c: Pooled): void {
    c.broken = true;
    this.idle = this.idle.filter((x) => x !== c);
    if (!c.counted) return;
    c.counted = false;
    this.total--;
    c.conn.close();
    this.waiters.shift()?.();
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const c of this.idle.filter((x) => now - x.lastUsed > IDLE_MS)) {
      c.conn.quit();
      this.discard(c);
    }
  }

  private open(): Promise<Pooled> {
    return new Promise<Pooled>((resolve, reject) => {
      const conn = new SMTPConnection(this.options);
      const c: Pooled = { conn, messages: 0, broken: false, counted: true, lastUsed: Date.now() };
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        this.discard(c);
        reject(err);
      };
      // A connection that errs or ends while idle is dropped; one in use fails its send, which drops it.
      conn.on('error', (err: Error) => {
        c.broken = true;
        if (!settled) fail(err);
        else if (this.idle.includes(c)) this.discard(c);
      });
      conn.on('end', () => {
        c.broken = true;
        if (!settled) fail(new Error('SMTP connection closed before it was ready'));
        else if (this.idle.includes(c)) this.discard(c);
      });
      conn.connect(() => {
        if (!this.options.auth) {
          settled = true;
          return resolve(c);
        }
        conn.login(this.options.auth, (err) => {
          if (err) return fail(err);
          settled = true;
          resolve(c);
        });
      });
    });
  }
}

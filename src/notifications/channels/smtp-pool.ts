import type { Socket } from 'node:net';
import SMTPConnection, { type SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { parseConnectionUrl } from 'nodemailer/lib/shared';

type SmtpError = Error & { code?: string; responseCode?: number };

/** A connection unused this long is closed (QUIT). */
const IDLE_MS = 30_000;

/**
 * Whatever SMTPConnection writes in answer to one server reply (the message and its final dot
 * after the 354; the next message's pipelined envelope after the 250) leaves in one write: the
 * socket is corked when a reply arrives and uncorked once that turn of the event loop is over. A
 * write to a loopback socket costs this worker more CPU than the message it carries
 * (docs/benchmarks.md, issue 20).
 */
function coalesceWrites(socket: Socket): void {
  socket.prependListener('data', () => {
    if (socket.writableCorked) return;
    socket.cork();
    setImmediate(() => socket.uncork());
  });
}

/** One open SMTP session, lent to one batch at a time. */
export interface SmtpSession {
  /** Send one ready-made message (RFC 5322 text) to its envelope; resolves on the server's 250 to the data. */
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void>;
  /** Whether the session can still be used (false after a connection error: take another one). */
  readonly usable: boolean;
}

interface Pooled {
  conn: SMTPConnection;
  messages: number;
  broken: boolean;
  counted: boolean;
  lastUsed: number;
}

/**
 * Up to `size` SMTP connections (nodemailer's SMTPConnection, which also does STARTTLS, AUTH and
 * pipelines the envelope when the server offers PIPELINING), each lent whole to one caller at a
 * time (`lease`) so a batch of messages goes over one warm connection, one after another,
 * each message in one write. No Mail object, no MailComposer, no stream pipeline per message (what
 * nodemailer's pooled transport does for each message). A refused message (an SMTP reply) resets
 * the session and keeps the connection; a connection error drops it (the session says so through
 * `usable`, and the caller takes a fresh one for the rest of its batch).
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
    readonly size: number,
    timeouts: { connectionTimeout: number; greetingTimeout: number; socketTimeout: number },
    private readonly maxMessagesPerConnection = 10_000,
  ) {
    const parsed = parseConnectionUrl(url) as { host?: string; port?: number; secure?: boolean; auth?: { user: string; pass: string }; tls?: unknown };
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

  /** Send one message on a connection of its own (taken from the pool and given back). */
  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void> {
    const { session, release } = await this.lease();
    try {
      await session.send(envelope, raw);
    } finally {
      release();
    }
  }

  /**
   * Lend one connection until `release` is called (idempotent). A connection that breaks meanwhile
   * is dropped; its session then refuses further sends (`usable` false): lease another for the rest.
   */
  async lease(): Promise<{ session: SmtpSession; release: () => void }> {
    const c = await this.acquire();
    let released = false;
    return {
      session: {
        send: (envelope, raw) => this.sendOn(c, envelope, raw),
        get usable() {
          return !c.broken;
        },
      },
      release: () => {
        if (released) return;
        released = true;
        this.release(c);
      },
    };
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

  private async sendOn(c: Pooled, envelope: { from: string; to: string[] }, raw: Buffer): Promise<void> {
    if (c.broken) throw Object.assign(new Error('SMTP connection was lost'), { code: 'ECONNECTION' });
    try {
      await new Promise<void>((resolve, reject) => c.conn.send(envelope, raw, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      const e = err as SmtpError;
      if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !c.broken) {
        // The server refused the message; the session is fine once reset.
        const ok = await new Promise<boolean>((r) => c.conn.reset((resetErr) => r(!resetErr)));
        if (!ok) this.discard(c);
        throw err;
      }
      this.discard(c);
      // The connection failed after the session was up: whether the server had taken the message
      // is unknown (a reset, a timeout after the data). Said so in the code, for the classification.
      if (typeof e.responseCode === 'number') throw err;
      throw Object.assign(new Error(`SMTP connection lost while sending: ${e.message}`), { code: 'ESENDLOST' });
    }
    c.messages++;
    c.lastUsed = Date.now();
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
    if (c.messages >= this.maxMessagesPerConnection) {
      c.conn.quit();
      return this.discard(c);
    }
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
        if (!settled) fail(Object.assign(new Error('SMTP connection closed before it was ready'), { code: 'ECONNECTION' }));
        else if (this.idle.includes(c)) this.discard(c);
      });
      conn.connect((err) => {
        if (err) return fail(err);
        const ready = () => {
          settled = true;
          if (conn._socket) coalesceWrites(conn._socket);
          resolve(c);
        };
        if (!this.options.auth) return ready();
        conn.login(this.options.auth, (loginErr) => (loginErr ? fail(loginErr) : ready()));
      });
    });
  }
}

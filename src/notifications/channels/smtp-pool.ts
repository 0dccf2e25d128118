import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { SmtpClient, type SmtpClientOptions } from './smtp-client';

type SmtpError = Error & { code?: string; responseCode?: number };

/** A connection unused this long is closed (QUIT). */
const IDLE_MS = 30_000;

/** One open SMTP session, lent to one batch at a time. */
export interface SmtpSession {
  /**
   * Send one ready-made message (RFC 5322 text) to its envelope; resolves on the server's 250 to
   * the data. Sends made while others are out are pipelined behind them, in order (SmtpClient).
   */
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void>;
  /** Whether the session can still be used (false after a connection error: take another one). */
  readonly usable: boolean;
}

interface Pooled {
  conn: SmtpClient;
  messages: number;
  broken: boolean;
  counted: boolean;
  lastUsed: number;
}

/**
 * Up to `size` SMTP connections (SmtpClient: STARTTLS, AUTH, and each message pipelined behind the
 * one before), each lent whole to one caller at a time (`lease`) so a batch of messages goes over
 * one warm connection, one round trip and one write per message. No Mail object, no MailComposer,
 * no stream pipeline per message (what nodemailer's pooled transport does for each message). A
 * refused message (an SMTP reply) keeps the connection (the client resets the transaction); a
 * connection error drops it (the session says so through `usable`, and the caller takes a fresh one
 * for the rest of its batch: the messages it had not written yet fail with ENOTSENT).
 */
export class SmtpPool {
  private idle: Pooled[] = [];
  private total = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly options: SmtpClientOptions;

  constructor(
    url: string,
    readonly size: number,
    timeouts: { connectionTimeout: number; greetingTimeout: number; socketTimeout: number },
    private readonly maxMessagesPerConnection = 10_000,
  ) {
    const parsed = parseConnectionUrl(url) as {
      host?: string;
      port?: number;
      secure?: boolean;
      requireTLS?: boolean;
      ignoreTLS?: boolean;
      name?: string;
      auth?: { user: string; pass: string };
      tls?: SmtpClientOptions['tls'];
    };
    this.options = {
      host: parsed.host ?? 'localhost',
      port: parsed.port ?? (parsed.secure ? 465 : 587),
      secure: parsed.secure,
      requireTLS: parsed.requireTLS,
      ignoreTLS: parsed.ignoreTLS,
      name: parsed.name,
      auth: parsed.auth,
      tls: parsed.tls,
      ...timeouts,
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
      this.discard(c, true);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  private async sendOn(c: Pooled, envelope: { from: string; to: string[] }, raw: Buffer): Promise<void> {
    if (c.broken) throw Object.assign(new Error('SMTP connection was lost before the message was sent'), { code: 'ENOTSENT' });
    try {
      await c.conn.send(envelope, raw);
    } catch (err) {
      // A refusal (an SMTP reply) keeps the connection; anything else has ended it.
      if (!c.conn.usable) this.discard(c);
      throw err as SmtpError;
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
      return this.discard(c, true);
    }
    this.idle.push(c);
    this.waiters.shift()?.();
  }

  /** Drop a connection from the pool: closed at once, or (`politely`) with QUIT once its sends are done. */
  private discard(c: Pooled, politely = false): void {
    c.broken = true;
    this.idle = this.idle.filter((x) => x !== c);
    if (!c.counted) return;
    c.counted = false;
    this.total--;
    if (politely) c.conn?.quit();
    else c.conn?.destroy();
    this.waiters.shift()?.();
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const c of this.idle.filter((x) => now - x.lastUsed > IDLE_MS)) {
      this.discard(c, true);
    }
  }

  private async open(): Promise<Pooled> {
    const c: Pooled = { conn: undefined as unknown as SmtpClient, messages: 0, broken: false, counted: true, lastUsed: Date.now() };
    try {
      c.conn = await SmtpClient.connect(this.options);
    } catch (err) {
      this.discard(c);
      throw err;
    }
    // A connection that ends while idle is dropped; one in use fails its sends, which drops it.
    c.conn.onBroken = () => {
      c.broken = true;
      if (this.idle.includes(c)) this.discard(c);
    };
    return c;
  }
}

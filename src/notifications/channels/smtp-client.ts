import { isIP, connect as netConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/**
 * An SMTP client connection for many ready-made messages, one after another, with the envelope of
 * the next message pipelined behind the data of the one before (RFC 2920):
 *
 *     C: <data of message n> CRLF . CRLF  MAIL FROM  RCPT TO  DATA     (one write)
 *     S: 250 (message n)  250  250  354
 *     C: <data of message n+1> CRLF . CRLF  MAIL FROM  RCPT TO  DATA   (one write)
 *
 * So each message costs one round trip to the server and one socket write, where nodemailer's
 * SMTPConnection (which pipelines MAIL/RCPT/DATA within one message) costs two round trips and
 * three writes: the message, its final dot, then the next envelope (docs/benchmarks.md, issue 20).
 * A message's data is written only after the server's 354 to its own DATA, as RFC 2920 requires,
 * so a server that refuses an envelope never receives the data. Without PIPELINING in the server's
 * EHLO reply every command waits for the reply to the one before.
 *
 * Sessions start as nodemailer's do: the greeting, EHLO (HELO when EHLO is refused), STARTTLS when
 * offered (required with `requireTLS`; anything the server sent after its 220 to STARTTLS is thrown
 * away, so a man in the middle cannot inject replies), EHLO again, then AUTH PLAIN or LOGIN.
 *
 * Errors carry nodemailer's codes, which the delivery service classifies (delivery.service.ts):
 * - `ECONNECTION`, `ETLS`, `EAUTH`: the session never came up; nothing was sent.
 * - `EENVELOPE` / `EMESSAGE` with `responseCode`: the server answered no to the envelope or to the data.
 * - `ESENDLOST`: the connection failed after this message's data was written and before its
 *   reply: the server may have it.
 * - `ENOTSENT`: the connection failed before this message's data was written: the server does not
 *   have it, and it can go over another connection as it is.
 */
export interface SmtpClientOptions {
  host: string;
  port: number;
  /** TLS from the first byte (smtps://). */
  secure?: boolean;
  /** Refuse a server that does not offer STARTTLS. */
  requireTLS?: boolean;
  /** Do not use STARTTLS even when offered. */
  ignoreTLS?: boolean;
  tls?: ConnectionOptions;
  auth?: { user: string; pass: string };
  /** The name this client gives in EHLO. */
  name?: string;
  connectionTimeout: number;
  greetingTimeout: number;
  /** A connection that says nothing for this long (waiting for a reply) fails. */
  socketTimeout: number;
}

export type SmtpClientError = Error & { code: string; responseCode?: number; response?: string; command?: string };

interface Reply {
  code: number;
  /** The reply's lines without their codes, one per line. */
  text: string;
}

interface Outgoing {
  from: string;
  to: string[];
  /** The message, dot-stuffed, ending with CRLF . CRLF. */
  data: Buffer;
  resolve(): void;
  reject(err: SmtpClientError): void;
  /** 'queued' until its envelope is written, 'envelope' until its data is, then 'data'. */
  stage: 'queued' | 'envelope' | 'data';
  refused?: SmtpClientError;
}

const CRLF = Buffer.from('\r\n');
const END = Buffer.from('.\r\n');

function smtpError(code: string, message: string, reply?: Reply, command?: string): SmtpClientError {
  return Object.assign(new Error(reply ? `${message}: ${reply.code} ${reply.text}` : message), {
    code,
    ...(reply ? { responseCode: reply.code, response: `${reply.code} ${reply.text}` } : {}),
    ...(command ? { command } : {}),
  });
}

/** The message with every line that starts with "." given another (RFC 5321 4.5.2), ending with CRLF . CRLF. */
export function dotStuff(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  if (message[0] === 0x2e) {
    parts.push(Buffer.from('.'));
  }
  for (let at = message.indexOf('\n.', 0); at >= 0; at = message.indexOf('\n.', at + 2)) {
    parts.push(message.subarray(from, at + 1), Buffer.from('.'));
    from = at + 1;
  }
  parts.push(message.subarray(from));
  const endsWithCrlf = message.length >= 2 && message[message.length - 2] === 0x0d && message[message.length - 1] === 0x0a;
  if (!endsWithCrlf) parts.push(CRLF);
  parts.push(END);
  return Buffer.concat(parts);
}

/** A plain address for MAIL FROM / RCPT TO (no CR, LF or angle brackets: it cannot smuggle a command). */
function pathOf(address: string): string {
  if (/[\r\n<>]/.test(address)) throw smtpError('EENVELOPE', `invalid address ${JSON.stringify(address)}`);
  return `<${address}>`;
}

/** SNI names a host, never an address (RFC 6066). */
const serverName = (host: string) => (isIP(host) ? {} : { servername: host });

const clientName = (name?: string) => (name ?? hostname()).replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';

export class SmtpClient {
  private socket: Socket | TLSSocket;
  private buffered = '';
  private lines: string[] = [];
  /** What to do with each reply still to come, in order. */
  private expecting: ((r: Reply) => void)[] = [];
  private queue: Outgoing[] = [];
  /** The message whose envelope is out (waiting for its 354), and the one whose data is out (waiting for its 250). */
  private envelopeOut?: Outgoing;
  private dataOut: Outgoing[] = [];
  /** A failed envelope leaves the server mid-transaction: RSET first, before the next one. */
  private needsReset = false;
  private pipelining = false;
  private extensions = new Set<string>();
  private authMethods = new Set<string>();
  private failure?: SmtpClientError;
  private closing = false;
  /** Set once the connection is over; `usable` is then false. */
  broken = false;
  onBroken?: (err: SmtpClientError) => void;

  private constructor(socket: Socket | TLSSocket, private readonly options: SmtpClientOptions) {
    this.socket = socket;
  }

  get usable(): boolean {
    return !this.broken && !this.closing;
  }

  /** Open a session: connected, greeted, TLS when the server offers it, authenticated. */
  static async connect(options: SmtpClientOptions): Promise<SmtpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = options.secure
        ? tlsConnect({ host: options.host, port: options.port, ...serverName(options.host), ...options.tls })
        : netConnect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(smtpError('ECONNECTION', `could not connect to ${options.host}:${options.port} within ${options.connectionTimeout} ms`));
      }, options.connectionTimeout);
      s.once(options.secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err: Error & { code?: string }) => {
        clearTimeout(timer);
        reject(smtpError(err.code === 'ECONNREFUSED' ? 'ECONNECTION' : options.secure ? 'ETLS' : 'ECONNECTION', `could not connect to ${options.host}:${options.port}: ${err.message}`));
      });
    });
    const client = new SmtpClient(socket, options);
    client.attach(socket);
    try {
      await client.handshake();
    } catch (err) {
      client.destroy();
      const e = err as SmtpClientError;
      if (e.code === 'EAUTH' || e.code === 'ETLS') throw e;
      throw Object.assign(e, { code: 'ECONNECTION' });
    }
    socket.setTimeout(options.socketTimeout);
    return client;
  }

  /**
   * Send one message to its envelope. Messages given while others are still going out are queued
   * and pipelined behind them; each promise settles on the server's reply to that message's data.
   */
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<void> {
    if (this.failure || this.broken || this.closing) {
      return Promise.reject(smtpError('ENOTSENT', `SMTP connection is closed${this.failure ? ` (${this.failure.message})` : ''}; the message was not sent`));
    }
    let paths: { from: string; to: string[] };
    try {
      paths = { from: pathOf(envelope.from), to: envelope.to.map(pathOf) };
    } catch (err) {
      return Promise.reject(err);
    }
    if (!paths.to.length) return Promise.reject(smtpError('EENVELOPE', 'no recipients'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...paths, data: dotStuff(raw), resolve, reject, stage: 'queued' });
      if (!this.envelopeOut && (this.pipelining || !this.dataOut.length)) this.writeNextEnvelope();
    });
  }

  /** End the session politely (QUIT) once nothing is going out; then close. */
  quit(): void {
    if (this.broken || this.closing) return;
    this.closing = true;
    const done = () => this.destroy();
    if (this.envelopeOut || this.dataOut.length || this.queue.length) {
      // Still sending: finish, then quit (checked after each reply).
      return;
    }
    this.expecting.push(done);
    this.socket.write('QUIT\r\n');
    setTimeout(done, 1000).unref();
  }

  /** Close at once; whatever was not acknowledged fails. */
  destroy(): void {
    this.fail(smtpError('ECONNECTION', 'SMTP connection closed'));
    this.socket.destroy();
  }

  // --- the session -------------------------------------------------------------------------

  private attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: Error & { code?: string }) => this.fail(smtpError(err.code === 'ETIMEDOUT' ? 'ETIMEDOUT' : 'ECONNECTION', `SMTP connection error: ${err.message}`)));
    socket.on('close', () => this.fail(smtpError('ECONNECTION', 'SMTP connection closed by the server')));
    socket.on('timeout', () => {
      this.fail(smtpError('ETIMEDOUT', `no reply from the SMTP server within ${this.options.socketTimeout} ms`));
      socket.destroy();
    });
  }

  private async handshake(): Promise<void> {
    const greeting = await this.expect(this.options.greetingTimeout);
    if (greeting.code !== 220) throw smtpError('ECONNECTION', 'the SMTP server did not greet', greeting);
    await this.hello();
    if (this.options.secure || this.options.ignoreTLS || !this.extensions.has('STARTTLS')) {
      if (this.options.requireTLS && !this.options.secure) throw smtpError('ETLS', 'the SMTP server does not offer STARTTLS and requireTLS is set');
    } else {
      const r = await this.command('STARTTLS');
      if (r.code !== 220) throw smtpError('ETLS', 'STARTTLS was refused', r, 'STARTTLS');
      await this.upgrade();
      await this.hello();
    }
    if (this.options.auth) await this.login(this.options.auth);
    this.onFailure = undefined;
  }

  private async hello(): Promise<void> {
    const name = clientName(this.options.name);
    let r = await this.command(`EHLO ${name}`);
    this.extensions.clear();
    this.authMethods.clear();
    if (r.code !== 250) {
      r = await this.command(`HELO ${name}`);
      if (r.code !== 250) throw smtpError('ECONNECTION', 'EHLO and HELO were refused', r, 'HELO');
      this.pipelining = false;
      return;
    }
    for (const line of r.text.split('\n').slice(1)) {
      const [ext, ...args] = line.trim().toUpperCase().split(/[\s=]+/);
      if (!ext) continue;
      this.extensions.add(ext);
      if (ext === 'AUTH') for (const m of args) this.authMethods.add(m);
    }
    this.pipelining = this.extensions.has('PIPELINING');
  }

  private async upgrade(): Promise<void> {
    // Whatever arrived after the 220 is not trusted (STARTTLS response injection): dropped.
    this.buffered = '';
    this.lines = [];
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('error');
    plain.removeAllListeners('close');
    plain.removeAllListeners('timeout');
    const secured = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: plain, ...serverName(this.options.host), ...this.options.tls });
      const timer = setTimeout(() => reject(smtpError('ETLS', 'TLS negotiation timed out')), this.options.greetingTimeout);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err: Error) => {
        clearTimeout(timer);
        reject(smtpError('ETLS', `TLS negotiation failed: ${err.message}`));
      });
    });
    this.socket = secured;
    this.attach(secured);
  }

  private async login(auth: { user: string; pass: string }): Promise<void> {
    if (this.authMethods.has('PLAIN') || !this.authMethods.has('LOGIN')) {
      const token = Buffer.from(`\0${auth.user}\0${auth.pass}`, 'utf8').toString('base64');
      const r = await this.command(`AUTH PLAIN ${token}`);
      if (r.code !== 235) throw smtpError('EAUTH', 'the SMTP server refused the credentials', r, 'AUTH PLAIN');
      return;
    }
    let r = await this.command('AUTH LOGIN');
    if (r.code !== 334) throw smtpError('EAUTH', 'AUTH LOGIN was refused', r, 'AUTH LOGIN');
    r = await this.command(Buffer.from(auth.user, 'utf8').toString('base64'));
    if (r.code !== 334) throw smtpError('EAUTH', 'the SMTP server refused the user name', r, 'AUTH LOGIN');
    r = await this.command(Buffer.from(auth.pass, 'utf8').toString('base64'));
    if (r.code !== 235) throw smtpError('EAUTH', 'the SMTP server refused the credentials', r, 'AUTH LOGIN');
  }

  /** One command during the handshake, and its reply. */
  private command(line: string): Promise<Reply> {
    const reply = this.expect(this.options.socketTimeout);
    this.socket.write(`${line}\r\n`);
    return reply;
  }

  private expect(timeoutMs: number): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(smtpError('ETIMEDOUT', `no reply from the SMTP server within ${timeoutMs} ms`));
        this.socket.destroy();
      }, timeoutMs);
      const handler = (r: Reply) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.expecting.push(handler);
      this.onFailure = (err) => {
        clearTimeout(timer);
        reject(err);
      };
    });
  }

  /** During the handshake: who hears of a failure. */
  private onFailure?: (err: SmtpClientError) => void;

  // --- messages ----------------------------------------------------------------------------

  /** Write the next queued message's envelope (MAIL FROM, RCPT TO…, DATA; RSET first after a refusal). */
  private writeNextEnvelope(prefix?: Buffer): void {
    const m = this.queue.shift();
    if (!m) {
      if (prefix) this.socket.write(prefix);
      return;
    }
    this.envelopeOut = m;
    m.stage = 'envelope';
    const commands: { line: string; onReply: (r: Reply) => void }[] = [];
    if (this.needsReset) {
      this.needsReset = false;
      commands.push({ line: 'RSET', onReply: (r) => r.code !== 250 && this.broke(smtpError('EPROTOCOL', 'RSET was refused', r, 'RSET')) });
    }
    const refuse = (err: SmtpClientError) => (m.refused ??= err);
    commands.push({ line: `MAIL FROM:${m.from}`, onReply: (r) => r.code !== 250 && refuse(smtpError('EENVELOPE', 'MAIL FROM was refused', r, 'MAIL FROM')) });
    for (const to of m.to) {
      commands.push({ line: `RCPT TO:${to}`, onReply: (r) => r.code !== 250 && r.code !== 251 && refuse(smtpError('EENVELOPE', `RCPT TO ${to} was refused`, r, 'RCPT TO')) });
    }
    commands.push({ line: 'DATA', onReply: (r) => this.onDataReply(m, r) });
    if (this.pipelining) {
      const text = commands.map((c) => `${c.line}\r\n`).join('');
      this.socket.write(prefix ? Buffer.concat([prefix, Buffer.from(text, 'utf8')]) : text);
      for (const c of commands) this.expecting.push(c.onReply);
      return;
    }
    // No PIPELINING: each command waits for the reply to the one before.
    if (prefix) this.socket.write(prefix);
    const step = (i: number) => {
      const c = commands[i];
      this.expecting.push((r) => {
        c.onReply(r);
        if (i + 1 < commands.length && !this.broken) {
          if (m.refused && commands[i + 1].line === 'DATA') {
            // Without pipelining there is no need to ask for DATA once the envelope is refused.
            this.envelopeOut = undefined;
            this.needsReset = true;
            m.reject(m.refused);
            this.afterMessage();
            return;
          }
          step(i + 1);
        }
      });
      this.socket.write(`${c.line}\r\n`);
    };
    step(0);
  }

  private onDataReply(m: Outgoing, r: Reply): void {
    this.envelopeOut = undefined;
    if (r.code === 354 && !m.refused) {
      m.stage = 'data';
      this.dataOut.push(m);
      this.expecting.push((final) => {
        this.dataOut.shift();
        if (final.code === 250) m.resolve();
        else {
          m.reject(smtpError('EMESSAGE', 'the SMTP server refused the message', final, 'DATA'));
          if (final.code === 421) this.broke(smtpError('ECONNECTION', 'the SMTP server is closing the connection', final));
        }
        this.afterMessage();
      });
      // The data, and (pipelining) the next message's envelope behind it, in one write.
      if (this.pipelining) this.writeNextEnvelope(m.data);
      else this.socket.write(m.data);
      return;
    }
    if (r.code === 354) {
      // A server that asks for the data of an envelope it refused: end that (empty) data at once.
      this.expecting.push(() => undefined);
      this.socket.write(END);
    }
    this.needsReset = true;
    m.reject(m.refused ?? smtpError('EENVELOPE', 'DATA was refused', r, 'DATA'));
    if (r.code === 421) return this.broke(smtpError('ECONNECTION', 'the SMTP server is closing the connection', r));
    this.afterMessage();
  }

  /** After a message's outcome: the next one (if not already out), or the pending QUIT. */
  private afterMessage(): void {
    if (this.broken) return;
    if (!this.envelopeOut && this.queue.length && (this.pipelining || !this.dataOut.length)) this.writeNextEnvelope();
    if (this.closing && !this.envelopeOut && !this.dataOut.length && !this.queue.length) {
      this.closing = false;
      this.quit();
    }
  }

  // --- replies -----------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.buffered += chunk.toString('utf8');
    // Everything written while these replies are handled leaves in one write.
    this.socket.cork();
    try {
      for (let at = this.buffered.indexOf('\n'); at >= 0; at = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, at).replace(/\r$/, '');
        this.buffered = this.buffered.slice(at + 1);
        this.lines.push(line);
        if (line.length >= 4 && line[3] === '-') continue;
        const code = Number(line.slice(0, 3));
        const text = this.lines.map((l) => l.slice(4)).join('\n');
        this.lines = [];
        const handler = this.expecting.shift();
        if (!Number.isInteger(code) || code < 200 || code > 599) {
          this.broke(smtpError('EPROTOCOL', `the SMTP server sent an invalid reply ${JSON.stringify(line.slice(0, 100))}`));
          return;
        }
        if (!handler) {
          if (code === 421) this.broke(smtpError('ECONNECTION', 'the SMTP server is closing the connection', { code, text }));
          continue;
        }
        handler({ code, text });
        if (this.broken) return;
      }
      if (this.buffered.length > 64 * 1024) this.broke(smtpError('EPROTOCOL', 'the SMTP server sent an over-long reply line'));
    } finally {
      this.socket.uncork();
    }
  }

  /** The connection cannot go on: fail what is out, then close it. */
  private broke(err: SmtpClientError): void {
    this.fail(err);
    this.socket.destroy();
  }

  private fail(err: SmtpClientError): void {
    if (this.broken) return;
    this.broken = true;
    this.failure = err;
    this.expecting = [];
    const handshake = this.onFailure;
    this.onFailure = undefined;
    handshake?.(err);
    for (const m of this.dataOut.splice(0)) {
      m.reject(Object.assign(new Error(`SMTP connection lost while sending: ${err.message}`), { code: 'ESENDLOST' }) as SmtpClientError);
    }
    const notSent = [...(this.envelopeOut ? [this.envelopeOut] : []), ...this.queue.splice(0)];
    this.envelopeOut = undefined;
    for (const m of notSent) m.reject(Object.assign(new Error(`SMTP connection lost before the message was sent: ${err.message}`), { code: 'ENOTSENT' }) as SmtpClientError);
    this.onBroken?.(err);
  }
}

/**
 * SmtpClient (src/notifications/channels/smtp-client.ts) against a real SMTP server (the
 * smtp-server package) in this process: pipelined messages arrive once each and intact, a refused
 * envelope never sends its data and does not stop the messages behind it, servers without
 * PIPELINING, AUTH PLAIN and LOGIN, STARTTLS, and a connection cut mid-message (ESENDLOST for the
 * message caught, ENOTSENT for the ones not written yet).
 */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SmtpClient, type SmtpClientError, type SmtpClientOptions } from '../../src/notifications/channels/smtp-client';
import { freePort } from '../support/servers';

/** Every server and client a test opens, closed after it whether it passed or not (a listening server left open would keep jest from exiting). */
const opened: { close(): Promise<void> }[] = [];
const clients: SmtpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const o of opened.splice(0)) await o.close();
});
const connect = async (options: SmtpClientOptions) => {
  const c = await SmtpClient.connect(options);
  clients.push(c);
  return c;
};

interface Got {
  from: string;
  to: string[];
  raw: string;
}

async function server(opts: Partial<SMTPServerOptions> & { onMessage?: (raw: string, to: string[]) => 'ok' | 'cut' | Error } = {}) {
  const port = await freePort();
  const got: Got[] = [];
  const commands: string[] = [];
  const { onMessage, ...rest } = opts;
  const s = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    ...rest,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = session.envelope.rcptTo.map((a) => a.address);
        const verdict = onMessage?.(raw, to) ?? 'ok';
        if (verdict === 'cut') {
          // The server has the data and dies before its reply.
          (session as unknown as { _socket?: { destroy(): void } })._socket?.destroy();
          for (const c of s.connections as Set<{ _socket: { destroy(): void } }>) c._socket.destroy();
          return;
        }
        if (verdict instanceof Error) return cb(verdict);
        got.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to, raw });
        cb(null, 'queued');
      });
    },
  });
  s.on('error', () => undefined);
  s.server.on('connection', (socket) => socket.on('data', (d: Buffer) => commands.push(...d.toString('utf8').split('\r\n').filter((l) => /^[A-Z]{4}/.test(l)))));
  await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', () => resolve()));
  const options: SmtpClientOptions = { host: '127.0.0.1', port, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 5000 };
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((r) => {
      for (const c of s.connections as Set<{ _socket: { destroy(): void } }>) c._socket.destroy();
      s.close(() => r());
    }));
  opened.push({ close });
  return { got, commands, options, close };
}

const message = (n: number, extra = '') => Buffer.from(`From: a@example.org\r\nTo: b${n}@example.org\r\nSubject: message ${n}\r\nX-N: ${n}\r\n\r\nHello ${n}\r\n${extra}`);
const settle = <T>(p: Promise<T>) => p.then(() => null, (err: SmtpClientError) => err);

describe('SmtpClient', () => {
  it('sends many messages pipelined on one connection, each once and intact, in order (dot-stuffing included)', async () => {
    const srv = await server();
    const client = await connect(srv.options);
    const tricky = '.starts with a dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n';
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => settle(client.send({ from: 'a@example.org', to: [`b${i}@example.org`] }, message(i, tricky)))));
    expect(results.every((r) => r === null)).toBe(true);
    expect(srv.got.map((g) => g.to[0])).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}@example.org`));
    for (const [i, g] of srv.got.entries()) {
      expect(g.raw).toContain(`Subject: message ${i}\r\n`);
      // What the server hands on is the message as given: the stuffed dots taken out again.
      expect(g.raw.endsWith(`Hello ${i}\r\n${tricky}`)).toBe(true);
    }
    client.quit();
    await srv.close();
  });

  it('a refused recipient fails that message only (its data is never sent), and the messages behind it still go', async () => {
    const srv = await server({
      onRcptTo(address, _s, cb) {
        if (address.address.startsWith('refused')) return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        if (address.address.startsWith('later')) return cb(Object.assign(new Error('Try later'), { responseCode: 451 }));
        cb();
      },
    });
    const client = await connect(srv.options);
    const to = ['b0@example.org', 'refused@example.org', 'b2@example.org', 'later@example.org', 'b4@example.org'];
    const results = await Promise.all(to.map((t, i) => settle(client.send({ from: 'a@example.org', to: [t] }, message(i)))));
    expect(results[0]).toBeNull();
    expect(results[1]).toMatchObject({ code: 'EENVELOPE', responseCode: 550 });
    expect(results[2]).toBeNull();
    expect(results[3]).toMatchObject({ code: 'EENVELOPE', responseCode: 451 });
    expect(results[4]).toBeNull();
    expect(srv.got.map((g) => g.to[0])).toEqual(['b0@example.org', 'b2@example.org', 'b4@example.org']);
    expect(client.usable).toBe(true);
    // A refusal resets the transaction before the next one.
    expect(srv.commands.filter((c) => c === 'RSET')).toHaveLength(2);
    client.quit();
    await srv.close();
  });

  it('a message refused after its data (a 5xx to the data) fails alone; the connection goes on', async () => {
    const srv = await server({ onMessage: (raw) => (raw.includes('X-N: 1\r\n') ? Object.assign(new Error('Content rejected'), { responseCode: 554 }) : 'ok') });
    const client = await connect(srv.options);
    const results = await Promise.all([0, 1, 2].map((i) => settle(client.send({ from: 'a@example.org', to: [`b${i}@example.org`] }, message(i)))));
    expect(results[0]).toBeNull();
    expect(results[1]).toMatchObject({ code: 'EMESSAGE', responseCode: 554 });
    expect(results[2]).toBeNull();
    expect(srv.got).toHaveLength(2);
    client.quit();
    await srv.close();
  });

  it('works with a server that does not offer PIPELINING: one command at a time', async () => {
    const srv = await server({ hidePIPELINING: true });
    const client = await connect(srv.options);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => settle(client.send({ from: 'a@example.org', to: [`b${i}@example.org`] }, message(i)))));
    expect(results.every((r) => r === null)).toBe(true);
    expect(srv.got).toHaveLength(10);
    client.quit();
    await srv.close();
  });

  it.each([['PLAIN'], ['LOGIN']])('logs in with AUTH %s, and a wrong password is EAUTH before anything is sent', async (method) => {
    const srv = await server({
      disabledCommands: ['STARTTLS'],
      authMethods: [method],
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _s, cb) {
        if (auth.username === 'hr' && auth.password === 'pässword') return cb(null, { user: 'hr' });
        cb(new Error('Invalid username or password'));
      },
    });
    const client = await connect({ ...srv.options, auth: { user: 'hr', pass: 'pässword' } });
    await client.send({ from: 'a@example.org', to: ['b@example.org'] }, message(0));
    expect(srv.got).toHaveLength(1);
    client.quit();
    await expect(connect({ ...srv.options, auth: { user: 'hr', pass: 'wrong' } })).rejects.toMatchObject({ code: 'EAUTH' });
    expect(srv.got).toHaveLength(1);
    await srv.close();
  });

  it('upgrades with STARTTLS when the server offers it, and refuses a plain server when requireTLS is set', async () => {
    const tlsServer = await server({ disabledCommands: ['AUTH'] });
    const client = await connect({ ...tlsServer.options, tls: { rejectUnauthorized: false } });
    await client.send({ from: 'a@example.org', to: ['b@example.org'] }, message(0));
    expect(tlsServer.got).toHaveLength(1);
    expect(tlsServer.commands).toContain('STARTTLS');
    client.quit();
    await tlsServer.close();

    const plain = await server();
    await expect(connect({ ...plain.options, requireTLS: true })).rejects.toMatchObject({ code: 'ETLS' });
    await plain.close();
  });

  it('a connection cut after a message is written: that one ESENDLOST (the server may have it), the ones not written ENOTSENT', async () => {
    const srv = await server({ onMessage: (raw) => (raw.includes('X-N: 2\r\n') ? 'cut' : 'ok') });
    const client = await connect(srv.options);
    let broken: SmtpClientError | undefined;
    client.onBroken = (err) => (broken = err);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => settle(client.send({ from: 'a@example.org', to: [`b${i}@example.org`] }, message(i)))));
    expect(results[0]).toBeNull();
    expect(results[1]).toBeNull();
    expect(results[2]).toMatchObject({ code: 'ESENDLOST' });
    for (const r of results.slice(3)) expect(r).toMatchObject({ code: 'ENOTSENT' });
    expect(srv.got).toHaveLength(2);
    expect(client.usable).toBe(false);
    expect(broken).toBeDefined();
    await expect(client.send({ from: 'a@example.org', to: ['b@example.org'] }, message(9))).rejects.toMatchObject({ code: 'ENOTSENT' });
    await srv.close();
  });

  it('a server that cannot be reached is ECONNECTION; an address that could smuggle a command is refused before anything is written', async () => {
    const port = await freePort();
    await expect(connect({ host: '127.0.0.1', port, connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 2000 })).rejects.toMatchObject({ code: 'ECONNECTION' });
    const srv = await server();
    const client = await connect(srv.options);
    await expect(client.send({ from: 'a@example.org', to: ['b@example.org>\r\nRCPT TO:<evil@example.org'] }, message(0))).rejects.toMatchObject({ code: 'EENVELOPE' });
    await client.send({ from: 'a@example.org', to: ['b@example.org'] }, message(1));
    expect(srv.got.map((g) => g.to)).toEqual([['b@example.org']]);
    client.quit();
    await srv.close();
  });
});

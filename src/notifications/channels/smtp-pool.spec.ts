import { startSmtpSink, SmtpSink } from '../../../test/support/smtp-sink';
import { composeMime } from './mime';
import { isPermanentSmtpError, SmtpPool } from './smtp-pool';

/** The pool against a real SMTP server (smtp-server on a loopback port). */
describe('SmtpPool', () => {
  let sink: SmtpSink;
  let pool: SmtpPool;
  const timeouts = { connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 5000 };
  const message = (id: string) =>
    composeMime({ from: { address: 'a@x.example' }, to: 'b@x.example', subject: `m ${id}`, text: 't', messageId: `<${id}@x.example>`, date: new Date(), headers: { 'X-WTT-Notification-Id': id } });
  const send = (id: string) => pool.send({ from: 'a@x.example', to: ['b@x.example'] }, message(id));

  beforeEach(async () => {
    sink = await startSmtpSink();
    pool = new SmtpPool(sink.url, 3, timeouts);
  });
  afterEach(async () => {
    pool.close();
    await sink.close();
  });

  it('sends many messages over at most `size` connections', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => send(String(i))));
    expect(sink.messages.map((m) => m.notificationId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => String(i)).sort());
    expect(new Set(sink.messages.map((m) => m.subject)).size).toBe(30);
  });

  it('keeps going after a refusal (451: try later), and tells a 550 apart as permanent', async () => {
    sink.setMode('refuse');
    const refused = await send('r').catch((e: unknown) => e);
    expect(isPermanentSmtpError(refused)).toBe(false);
    expect((refused as { responseCode: number }).responseCode).toBe(451);
    sink.setMode('reject');
    const rejected = await send('x').catch((e: unknown) => e);
    expect(isPermanentSmtpError(rejected)).toBe(true);
    sink.setMode('accept');
    await send('ok');
    expect(sink.messages.map((m) => m.notificationId)).toEqual(['ok']);
  });

  it('fails while the server is down and recovers, with the same pool, when it is back', async () => {
    await send('before');
    const port = sink.port;
    await sink.close();
    await expect(send('down')).rejects.toThrow();
    sink = await startSmtpSink({ port });
    await send('after');
    expect(sink.messages.map((m) => m.notificationId)).toEqual(['after']);
  });
});

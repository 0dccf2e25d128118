import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWords, SmtpSink, splitHeaders, startSmtpSink } from '../../../test/support/smtp-sink';
import type { AppConfig } from '../../config/app-config';
import { NotificationChannel, NotificationRow, NotificationStatus } from '../notification.types';
import { PermanentDeliveryError } from './delivery-errors';
import { EmailChannel, isPermanentSmtpError } from './email.channel';

const row = (over: Partial<NotificationRow> = {}): NotificationRow => ({
  id: '5d7c1e2a-3b4c-4d5e-8f60-718293a4b5c6',
  event_id: 'e',
  event_type: 'forum_meeting.scheduled',
  event_occurred_at: new Date('2017-01-10T09:00:00Z'),
  programme_id: null,
  recipient_key: 'user:x',
  channel: NotificationChannel.Email,
  user_id: null,
  webhook_subscription_id: null,
  address: 'rep@union.example',
  subject: 'Forum meeting scheduled: Forum #3 — Town Hall',
  body_text: 'A meeting.\nWhere: Town Hall',
  body_html: '<p>A meeting.</p>',
  payload: null,
  status: NotificationStatus.Queued,
  attempts: 0,
  ...over,
});

describe('EmailChannel without SMTP_URL', () => {
  let dir: string;
  let channel: EmailChannel;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wtt-mail-'));
    channel = new EmailChannel({ MAIL_DIR: dir, MAIL_FROM: 'Tracker <no-reply@council.example>', SMTP_POOL_SIZE: 1 } as AppConfig);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each notification as one .eml file named by its id (a repeat overwrites, never doubles)', async () => {
    await channel.send(row());
    await channel.send(row());
    expect(readdirSync(dir)).toEqual(['5d7c1e2a-3b4c-4d5e-8f60-718293a4b5c6.eml']);
    const { headers } = splitHeaders(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'));
    expect(decodeWords(headers.subject)).toBe('Forum meeting scheduled: Forum #3 — Town Hall');
    expect(headers.to).toBe('rep@union.example');
    expect(headers.from).toBe('Tracker <no-reply@council.example>');
    expect(headers['message-id']).toBe('<5d7c1e2a-3b4c-4d5e-8f60-718293a4b5c6@council.example>');
  });

  it('falls back to a general composer for an internationalised address', async () => {
    await channel.send(row({ id: 'b', address: 'zoë@example.com' }));
    const raw = readFileSync(join(dir, 'b.eml'), 'utf8');
    expect(raw).toMatch(/^To: /m);
    expect(raw).toMatch(/^X-WTT-Notification-Id: b\r$/im); // header names are case-insensitive
  });

  it('composes a notice once for all its recipients, each copy with its own To, Message-ID and notification id', async () => {
    const ids = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    await channel.send(row({ id: ids[0], address: 'one@union.example' }));
    await channel.send(row({ id: ids[1], address: 'two@union.example' }));
    const [a, b] = ids.map((id) => readFileSync(join(dir, `${id}.eml`), 'utf8'));
    for (const [raw, id, to] of [[a, ids[0], 'one@union.example'], [b, ids[1], 'two@union.example']]) {
      const { headers } = splitHeaders(raw);
      expect(headers.to).toBe(to);
      expect(headers['message-id']).toBe(`<${id}@council.example>`);
      expect(headers['x-wtt-notification-id']).toBe(id);
      expect(raw).not.toMatch(/wtt\.invalid|ffffffff-ffff/);
    }
    // The same body (one MIME build), the per-recipient headers apart.
    expect(a.slice(a.indexOf('\r\n\r\n'))).toBe(b.slice(b.indexOf('\r\n\r\n')));
  });

  it("keeps an event's notices apart: each row gets the subject, text, html and calendar of its own notice", async () => {
    const id = (n: number) => `${n}${n}${n}${n}${n}${n}${n}${n}-1111-4111-8111-111111111111`;
    const calendar = { calendar: { method: 'REQUEST', content: 'BEGIN:VCALENDAR\r\nUID:forum-3\r\nEND:VCALENDAR' } };
    // One event, five notices that differ in one field each from the first.
    const variants: Partial<NotificationRow>[] = [{}, { body_text: 'A meeting.' }, { body_html: null }, { payload: calendar }, { subject: 'Another subject' }];
    // Interleaved, twice over, so each notice is composed while the others are cached.
    for (const round of [1, 2]) for (const [n, over] of variants.entries()) await channel.send(row({ id: id(round * 5 + n - 4), address: `r${n}@union.example`, ...over }));
    for (const round of [1, 2])
      for (const [n, over] of variants.entries()) {
        const raw = readFileSync(join(dir, `${id(round * 5 + n - 4)}.eml`), 'utf8');
        const { headers } = splitHeaders(raw);
        expect(headers.to).toBe(`r${n}@union.example`);
        expect(decodeWords(headers.subject)).toBe(over.subject ?? 'Forum meeting scheduled: Forum #3 — Town Hall');
        expect(raw.includes('Where: Town Hall')).toBe(over.body_text === undefined);
        expect(raw.includes('text/html')).toBe(over.body_html !== null);
        expect(raw.includes('UID:forum-3')).toBe(over.payload !== undefined);
      }
  });

  it('refuses a row without an address for good', async () => {
    await expect(channel.send(row({ address: null }))).rejects.toThrow('no email address');
  });
});

/** nodemailer's pooled transport against a real SMTP server (smtp-server on a loopback port). */
describe('EmailChannel over SMTP', () => {
  let sink: SmtpSink;
  let channel: EmailChannel;
  const config = (url: string) => ({ MAIL_DIR: '/nonexistent', MAIL_FROM: 'Tracker <no-reply@council.example>', SMTP_URL: url, SMTP_POOL_SIZE: 3 }) as AppConfig;
  const send = (id: string, over: Partial<NotificationRow> = {}) => channel.send(row({ id, subject: `m ${id}`, ...over }));

  beforeEach(async () => {
    sink = await startSmtpSink();
    channel = new EmailChannel(config(sink.url));
  });
  afterEach(async () => {
    channel.onApplicationShutdown();
    await sink.close();
  });

  it('sends many messages at once, each with its notification id and a Message-ID that is the same on a resend', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => send(String(i))));
    expect(sink.messages.map((m) => m.notificationId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => String(i)).sort());
    expect(new Set(sink.messages.map((m) => m.subject)).size).toBe(30);
    await send('7');
    const sevens = sink.messages.filter((m) => m.notificationId === '7');
    expect(sevens.map((m) => m.messageId)).toEqual(['<7@council.example>', '<7@council.example>']);
  });

  it('attaches a meeting invitation as text/calendar with its method', async () => {
    const ics = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:forum-meeting-1@workforce-transition-tracker\r\nEND:VEVENT\r\nEND:VCALENDAR';
    await send('ics', { payload: { calendar: { method: 'REQUEST', content: ics } } });
    const [m] = sink.messages;
    expect(m.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    expect(m.calendar).toContain('UID:forum-meeting-1@workforce-transition-tracker');
    expect(m.text).toBe('A meeting.\nWhere: Town Hall');
  });

  it('keeps going after a refusal (451: try later), and tells a 550 apart as permanent', async () => {
    sink.setMode('refuse');
    const refused = await send('r').catch((e: unknown) => e);
    expect(isPermanentSmtpError(refused)).toBe(false);
    expect((refused as { responseCode: number }).responseCode).toBe(451);
    sink.setMode('reject');
    await expect(send('x')).rejects.toBeInstanceOf(PermanentDeliveryError);
    sink.setMode('accept');
    await send('ok');
    expect(sink.messages.map((m) => m.notificationId)).toEqual(['ok']);
  });

  it('fails while the server is down and recovers, with the same channel, when it is back', async () => {
    await send('before');
    const port = sink.port;
    await sink.close();
    await expect(send('down')).rejects.toThrow();
    sink = await startSmtpSink({ port });
    await send('after');
    expect(sink.messages.map((m) => m.notificationId)).toEqual(['after']);
  });
});

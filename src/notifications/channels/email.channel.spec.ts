import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWords, splitHeaders } from '../../../test/support/smtp-sink';
import type { AppConfig } from '../../config/app-config';
import { NotificationChannel, NotificationRow, NotificationStatus } from '../notification.types';
import { EmailChannel } from './email.channel';

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

  it('refuses a row without an address for good', async () => {
    await expect(channel.send(row({ address: null }))).rejects.toThrow('no email address');
  });
});

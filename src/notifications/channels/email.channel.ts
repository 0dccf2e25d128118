import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { AppConfig } from '../../config/app-config';
import type { NotificationRow } from '../notification.types';
import { PermanentDeliveryError } from './delivery-errors';

/** The domain part of an address in MAIL_FROM, for Message-IDs. */
export function mailDomain(from: string): string {
  const m = /@([^\s@<>]+)>?\s*$/.exec(from);
  return m ? m[1] : 'wtt.invalid';
}

/** Message-ID of a notification's email: the same on every attempt, so a receiver can spot a repeat. */
export const messageIdFor = (notificationId: string, from: string) => `<${notificationId}@${mailDomain(from)}>`;

type SmtpError = Error & { code?: string; responseCode?: number };

/** A 5xx reply other than 503 (bad sequence): the server refused this message for good (RFC 5321). */
export const isPermanentSmtpError = (err: unknown): boolean => {
  const code = (err as SmtpError | undefined)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600 && code !== 503;
};

/** A meeting notice's calendar invitation, as the relay stores it in the row's payload. */
interface CalendarPayload {
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
}

/** The message of one notifications row, as nodemailer's Mail options. */
export function mailOf(row: NotificationRow & { address: string }, from: string) {
  const calendar = (row.payload as CalendarPayload | null)?.calendar;
  return {
    from,
    to: row.address,
    subject: row.subject,
    text: row.body_text,
    html: row.body_html ?? undefined,
    messageId: messageIdFor(row.id, from),
    date: new Date(row.event_occurred_at),
    headers: { 'X-WTT-Notification-Id': row.id, 'X-WTT-Event-Type': row.event_type, 'Auto-Submitted': 'auto-generated' },
    // text/calendar; method=REQUEST as an alternative (and an invite.ics attachment): Outlook and
    // other mail clients offer to add, move or cancel the meeting in the calendar.
    ...(calendar ? { icalEvent: { method: calendar.method, filename: 'invite.ics', content: calendar.content } } : {}),
  };
}

/**
 * Email over SMTP through nodemailer's pooled transport (SMTP_POOL_SIZE connections, STARTTLS and
 * AUTH from SMTP_URL), or, when SMTP_URL is unset, as an .eml file per notification under MAIL_DIR
 * (named by the notification id, so a repeat overwrites instead of doubling). Every message carries
 * X-WTT-Notification-Id and a Message-ID that is the same on every attempt.
 */
@Injectable()
export class EmailChannel implements OnApplicationShutdown {
  private readonly logger = new Logger('EmailChannel');
  private readonly smtp?: Transporter;
  private readonly dir: string;

  constructor(private readonly config: AppConfig) {
    this.dir = resolve(config.MAIL_DIR);
    if (config.SMTP_URL) {
      this.smtp = createTransport({
        url: config.SMTP_URL,
        pool: true,
        maxConnections: config.SMTP_POOL_SIZE,
        maxMessages: 1000,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
    } else {
      this.logger.log(`SMTP_URL is not set: emails are written to ${this.dir}`);
    }
  }

  /** The whole RFC 5322 message (what the .eml file holds). */
  compose(row: NotificationRow & { address: string }): Promise<Buffer> {
    return new MailComposer(mailOf(row, this.config.MAIL_FROM)).compile().build();
  }

  async send(row: NotificationRow): Promise<void> {
    const address = row.address;
    if (!address) throw new PermanentDeliveryError('no email address');
    if (this.smtp) {
      try {
        await this.smtp.sendMail(mailOf({ ...row, address }, this.config.MAIL_FROM));
      } catch (err) {
        if (isPermanentSmtpError(err)) throw new PermanentDeliveryError((err as Error).message);
        throw err;
      }
      return;
    }
    const raw = await this.compose({ ...row, address });
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${row.id}.eml`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, raw);
    await rename(tmp, file);
  }

  onApplicationShutdown(): void {
    this.smtp?.close();
  }
}

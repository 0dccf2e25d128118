import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { AppConfig } from '../../config/app-config';
import type { NotificationRow } from '../notification.types';
import { PermanentDeliveryError } from './delivery-errors';
import { composeMime, isAsciiAddress, MimeAddress } from './mime';
import { isPermanentSmtpError, SmtpPool } from './smtp-pool';

/** The domain part of an address in MAIL_FROM, for Message-IDs. */
export function mailDomain(from: string): string {
  const m = /@([^\s@<>]+)>?\s*$/.exec(from);
  return m ? m[1] : 'wtt.invalid';
}

/** Message-ID of a notification's email: the same on every attempt, so a receiver can spot a repeat. */
export const messageIdFor = (notificationId: string, from: string) => `<${notificationId}@${mailDomain(from)}>`;

/**
 * Email over SMTP (a pool of SMTP_POOL_SIZE connections, see SmtpPool), or, when SMTP_URL is unset, as an
 * .eml file per notification under MAIL_DIR (named by the notification id, so a repeat
 * overwrites instead of doubling). The message is composed in memory first and handed to the
 * transport whole (one write to the server, not one per MIME chunk).
 */
@Injectable()
export class EmailChannel implements OnApplicationShutdown {
  private readonly logger = new Logger('EmailChannel');
  private readonly smtp?: SmtpPool;
  private readonly dir: string;
  private readonly from: MimeAddress;

  constructor(private readonly config: AppConfig) {
    this.dir = resolve(config.MAIL_DIR);
    const [parsed] = addressparser(config.MAIL_FROM, { flatten: true });
    this.from = { name: parsed?.name || undefined, address: parsed?.address || config.MAIL_FROM };
    if (config.SMTP_URL) {
      this.smtp = new SmtpPool(config.SMTP_URL, config.SMTP_POOL_SIZE, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    } else {
      this.logger.log(`SMTP_URL is not set: emails are written to ${this.dir}`);
    }
  }

  /** The whole RFC 5322 message. */
  async compose(row: NotificationRow & { address: string }): Promise<Buffer> {
    const headers = { 'X-WTT-Notification-Id': row.id, 'X-WTT-Event-Type': row.event_type, 'Auto-Submitted': 'auto-generated' };
    const messageId = messageIdFor(row.id, this.config.MAIL_FROM);
    const date = new Date(row.event_occurred_at);
    if (isAsciiAddress(row.address) && isAsciiAddress(this.from.address)) {
      return composeMime({ from: this.from, to: row.address, subject: row.subject, text: row.body_text, html: row.body_html, messageId, date, headers });
    }
    // Internationalised addresses: nodemailer's general composer.
    const mail = { from: this.config.MAIL_FROM, to: row.address, subject: row.subject, text: row.body_text, html: row.body_html ?? undefined, messageId, date, headers };
    return new MailComposer(mail).compile().build();
  }

  async send(row: NotificationRow): Promise<void> {
    const address = row.address;
    if (!address) throw new PermanentDeliveryError('no email address');
    const raw = await this.compose({ ...row, address });
    if (this.smtp) {
      try {
        await this.smtp.send({ from: this.from.address, to: [address] }, raw);
      } catch (err) {
        if (isPermanentSmtpError(err)) throw new PermanentDeliveryError((err as Error).message);
        throw err;
      }
      return;
    }
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

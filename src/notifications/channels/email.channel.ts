import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport, type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { AppConfig } from '../../config/app-config';
import type { NotificationRow } from '../notification.types';
import { PermanentDeliveryError } from './delivery-errors';
import { SmtpPool, type SmtpSession } from './smtp-pool';

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

/** Stand-ins for the per-recipient values in a message composed once for all the recipients of a notice. */
const TO_MARK = 'wtt-recipient@wtt.invalid';
const ID_MARK = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
/** Values that can stand in a header as they are (no encoding, no folding surprises). */
const PLAIN = /^[\x21-\x7e]+$/;
/** Events whose notices are kept composed (an event's notice is the same for its ~100 recipients; the worker sends them one event after another), and at most so many notices each. */
const COMPOSED_CACHE_SIZE = 64;
const NOTICES_PER_EVENT = 8;

/** A notice composed with the stand-ins, and what it says (to tell it apart from the event's other notices). */
interface Template {
  subject: string;
  text: string;
  html: string | null;
  /** The payload as JSON ('' when none). */
  payload: string;
  built: Promise<{ head: string; body: Buffer }>;
}

const payloadJson = (row: NotificationRow) => (row.payload === null || row.payload === undefined ? '' : JSON.stringify(row.payload));

/**
 * Composes messages with nodemailer's MailComposer, once per notice rather than once per recipient:
 * the message is built with stand-ins for the three values that differ between recipients (To, the
 * Message-ID and X-WTT-Notification-Id, all plain ASCII here), then each recipient's copy is that
 * text with their values put in. Building the MIME tree is most of the CPU nodemailer spends on a
 * message (about 1 ms, against 0.05 ms for the substitution; docs/benchmarks.md). An address or id
 * that is not plain ASCII gets a message of its own.
 *
 * Templates are found by event (id, type and time), then by comparing what the notice says field
 * by field: an event has one or two notices (personal, restricted), and comparing two strings is
 * far cheaper than the SHA-256 of the row's JSON it replaced (13–16 µs a message,
 * docs/benchmarks.md, issue 20 fifth round).
 */
export class MessageComposer {
  /** Templates by event, the most recent event last; the promise is kept, so rows of one notice composed at the same moment build it once. */
  private readonly composed = new Map<string, Template[]>();

  constructor(private readonly from: string) {}

  async compose(row: NotificationRow & { address: string }): Promise<Buffer> {
    if (!PLAIN.test(row.address) || !PLAIN.test(row.id)) return new MailComposer(mailOf(row, this.from)).compile().build();
    const t = await this.template(row);
    return Buffer.concat([Buffer.from(t.head.replaceAll(TO_MARK, row.address).replaceAll(ID_MARK, row.id), 'latin1'), t.body]);
  }

  private template(row: NotificationRow): Promise<{ head: string; body: Buffer }> {
    const event = `${row.event_id} ${row.event_type} ${String(row.event_occurred_at)}`;
    const payload = payloadJson(row);
    let templates = this.composed.get(event);
    const found = templates?.find((t) => t.subject === row.subject && t.text === row.body_text && t.html === row.body_html && t.payload === payload);
    if (found) return found.built;
    if (!templates) {
      if (this.composed.size >= COMPOSED_CACHE_SIZE) this.composed.delete(this.composed.keys().next().value!);
      templates = [];
      this.composed.set(event, templates);
    }
    const built = new MailComposer(mailOf({ ...row, id: ID_MARK, address: TO_MARK }, this.from))
      .compile()
      .build()
      .then((raw) => {
        const end = raw.indexOf('\r\n\r\n');
        return { head: raw.subarray(0, end).toString('latin1'), body: raw.subarray(end) };
      });
    const template: Template = { subject: row.subject, text: row.body_text, html: row.body_html, payload, built };
    if (templates.length >= NOTICES_PER_EVENT) templates.shift();
    templates.push(template);
    built.catch(() => {
      const list = this.composed.get(event);
      const at = list?.indexOf(template) ?? -1;
      if (at >= 0) list!.splice(at, 1);
    });
    return built;
  }
}

/** Sends one row's message; a batch gets one of these (see EmailChannel.withSender). */
export type EmailSender = (row: NotificationRow) => Promise<void>;

/**
 * Email over SMTP: messages composed once per notice (MessageComposer) and sent as they are over a
 * pool of SMTP_POOL_SIZE nodemailer SMTPConnections (STARTTLS and AUTH from SMTP_URL; `SmtpPool`),
 * a batch of a notice's recipients over one warm connection. When SMTP_URL is unset, an .eml file
 * per notification under MAIL_DIR (named by the notification id, so a repeat overwrites instead of
 * doubling). Every message carries X-WTT-Notification-Id and a Message-ID that is the same on
 * every attempt.
 */
@Injectable()
export class EmailChannel implements OnApplicationShutdown {
  private readonly logger = new Logger('EmailChannel');
  private readonly pool?: SmtpPool;
  /** nodemailer's transport, for messages that nodemailer composes and sends itself (not the notices). */
  private readonly smtp?: Transporter;
  private readonly dir: string;
  private readonly composer: MessageComposer;
  /** The envelope sender: MAIL_FROM's address. */
  private readonly envelopeFrom: string;

  constructor(config: AppConfig) {
    this.dir = resolve(config.MAIL_DIR);
    this.composer = new MessageComposer(config.MAIL_FROM);
    this.envelopeFrom = addressparser(config.MAIL_FROM, { flatten: true })[0]?.address || config.MAIL_FROM;
    if (config.SMTP_URL) {
      const timeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };
      this.pool = new SmtpPool(config.SMTP_URL, config.SMTP_POOL_SIZE, timeouts);
      // (Pooled, so it opens a connection only when something is sent through it.)
      this.smtp = createTransport({ url: config.SMTP_URL, pool: true, maxConnections: 1, ...timeouts });
    } else {
      this.logger.log(`SMTP_URL is not set: emails are written to ${this.dir}`);
    }
  }

  /** The whole RFC 5322 message (what the .eml file holds). */
  compose(row: NotificationRow & { address: string }): Promise<Buffer> {
    return this.composer.compose(row);
  }

  /** Send one row's message (on a pooled connection of its own). */
  send(row: NotificationRow): Promise<void> {
    return this.withSender((send) => send(row));
  }

  /**
   * Run `work` with a sender for rows over one pooled connection, taken before `work` starts (so a
   * server that cannot be reached fails here, before anything is claimed) and kept for the whole
   * batch. Rows sent without waiting for the one before are pipelined on the connection, in the
   * order given. When the connection breaks, the rows whose data had not gone out (ENOTSENT) go
   * over a fresh connection, in their order; a row caught mid-message fails with ESENDLOST (the
   * server may have it). Without SMTP, the sender writes .eml files.
   */
  async withSender<T>(work: (send: EmailSender) => Promise<T>): Promise<T> {
    const pool = this.pool;
    if (!pool) return work((row) => this.writeFile(row));
    let lease = await pool.lease();
    /** The next connection, once one is being opened (shared by every row that needs it). */
    let next: Promise<typeof lease> | undefined;
    const fresh = (broken: typeof lease): Promise<typeof lease> => {
      if (lease !== broken) return Promise.resolve(lease);
      next ??= pool.lease().then((l) => {
        broken.release();
        lease = l;
        next = undefined;
        return l;
      }, (err: unknown) => {
        next = undefined;
        throw err;
      });
      return next;
    };
    const send = async (row: NotificationRow): Promise<void> => {
      for (let tries = 0; ; tries++) {
        const on = lease.session.usable ? lease : await fresh(lease);
        try {
          return await this.sendOn(on.session, row);
        } catch (err) {
          // Not written before the connection went: nothing reached the server; once more on another connection.
          if ((err as { code?: string }).code !== 'ENOTSENT' || tries >= 2) throw err;
          await fresh(on);
        }
      }
    };
    try {
      return await work(send);
    } finally {
      await next?.catch(() => undefined);
      lease.release();
    }
  }

  private async sendOn(session: SmtpSession, row: NotificationRow): Promise<void> {
    const address = row.address;
    if (!address) throw new PermanentDeliveryError('no email address');
    const raw = await this.compose({ ...row, address });
    try {
      await session.send({ from: this.envelopeFrom, to: [address] }, raw);
    } catch (err) {
      if (isPermanentSmtpError(err)) throw new PermanentDeliveryError((err as Error).message);
      throw err;
    }
  }

  private async writeFile(row: NotificationRow): Promise<void> {
    const address = row.address;
    if (!address) throw new PermanentDeliveryError('no email address');
    const raw = await this.compose({ ...row, address });
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${row.id}.eml`);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, raw);
    await rename(tmp, file);
  }

  onApplicationShutdown(): void {
    this.pool?.close();
    this.smtp?.close();
  }
}

import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { AppConfig } from '../../config/app-config';
import { isPermanentSmtpError, mailDomain } from '../../notifications/channels/email.channel';
import { govDate } from '../../web/filters';
import { KIND_TITLE, type DocumentKind } from '../document-kinds';
import { DOCUMENT_STORE, DocumentStore } from '../document-store';
import { DOCUMENT_ENTITY } from '../documents.service';

/** Thrown when the delivery's row (or its document) has gone: the job ends without retrying. */
export class DeliveryGone extends Error {}
/** The PDF is not made yet: the job is tried again (the PDF job runs meanwhile). */
export class PdfNotReady extends Error {}

export const documentMessageId = (deliveryId: string, from: string) => `<doc-${deliveryId}@${mailDomain(from)}>`;

const asciiName = (s: string) => s.replace(/[^A-Za-z0-9._ -]+/g, '_').slice(0, 150);

interface DeliveryRow {
  id: string;
  document_id: string;
  recipient_name: string;
  address: string;
  status: string;
  kind: DocumentKind;
  title: string;
  issued_at: Date;
  pdf_file_id: string | null;
  programme: string;
}

/**
 * The worker's sender of issued documents by email, the PDF attached: its own nodemailer pooled
 * transport built from the same settings as the notifications email channel (SMTP_URL,
 * SMTP_POOL_SIZE, MAIL_FROM; unset SMTP_URL: an .eml file per delivery under MAIL_DIR). A delivery
 * is sent once: "sent" is recorded with the Message-ID (the same on every attempt) and audited; a
 * failure is counted and retried by BullMQ, a 5xx refusal or the last attempt marks it failed.
 */
@Injectable()
export class DocumentMailer implements OnApplicationShutdown {
  private readonly logger = new Logger('DocumentMailer');
  private readonly smtp?: Transporter;
  constructor(
    @Inject(DOCUMENT_STORE) private readonly store: DocumentStore,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {
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
    }
  }

  /** Send one delivery; `last`: this is the job's last attempt (a failure then marks it failed). */
  async send(deliveryId: string, last: boolean): Promise<{ sent: string } | { skipped: string }> {
    const [row]: DeliveryRow[] = await this.db.query(
      `SELECT x.id, x.document_id, x.recipient_name, x.address, x.status, d.kind, d.title, d.issued_at, d.pdf_file_id, p.name AS programme
         FROM document_deliveries x JOIN documents d ON d.id = x.document_id JOIN programmes p ON p.id = d.programme_id WHERE x.id = $1`,
      [deliveryId],
    );
    if (!row) throw new DeliveryGone(`document delivery ${deliveryId} no longer exists`);
    if (row.status === 'sent') return { skipped: 'sent already' };
    try {
      if (!row.pdf_file_id) throw new PdfNotReady(`the PDF of document ${row.document_id} is not made yet`);
      const pdf = (await this.store.load(this.db.manager, row.pdf_file_id))!;
      const messageId = documentMessageId(row.id, this.config.MAIL_FROM);
      const title = KIND_TITLE[row.kind];
      const mail: SendMailOptions = {
        from: this.config.MAIL_FROM,
        to: { name: row.recipient_name, address: row.address },
        subject: `${title} – ${row.programme}`,
        text: [
          `Dear ${row.recipient_name},`,
          '',
          `Attached is the ${title.toLowerCase()} issued to you on ${govDate(row.issued_at.toISOString().slice(0, 10))} (${row.programme}), as a PDF.`,
          '',
          'Please keep it. If anything in it is not right, contact the HR team.',
        ].join('\n'),
        messageId,
        headers: { 'X-WTT-Document-Id': row.document_id, 'X-WTT-Delivery-Id': row.id, 'Auto-Submitted': 'auto-generated' },
        attachments: [{ filename: `${asciiName(row.title)}.pdf`, content: pdf.bytes, contentType: 'application/pdf' }],
      };
      if (this.smtp) await this.smtp.sendMail(mail);
      else await this.writeEml(row.id, mail);
      await this.db.transaction(async (em) => {
        await em.query(`UPDATE document_deliveries SET status = 'sent', sent_at = now(), message_id = $2, attempts = attempts + 1, last_error = NULL, updated_at = now() WHERE id = $1 AND status <> 'sent'`, [row.id, messageId]);
        await this.audit.record(em, {
          action: 'document.email_sent',
          entityType: DOCUMENT_ENTITY,
          entityId: row.document_id,
          after: { deliveryId: row.id, to: row.address, messageId, pdfSha256: pdf.sha256 },
          actor: null,
          actorLabel: 'worker',
        });
      });
      return { sent: messageId };
    } catch (err) {
      const permanent = isPermanentSmtpError(err);
      const failed = permanent || last;
      await this.db.query(
        `UPDATE document_deliveries SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END, updated_at = now() WHERE id = $1 AND status <> 'sent'`,
        [row.id, (err as Error).message.slice(0, 2000), failed],
      );
      if (failed) this.logger.warn({ deliveryId, err: (err as Error).message }, 'document email failed for good');
      if (permanent) return { skipped: `refused: ${(err as Error).message}` };
      throw err;
    }
  }

  private async writeEml(id: string, mail: SendMailOptions): Promise<void> {
    const raw = await new MailComposer(mail).compile().build();
    const dir = resolve(this.config.MAIL_DIR);
    await mkdir(dir, { recursive: true });
    const file = join(dir, `doc-${id}.eml`);
    await writeFile(`${file}.${process.pid}.tmp`, raw);
    await rename(`${file}.${process.pid}.tmp`, file);
  }

  onApplicationShutdown(): void {
    this.smtp?.close();
  }
}

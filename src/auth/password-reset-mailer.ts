import { Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EmailChannel } from '../notifications/channels/email.channel';
import { NotificationChannel, NotificationStatus, type NotificationRow } from '../notifications/notification.types';
import { PASSWORD_RESET_TTL_MINUTES } from './password-reset.service';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Worker side of a password reset: makes the link's secret, stores only its SHA-256 and emails
 * the link through the notifications email channel (SMTP_URL, or .eml files). Each attempt makes a
 * new secret, so only the link in the email that was delivered works. Returns false (nothing sent)
 * when the reset was used, has expired or its account is gone or deactivated.
 */
@Injectable()
export class PasswordResetMailer {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly email: EmailChannel,
  ) {}

  async send(resetId: string): Promise<boolean> {
    const secret = randomBytes(32).toString('base64url');
    // An UPDATE through TypeORM's query answers [rows, affected].
    const [rows]: [{ email: string; display_name: string; created_at: Date }[], number] = await this.db.query(
      `UPDATE password_resets r SET token_hash = $2
       FROM users u
       WHERE r.id = $1 AND u.id = r.user_id AND u.is_active AND r.used_at IS NULL AND r.expires_at > now()
       RETURNING u.email, u.display_name, r.created_at`,
      [resetId, createHash('sha256').update(secret).digest('hex')],
    );
    const row = rows[0];
    if (!row) return false;
    const link = `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/password-reset/${secret}`;
    const text = [
      `Dear ${row.display_name},`,
      '',
      'Someone asked to reset the password of your Workforce transition tracker account.',
      `To choose a new password, open this link within ${PASSWORD_RESET_TTL_MINUTES} minutes. It works once:`,
      '',
      link,
      '',
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ].join('\n');
    const html = `<p>Dear ${escapeHtml(row.display_name)},</p><p>Someone asked to reset the password of your Workforce transition tracker account.</p><p>To choose a new password, open this link within ${PASSWORD_RESET_TTL_MINUTES} minutes. It works once:</p><p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p><p>If you did not ask for this, ignore this email: your password stays as it is.</p>`;
    const message: NotificationRow = {
      id: resetId,
      event_id: resetId,
      event_type: 'password_reset',
      event_occurred_at: row.created_at,
      programme_id: null,
      recipient_key: `email:${row.email}`,
      channel: NotificationChannel.Email,
      user_id: null,
      webhook_subscription_id: null,
      address: row.email,
      subject: 'Reset your password',
      body_text: text,
      body_html: html,
      payload: null,
      status: NotificationStatus.Queued,
      attempts: 0,
    };
    await this.email.send(message);
    await this.db.query(
      `UPDATE password_resets SET email_attempts = email_attempts + 1, email_sent_at = now(), email_failed_at = NULL, email_last_error = NULL WHERE id = $1`,
      [resetId],
    );
    return true;
  }

  /** A failed attempt to email the link: counted, and, when it was the last (or the server refused for good), the reset is marked failed with why. */
  async recordFailure(resetId: string, error: string, last: boolean): Promise<void> {
    await this.db.query(
      `UPDATE password_resets SET email_attempts = email_attempts + 1, email_last_error = left($2, 2000),
              email_failed_at = CASE WHEN $3 THEN now() ELSE NULL END
       WHERE id = $1 AND email_sent_at IS NULL`,
      [resetId, error, last],
    );
  }
}

/** For the worker: the mailer and its own email channel (the notifications module keeps its own private). */
@Module({ providers: [EmailChannel, PasswordResetMailer], exports: [PasswordResetMailer] })
export class PasswordResetWorkerModule {}

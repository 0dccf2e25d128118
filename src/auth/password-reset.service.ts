import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiException } from '../common/errors/api-error';
import { IdentityCache } from '../users/identity-cache';
import { AppConfig } from '../config/app-config';
import { JobProducer } from '../queue/job-producer.service';
import { JobName } from '../queue/queue.contract';
import { InjectRedis } from '../redis/redis.module';
import { hashPassword } from '../users/password';
import { FailedPasswordResetEmailResponse } from './dto/sso.dto';
import { SignInSettingsService } from './sign-in-settings.service';

/** How long a reset link works. */
export const PASSWORD_RESET_TTL_MINUTES = 30;
/** Requests allowed per address (account email) and per client address in RESET_WINDOW_SECONDS. */
export const RESET_LIMIT_PER_EMAIL = 3;
export const RESET_LIMIT_PER_CLIENT = 10;
export const RESET_WINDOW_SECONDS = 15 * 60;

export const PasswordResetAudit = {
  Request: 'auth.password_reset_request',
  Complete: 'user.password_reset',
} as const;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Password reset by email for local passwords. The request answers the same whether or not the
 * address has an account (and is rate limited per address and per client, counting unknown
 * addresses too). The secret is made by the worker when it sends the email (PasswordResetMailer):
 * only its SHA-256 is stored, the link works once and for PASSWORD_RESET_TTL_MINUTES.
 */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger('PasswordReset');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly jobs: JobProducer,
    private readonly settings: SignInSettingsService,
    private readonly identities: IdentityCache,
  ) {}

  /** Ask for a reset link. Resolves the same way for a known and an unknown address. */
  async request(emailRaw: string, ip: string): Promise<void> {
    await this.settings.assertLocalPasswords();
    const email = emailRaw.trim().toLowerCase();
    await this.limit(email, ip);
    const [user]: { id: string; is_active: boolean }[] = await this.db.query(`SELECT id, is_active FROM users WHERE email = $1`, [email]);
    if (!user || !user.is_active) {
      await this.audit.recordAlone({
        action: PasswordResetAudit.Request,
        entityType: 'user',
        entityId: user?.id ?? null,
        actor: null,
        actorLabel: email.slice(0, 200),
        metadata: { sent: false, reason: user ? 'inactive' : 'unknown_email' },
      });
      return;
    }
    const resetId = await this.db.transaction(async (em) => {
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO password_resets (user_id, expires_at) VALUES ($1, now() + make_interval(mins => $2)) RETURNING id`,
        [user.id, PASSWORD_RESET_TTL_MINUTES],
      );
      await this.audit.record(em, { action: PasswordResetAudit.Request, entityType: 'user', entityId: user.id, actor: null, actorLabel: email.slice(0, 200), metadata: { sent: true, resetId: row.id } });
      return row.id;
    });
    try {
      await this.jobs.enqueue({ name: JobName.SendPasswordReset, data: { resetId } }, { jobId: `password-reset-${resetId}` });
    } catch (err) {
      // The answer must not differ for a known address: log it; the person can ask again.
      this.logger.error(`password reset email not queued: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Resets whose email could not be sent, newest first (the last 30 days): for admins, on the sign-in settings page and the API. */
  async failedEmails(limit = 50): Promise<FailedPasswordResetEmailResponse[]> {
    return this.db.query(
      `SELECT r.id AS "resetId", r.user_id AS "userId", u.email, u.display_name AS "displayName", r.created_at AS "askedAt",
              r.email_attempts AS attempts, r.email_failed_at AS "failedAt", r.email_last_error AS error
       FROM password_resets r JOIN users u ON u.id = r.user_id
       WHERE r.email_failed_at IS NOT NULL AND r.email_failed_at > now() - interval '30 days'
       ORDER BY r.email_failed_at DESC LIMIT $1`,
      [limit],
    );
  }

  /** Whether a reset link still works (the page shows the form only then). */
  async isUsable(token: string): Promise<boolean> {
    if (!TOKEN.test(token)) return false;
    const [row] = await this.db.query(
      `SELECT 1 FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.is_active`,
      [sha256(token)],
    );
    return !!row;
  }

  /**
   * Set a new password with a reset link, once. Ends the user's sessions and revokes their API
   * tokens, as a password change does. 400 on `token` when the link has expired or was used.
   */
  async complete(token: string, newPassword: string): Promise<{ userId: string }> {
    await this.settings.assertLocalPasswords();
    if (newPassword.length < 12 || newPassword.length > 200) {
      throw ApiException.validation([{ field: 'newPassword', reason: 'Password must be between 12 and 200 characters' }]);
    }
    const hash = await hashPassword(newPassword);
    const done = await this.db.transaction(async (em: EntityManager) => {
      const [row]: { id: string; user_id: string }[] = TOKEN.test(token)
        ? await em.query(
            `SELECT r.id, r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id
             WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.is_active
             FOR UPDATE OF r`,
            [sha256(token)],
          )
        : [];
      if (!row) throw new ApiException(HttpStatus.BAD_REQUEST, 'This password reset link has expired or has already been used', [{ field: 'token', reason: 'has expired or has already been used' }]);
      await em.query(`UPDATE password_resets SET used_at = now() WHERE id = $1`, [row.id]);
      // Other links of this user stop working too.
      await em.query(`DELETE FROM password_resets WHERE user_id = $1 AND id <> $2 AND used_at IS NULL`, [row.user_id, row.id]);
      await em.query(`UPDATE users SET password_hash = $2, token_version = token_version + 1, updated_at = now() WHERE id = $1`, [row.user_id, hash]);
      // An UPDATE through TypeORM's query answers [rows, affected].
      const [, revoked]: [unknown[], number] = await em.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`, [row.user_id]);
      await this.audit.record(em, {
        action: PasswordResetAudit.Complete,
        entityType: 'user',
        entityId: row.user_id,
        actor: null,
        actorLabel: 'password reset link',
        metadata: { resetId: row.id, revokedApiTokens: revoked },
      });
      return { userId: row.user_id };
    });
    // Old tokens stop on this process at once (the users trigger tells the others).
    this.identities.invalidate(done.userId);
    return done;
  }

  /** 429 past RESET_LIMIT_PER_EMAIL for the address or RESET_LIMIT_PER_CLIENT for the client in the window. */
  private async limit(email: string, ip: string): Promise<void> {
    const keys = [`${this.config.REDIS_PREFIX}:pwreset:email:${sha256(email)}`, `${this.config.REDIS_PREFIX}:pwreset:ip:${ip}`];
    let counts: number[];
    try {
      const res = (await this.redis.multi().incr(keys[0]).expire(keys[0], RESET_WINDOW_SECONDS, 'NX').incr(keys[1]).expire(keys[1], RESET_WINDOW_SECONDS, 'NX').ttl(keys[0]).exec()) as [unknown, number][];
      counts = [res[0][1], res[2][1]];
      const ttl = res[4][1];
      if (counts[0] > RESET_LIMIT_PER_EMAIL || counts[1] > RESET_LIMIT_PER_CLIENT) {
        throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, 'Too many password reset requests: wait a few minutes and try again', [{ field: 'email', reason: 'too many requests', retryAfterSeconds: Math.max(1, ttl) }]);
      }
    } catch (err) {
      if (err instanceof ApiException) throw err;
      this.logger.warn(`password reset limiting suspended: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

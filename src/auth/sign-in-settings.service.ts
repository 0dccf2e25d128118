import { ForbiddenException, HttpStatus, Injectable } from '@nestjs/common';
import { staleVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { ApiException } from '../common/errors/api-error';

export interface SignInSettings {
  localPasswordsEnabled: boolean;
  version: number;
  updatedAt: Date;
}

/**
 * How people may sign in, kept in the database (one row, sign_in_settings) so every API instance
 * agrees at once: whether local passwords (and their reset by email) may be used. Single sign-on
 * providers are configuration (OIDC_PROVIDERS); API tokens always work.
 */
@Injectable()
export class SignInSettingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(): Promise<SignInSettings> {
    const [row]: { local_passwords_enabled: boolean; version: number; updated_at: Date }[] = await this.db.query(
      `SELECT local_passwords_enabled, version, updated_at FROM sign_in_settings WHERE id = 1`,
    );
    // The migration writes the row; without it (never in practice) passwords stay on.
    return row ? { localPasswordsEnabled: row.local_passwords_enabled, version: row.version, updatedAt: row.updated_at } : { localPasswordsEnabled: true, version: 0, updatedAt: new Date(0) };
  }

  /** Refuse a password sign-in or reset while local passwords are off (403, naming the field). */
  async assertLocalPasswords(): Promise<void> {
    if (!(await this.get()).localPasswordsEnabled) {
      throw new ApiException(HttpStatus.FORBIDDEN, 'Signing in with a password is turned off: sign in with your organisation’s account', [
        { field: 'password', reason: 'password sign-in is turned off by an admin' },
      ]);
    }
  }

  /** Admin: turn local passwords on or off (audited). `version` guards against a stale form (409). */
  async setLocalPasswords(caller: AuthUser, enabled: boolean, version: number, providersConfigured: number): Promise<SignInSettings> {
    if (!enabled && providersConfigured === 0) {
      throw ApiException.validation([{ field: 'localPasswordsEnabled', reason: 'Local passwords cannot be turned off while no single sign-on provider is configured: nobody could sign in' }]);
    }
    return this.db.transaction(async (em) => {
      const [row]: { local_passwords_enabled: boolean; version: number }[] = await em.query(`SELECT local_passwords_enabled, version FROM sign_in_settings WHERE id = 1 FOR UPDATE`);
      if (!row) throw new ForbiddenException('Sign-in settings are missing');
      if (row.version !== version) {
        throw staleVersion('Sign-in settings', row.version);
      }
      if (row.local_passwords_enabled !== enabled) {
        await em.query(`UPDATE sign_in_settings SET local_passwords_enabled = $1, version = version + 1, updated_at = now(), updated_by = $2 WHERE id = 1`, [enabled, caller.id]);
        await this.audit.record(em, {
          action: 'sign_in_settings.update',
          entityType: 'sign_in_settings',
          entityId: '1',
          actor: caller,
          before: { localPasswordsEnabled: row.local_passwords_enabled },
          after: { localPasswordsEnabled: enabled },
        });
      }
      const [after]: { local_passwords_enabled: boolean; version: number; updated_at: Date }[] = await em.query(
        `SELECT local_passwords_enabled, version, updated_at FROM sign_in_settings WHERE id = 1`,
      );
      return { localPasswordsEnabled: after.local_passwords_enabled, version: after.version, updatedAt: after.updated_at };
    });
  }
}

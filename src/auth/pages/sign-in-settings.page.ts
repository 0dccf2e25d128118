import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OidcService } from '../oidc/oidc.service';
import { PasswordResetService } from '../password-reset.service';
import { SignInSettingsService } from '../sign-in-settings.service';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { fieldError, formFields } from '../../web/forms';
import { formErrors, redirectTo, renderPage } from '../../web/page-context';

const VIEW = 'auth/views/sign-in-settings.njk';

/** Admin: how people sign in (local passwords on or off), the configured providers, account requests, and reset emails that could not be sent. */
@ApiExcludeController()
@Controller()
export class SignInSettingsPage {
  constructor(
    private readonly settings: SignInSettingsService,
    private readonly oidc: OidcService,
    private readonly resets: PasswordResetService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  private async model(): Promise<Record<string, unknown>> {
    const s = await this.settings.get();
    const requests: { email: string; display_name: string; provider_id: string; last_seen_at: Date }[] = await this.db.query(
      `SELECT r.email, r.display_name, r.provider_id, r.last_seen_at FROM account_requests r
       WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.email = r.email) ORDER BY r.last_seen_at DESC LIMIT 100`,
    );
    const names = new Map(this.oidc.list().map((p) => [p.id, p.name]));
    return {
      pageTitle: 'Sign-in settings',
      settings: s,
      providers: this.oidc.list(),
      failedResets: await this.resets.failedEmails(),
      requests: requests.map((r) => ({ email: r.email, name: r.display_name, provider: names.get(r.provider_id) ?? r.provider_id, lastSeenAt: r.last_seen_at })),
      values: { localPasswords: s.localPasswordsEnabled ? 'on' : 'off', version: String(s.version) },
    };
  }

  @Get('admin/sign-in')
  @Roles(Role.Admin)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await renderPage(req, reply, VIEW, await this.model());
  }

  @Post('admin/sign-in')
  @Roles(Role.Admin)
  async change(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Body() body: unknown): Promise<void> {
    const f = formFields(body);
    const choice = f.localPasswords;
    const version = Number(f.version);
    if (choice !== 'on' && choice !== 'off') {
      return renderPage(req, reply, VIEW, { ...(await this.model()), errors: fieldError('localPasswords', 'Select whether people may sign in with a password') }, 400);
    }
    if (!Number.isInteger(version)) return renderPage(req, reply, VIEW, { ...(await this.model()), errors: fieldError('localPasswords', 'The form is out of date: try again') }, 400);
    try {
      await this.settings.setLocalPasswords(user, choice === 'on', version, this.oidc.list().length);
    } catch (err) {
      const errors = formErrors(err, { localPasswordsEnabled: 'Passwords' }, { localPasswordsEnabled: 'localPasswords', version: 'localPasswords' });
      if (errors.fields.localPasswordsEnabled) errors.fields.localPasswords = errors.fields.localPasswordsEnabled;
      return renderPage(req, reply, VIEW, { ...(await this.model()), errors }, errors.status);
    }
    await redirectTo(req, reply, '/admin/sign-in', { kind: 'success', text: choice === 'on' ? 'People may sign in with a password' : 'Password sign-in is turned off' });
  }
}

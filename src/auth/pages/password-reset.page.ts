import { Body, Controller, Get, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/access/decorators';
import { ApiException } from '../../common/errors/api-error';
import { fieldError, formFields } from '../../web/forms';
import { FormErrors, redirectTo, renderPage } from '../../web/page-context';
import { PasswordResetService } from '../password-reset.service';
import { SignInSettingsService } from '../sign-in-settings.service';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ASK = 'auth/views/password-reset-request.njk';
const CHOOSE = 'auth/views/password-reset-choose.njk';

/** "Forgotten your password?": ask for a link by email, then choose a new password with it. */
@ApiExcludeController()
@Controller()
export class PasswordResetPages {
  constructor(
    private readonly resets: PasswordResetService,
    private readonly settings: SignInSettingsService,
  ) {}

  private async off(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if ((await this.settings.get()).localPasswordsEnabled) return false;
    await renderPage(req, reply, 'auth/views/password-reset-off.njk', { pageTitle: 'Passwords are turned off' }, HttpStatus.FORBIDDEN);
    return true;
  }

  @Get('password-reset')
  @Public()
  async ask(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (await this.off(req, reply)) return;
    await renderPage(req, reply, ASK, { pageTitle: 'Reset your password', values: {} });
  }

  @Post('password-reset')
  @Public()
  async send(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    if (await this.off(req, reply)) return;
    const f = formFields(body);
    const email = typeof f.email === 'string' ? f.email : '';
    const again = (errors: FormErrors) => renderPage(req, reply, ASK, { pageTitle: 'Reset your password', errors, values: { email } }, errors.status);
    if (!email) return again(fieldError('email', 'Enter your email address'));
    if (email.length > 254 || !EMAIL.test(email)) return again(fieldError('email', 'Enter an email address in the correct format, like name@example.gov.uk'));
    try {
      await this.resets.request(email, req.ip);
    } catch (err) {
      if (err instanceof ApiException && err.getStatus() === HttpStatus.TOO_MANY_REQUESTS) return again(fieldError('email', err.message, 429));
      throw err;
    }
    // The same page whether or not the address has an account.
    await renderPage(req, reply, 'auth/views/password-reset-sent.njk', { pageTitle: 'Check your email', email });
  }

  @Get('password-reset/:token')
  @Public()
  async choose(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('token') token: string): Promise<void> {
    if (await this.off(req, reply)) return;
    void reply.header('referrer-policy', 'no-referrer');
    if (!(await this.resets.isUsable(token))) return this.expired(req, reply);
    await renderPage(req, reply, CHOOSE, { pageTitle: 'Choose a new password', token });
  }

  @Post('password-reset/:token')
  @Public()
  async set(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('token') token: string, @Body() body: unknown): Promise<void> {
    if (await this.off(req, reply)) return;
    void reply.header('referrer-policy', 'no-referrer');
    const raw = (body ?? {}) as Record<string, unknown>;
    const password = typeof raw.newPassword === 'string' ? raw.newPassword : '';
    const confirm = typeof raw.confirmPassword === 'string' ? raw.confirmPassword : '';
    const again = (errors: FormErrors) => renderPage(req, reply, CHOOSE, { pageTitle: 'Choose a new password', token, errors }, errors.status);
    if (!password) return again(fieldError('newPassword', 'Enter a new password'));
    if (password.length < 12 || password.length > 200) return again(fieldError('newPassword', 'Password must be between 12 and 200 characters'));
    if (confirm !== password) return again(fieldError('confirmPassword', 'Enter the same password twice'));
    try {
      await this.resets.complete(token, password);
    } catch (err) {
      if (err instanceof ApiException && err.details?.[0]?.field === 'token') return this.expired(req, reply);
      throw err;
    }
    await redirectTo(req, reply, '/sign-in?reset=1');
  }

  private expired(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    return renderPage(req, reply, 'auth/views/password-reset-expired.njk', { pageTitle: 'This link has expired or has already been used' }, HttpStatus.BAD_REQUEST);
  }
}

import { Body, Controller, Get, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { AuthService } from '../../auth/auth.service';
import { startPageSession } from '../../auth/page-session';
import { OidcService } from '../../auth/oidc/oidc.service';
import { SignInSettingsService } from '../../auth/sign-in-settings.service';
import { AppConfig } from '../../config/app-config';
import { ALL_ROLES } from '../../common/access/role.enum';
import { CurrentUser, Public, Roles } from '../../common/access/decorators';
import { ApiException } from '../../common/errors/api-error';
import { endSession } from '../../common/http/web-session';
import { safeReturnTo } from '../error-pages';
import { fieldError, formFields } from '../forms';
import { FormErrors, redirectTo, renderPage } from '../page-context';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

@ApiExcludeController()
@Controller()
export class SignInPage {
  constructor(
    private readonly auth: AuthService,
    private readonly oidc: OidcService,
    private readonly settings: SignInSettingsService,
    private readonly config: AppConfig,
  ) {}

  /** What the sign-in page offers: each organisation's button, and the password form unless an admin turned it off. */
  private async options(): Promise<{ providers: { id: string; name: string }[]; localPasswords: boolean }> {
    return { providers: this.oidc.list(), localPasswords: (await this.settings.get()).localPasswordsEnabled };
  }

  @Get('sign-in')
  @Public()
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Record<string, string>): Promise<void> {
    const uid = req.session.get('uid');
    if (uid && !q.timedOut) return redirectTo(req, reply, safeReturnTo(q.returnTo) ?? '/');
    await renderPage(req, reply, 'web/views/pages/sign-in.njk', {
      ...(await this.options()),
      reset: q.reset === '1',
      returnTo: safeReturnTo(q.returnTo) ?? '',
      timedOut: q.timedOut === '1',
      signedOut: q.signedOut === '1',
      values: {},
    });
  }

  @Post('sign-in')
  @Public()
  async signIn(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    const f = formFields(body);
    const email = typeof f.email === 'string' ? f.email : '';
    const password = typeof (body as Record<string, unknown>)?.password === 'string' ? String((body as Record<string, unknown>).password) : '';
    const returnTo = safeReturnTo(f.returnTo) ?? '/';
    const options = await this.options();
    const again = (errors: FormErrors) =>
      renderPage(req, reply, 'web/views/pages/sign-in.njk', { ...options, errors, values: { email }, returnTo: returnTo === '/' ? '' : returnTo }, errors.status);

    if (!options.localPasswords) {
      return again({ errorList: [{ text: 'Signing in with a password is turned off: sign in with your organisation’s account', href: '#sign-in-providers' }], fields: {}, stale: false, status: HttpStatus.FORBIDDEN });
    }
    if (!email) return again(fieldError('email', 'Enter your email address'));
    if (email.length > 254 || !EMAIL.test(email)) return again(fieldError('email', 'Enter an email address in the correct format, like name@example.gov.uk'));
    if (!password) return again(fieldError('password', 'Enter your password'));
    if (password.length > 1024) return again(fieldError('password', 'Email address or password is wrong', 401));

    let user: AuthUser;
    try {
      user = (await this.auth.signIn(email, password, req.ip)).user;
    } catch (err) {
      if (err instanceof ApiException && err.getStatus() === HttpStatus.UNAUTHORIZED) {
        return again({ ...fieldError('email', 'Email address or password is wrong', 401), fields: { email: { text: 'Email address or password is wrong' }, password: { text: 'Email address or password is wrong' } } });
      }
      if (err instanceof ApiException && err.getStatus() === HttpStatus.TOO_MANY_REQUESTS) return again(fieldError('email', err.message, 429));
      throw err;
    }
    await startPageSession(req, this.auth, user.id);
    await redirectTo(req, reply, returnTo);
  }

  /**
   * Sign out (POST, from the header's button): ends this session, and, when signed in through a
   * provider that supports RP-initiated logout, the provider's session too (it sends the browser back
   * to the signed-out page).
   */
  @Post('sign-out')
  @Roles(...ALL_ROLES)
  async signOut(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const provider = req.session.get('op');
    const idToken = req.session.get('idt');
    await this.auth.recordSignOut(user);
    endSession(req, 'signed_out');
    const back = `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/sign-in?signedOut=1`;
    const providerLogout = await this.oidc.endSessionUrl(provider, idToken, back);
    await reply.redirect(providerLogout ?? '/sign-in?signedOut=1', HttpStatus.SEE_OTHER);
  }

  /** Without JavaScript, the timeout warning's link lands here: a page with the sign-out button. */
  @Get('sign-out')
  @Roles(...ALL_ROLES)
  async confirmSignOut(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await renderPage(req, reply, 'web/views/pages/sign-out.njk', { pageTitle: 'Sign out' });
  }

  /** The timeout warning's "Stay signed in": any authenticated request renews the idle timer. */
  @Get('session/keep-alive')
  @Roles(...ALL_ROLES)
  keepAlive(@Res() reply: FastifyReply): void {
    void reply.header('cache-control', 'no-store').send({ ok: true });
  }
}

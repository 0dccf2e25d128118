import { Body, Controller, Get, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { AuthService } from '../../auth/auth.service';
import { ALL_ROLES } from '../../common/access/role.enum';
import { CurrentUser, Public, Roles } from '../../common/access/decorators';
import { ApiException } from '../../common/errors/api-error';
import { endSession } from '../../common/http/web-session';
import { safeReturnTo } from '../error-pages';
import { fieldError, formFields } from '../forms';
import { FormErrors, redirectTo, renderPage } from '../page-context';

/** Where the demo users start: the demo programme is Manchester 2017, a month before go-live. */
export const DEMO_AS_OF = '2017-03-01';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

@ApiExcludeController()
@Controller()
export class SignInPage {
  constructor(private readonly auth: AuthService) {}

  @Get('sign-in')
  @Public()
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() q: Record<string, string>): Promise<void> {
    const uid = req.session.get('uid');
    if (uid && !q.timedOut) return redirectTo(req, reply, safeReturnTo(q.returnTo) ?? '/');
    await renderPage(req, reply, 'web/views/pages/sign-in.njk', {
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
    const again = (errors: FormErrors) =>
      renderPage(req, reply, 'web/views/pages/sign-in.njk', { errors, values: { email }, returnTo: returnTo === '/' ? '' : returnTo }, errors.status);

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
    const facts = await this.auth.sessionFacts(user.id);
    const now = Math.floor(Date.now() / 1000);
    req.session.regenerate(); // a new session (and CSRF secret) at sign-in: no fixation
    req.session.set('uid', user.id);
    req.session.set('tv', facts.tokenVersion);
    req.session.set('started', now);
    req.session.set('seen', now);
    if (facts.isDemo) req.session.set('asOf', DEMO_AS_OF);
    await redirectTo(req, reply, returnTo);
  }

  /** Sign out (POST, from the header's button). */
  @Post('sign-out')
  @Roles(...ALL_ROLES)
  async signOut(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    await this.auth.recordSignOut(user);
    endSession(req, 'signed_out');
    await reply.redirect('/sign-in?signedOut=1', HttpStatus.SEE_OTHER);
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

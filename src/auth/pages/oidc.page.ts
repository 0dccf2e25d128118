import { Body, Controller, Get, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/access/decorators';
import { safeReturnTo } from '../../web/error-pages';
import { formFields } from '../../web/forms';
import { renderPage } from '../../web/page-context';
import { startPageSession } from '../page-session';
import { AuthService } from '../auth.service';
import { OidcService, OidcSignInRefused } from '../oidc/oidc.service';

/** Single sign-on with an organisation's account: the button's POST, and the provider's answer. */
@ApiExcludeController()
@Controller()
export class OidcPages {
  constructor(
    private readonly oidc: OidcService,
    private readonly auth: AuthService,
  ) {}

  /** "Sign in with …": a form POST (CSRF-checked), so it works without JavaScript. */
  @Post('sign-in/oidc/:provider')
  @Public()
  async begin(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('provider') id: string, @Body() body: unknown): Promise<void> {
    const p = this.oidc.get(id);
    if (!p) throw new NotFoundException('No such sign-in provider');
    const returnTo = safeReturnTo(formFields(body).returnTo) ?? '/';
    let started: Awaited<ReturnType<OidcService['begin']>>;
    try {
      started = await this.oidc.begin(p, returnTo);
    } catch (err) {
      if (err instanceof OidcSignInRefused) return this.problem(req, reply, err);
      throw err;
    }
    req.session.set('oidc', started.pending);
    await reply.redirect(started.url, 303);
  }

  /** The provider sends the browser back here with a code (or an error). */
  @Get('sign-in/oidc/:provider/callback')
  @Public()
  async callback(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('provider') id: string): Promise<void> {
    const p = this.oidc.get(id);
    if (!p) throw new NotFoundException('No such sign-in provider');
    const pending = req.session.get('oidc');
    // One answer per sign-in: whatever happens next, the pending state is gone (a replayed callback finds nothing).
    req.session.set('oidc', undefined);
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const callbackUrl = new URL(`${this.oidc.redirectUri(p)}${query}`);
    try {
      const { user, idToken } = await this.oidc.complete(p, callbackUrl, pending);
      await startPageSession(req, this.auth, user.id, { provider: p.id, idToken });
      await reply.redirect(safeReturnTo(pending?.returnTo) ?? '/', 303);
    } catch (err) {
      if (err instanceof OidcSignInRefused) return this.problem(req, reply, err);
      throw err;
    }
  }

  private problem(req: FastifyRequest, reply: FastifyReply, err: OidcSignInRefused): Promise<void> {
    const noRole = err.reason === 'no_role_yet';
    return renderPage(
      req,
      reply,
      noRole ? 'auth/views/no-role-yet.njk' : 'auth/views/sign-in-problem.njk',
      { pageTitle: noRole ? 'You do not have a role yet' : 'You could not be signed in', reason: err.reason, provider: err.providerName },
      err.status,
    );
  }
}

import type { FastifyRequest } from 'fastify';
import { AuthService } from './auth.service';

/** Where the demo users start: the demo programme is Manchester 2017, a month before go-live. */
export const DEMO_AS_OF = '2017-03-01';

/** Start the page session of a user who has just signed in (password or single sign-on): a new session, no fixation. */
export async function startPageSession(req: FastifyRequest, auth: AuthService, userId: string, sso?: { provider: string; idToken: string }): Promise<void> {
  const facts = await auth.sessionFacts(userId);
  const now = Math.floor(Date.now() / 1000);
  req.session.regenerate(); // a new session (and CSRF secret) at sign-in
  req.session.set('uid', userId);
  req.session.set('tv', facts.tokenVersion);
  req.session.set('started', now);
  req.session.set('seen', now);
  if (sso) {
    req.session.set('op', sso.provider);
    req.session.set('idt', sso.idToken);
  }
  if (facts.isDemo) req.session.set('asOf', DEMO_AS_OF);
}

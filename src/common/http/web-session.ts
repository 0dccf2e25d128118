import type { FastifyRequest } from 'fastify';

/** A success banner or an error to show on the next page (POST-redirect-GET). */
export interface Flash {
  kind: 'success' | 'important';
  title?: string;
  text: string;
}

/** What the encrypted session cookie holds. Never personal data beyond the user id. */
export interface WebSessionData {
  /** Signed-in user and the token version at sign-in (a password change or deactivation ends the session). */
  uid?: string;
  tv?: number;
  /** Epoch seconds: sign-in, and the last request (idle timeout). */
  started?: number;
  seen?: number;
  /** "View as at" date (YYYY-MM-DD) when not today. */
  asOf?: string;
  flash?: Flash[];
  _csrf?: string;
}

declare module '@fastify/secure-session' {
  interface SessionData extends WebSessionData {} // eslint-disable-line @typescript-eslint/no-empty-object-type
}

export const SESSION_COOKIE = 'wtt_session';

export function addFlash(request: FastifyRequest, flash: Flash): void {
  const list = request.session.get('flash') ?? [];
  request.session.set('flash', [...list, flash].slice(-5));
}

export function takeFlash(request: FastifyRequest): Flash[] {
  const list = request.session.get('flash');
  if (list?.length) request.session.set('flash', undefined);
  return list ?? [];
}

/** Routes the session and CSRF protect: every page. The JSON API, health, metrics, docs and the queue board are not pages. */
export function isPagePath(url: string): boolean {
  return !/^\/(api|health|metrics|docs|admin\/queues)(\/|\?|$)/.test(url);
}

/** End the page session; the sign-in page then says why (timed out, or ended elsewhere). */
export function endSession(request: FastifyRequest, why: 'timed_out' | 'ended' | 'signed_out'): void {
  const session = request.session;
  if (!session) return;
  session.delete();
  (request as FastifyRequest & { sessionEnded?: typeof why }).sessionEnded = why;
}

export function sessionEndedReason(request: FastifyRequest): 'timed_out' | 'ended' | 'signed_out' | undefined {
  return (request as FastifyRequest & { sessionEnded?: 'timed_out' | 'ended' | 'signed_out' }).sessionEnded;
}

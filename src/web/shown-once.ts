import type { FastifyRequest } from 'fastify';

/**
 * A secret (a new API token, a calendar feed URL) shown once on the page after it is made: kept in
 * the encrypted session for the next page of that `key`, then gone.
 */
/** Take the secret kept for one showing on the page for `key`, if it is this page's. */
export function takeShownOnce(req: FastifyRequest, key: string): string | null {
  const kept = req.session.get('shownOnce');
  if (!kept || kept.for !== key) return null;
  req.session.set('shownOnce', undefined);
  return kept.secret;
}

export function keepShownOnce(req: FastifyRequest, key: string, secret: string): void {
  req.session.set('shownOnce', { for: key, secret });
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { installPageErrorRenderer, MappedError } from '../common/errors/all-exceptions.filter';
import { isPagePath, sessionEndedReason } from '../common/http/web-session';
import { renderPage } from './page-context';

/** Only a path on this site may be returned to after sign-in. */
export function safeReturnTo(v: unknown): string | undefined {
  if (typeof v !== 'string' || !/^\/(?![/\\])[^\s]*$/.test(v) || v.startsWith('/sign-in') || v.startsWith('/sign-out')) return undefined;
  return v.length > 500 ? undefined : v;
}

const CSRF_CODES = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

async function renderError(request: FastifyRequest, reply: FastifyReply, mapped: MappedError, exception: unknown): Promise<void> {
  if (mapped.status === 401) {
    const ended = sessionEndedReason(request);
    const params = new URLSearchParams();
    const back = request.method === 'GET' ? safeReturnTo(request.url) : undefined;
    if (back && back !== '/') params.set('returnTo', back);
    if (ended === 'timed_out') params.set('timedOut', '1');
    const qs = params.toString();
    await reply.redirect(`/sign-in${qs ? `?${qs}` : ''}`, 303);
    return;
  }
  const e = exception as { code?: unknown; cause?: { code?: unknown }; response?: { code?: unknown } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  if (typeof code === 'string' && CSRF_CODES.has(code)) {
    await renderPage(request, reply, 'web/views/errors/form-expired.njk', {}, 403);
    return;
  }
  if (mapped.status === 503) {
    // A dependency is away (the database, the job queue): the service-unavailable page, Retry-After already set; nothing of the request but its id.
    await renderPage(request, reply, 'web/views/errors/unavailable.njk', {}, 503);
    return;
  }
  const template =
    mapped.status === 403 ? 'web/views/errors/403.njk' : mapped.status === 404 ? 'web/views/errors/404.njk' : mapped.status >= 500 ? 'web/views/errors/500.njk' : 'web/views/errors/problem.njk';
  await renderPage(request, reply, template, { status: mapped.status, message: mapped.message, details: mapped.details ?? [] }, mapped.status);
}

export function installErrorPages(): void {
  installPageErrorRenderer({
    // A page is any non-API path whose caller asked for HTML or did not say (a browser, a form post).
    isPage: (request) => isPagePath(request.url) && !/application\/json/.test(String(request.headers.accept ?? '')),
    render: renderError,
  });
}

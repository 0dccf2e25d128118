import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySecureSession from '@fastify/secure-session';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import nunjucks from 'nunjucks';
import { isPagePath, SESSION_COOKIE } from '../common/http/web-session';
import { AppConfig } from '../config/app-config';
import { FILTERS } from './filters';
import { configureLayout } from './page-context';
import { assetManifest, PUBLIC_DIR, TEMPLATE_PATHS } from './web-paths';

/** 32 bytes for the session cookie's encryption: from SESSION_SECRET, else derived from JWT_SECRET, else random (dev only). */
function sessionKey(config: AppConfig): Buffer {
  const material = config.SESSION_SECRET ?? config.JWT_SECRET;
  if (!material) return randomBytes(32); // outside production only: sessions last as long as the process
  return Buffer.from(hkdfSync('sha256', material, 'wtt-session-salt', config.SESSION_SECRET ? 'session' : 'session-from-jwt', 32));
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The web service on the API's own Fastify instance: static assets, form bodies, the encrypted
 * session cookie, CSRF on every state-changing page request, and Nunjucks with the GOV.UK and
 * MoJ macros. Page controllers live beside their feature (src/<feature>/pages).
 */
export async function configureWeb(app: NestFastifyApplication): Promise<void> {
  const config = app.get(AppConfig);
  const assets = assetManifest();
  configureLayout({ assetPath: assets.path.replace(/\/$/, ''), idleSeconds: config.SESSION_IDLE_MINUTES * 60 });

  await app.register(fastifyStatic, {
    root: `${PUBLIC_DIR}/${assets.hash}`,
    prefix: assets.path,
    immutable: true,
    maxAge: '365d',
    decorateReply: false,
    index: false,
  });
  // Form bodies (application/x-www-form-urlencoded) are parsed by Nest's Fastify adapter itself.
  await app.register(fastifyCookie);
  await app.register(fastifySecureSession, {
    cookieName: SESSION_COOKIE,
    key: sessionKey(config),
    expiry: config.SESSION_MAX_HOURS * 3600,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure },
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/secure-session',
    // Multipart forms (uploads) carry the token in the query string: their body is read by the handler.
    getToken: (req: FastifyRequest) =>
      (req.body as { _csrf?: string } | undefined)?._csrf ?? (req.query as { _csrf?: string } | undefined)?._csrf ?? (req.headers['x-csrf-token'] as string | undefined),
  });
  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: TEMPLATE_PATHS,
    // Compiled templates are cached in every environment: recompiling on each request cost more than
    // the matrix query itself (bench/matrix-page.bench.ts). Restart to pick up a template change.
    production: true,
    options: {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
      noCache: false,
      onConfigure: (env: nunjucks.Environment) => {
        for (const [name, fn] of Object.entries(FILTERS)) env.addFilter(name, fn);
      },
    },
  });

  const fastify = app.getHttpAdapter().getInstance();
  // CSRF: after the body is parsed, before any page handler runs. The JSON API takes bearer tokens only.
  fastify.addHook('preHandler', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (!UNSAFE.has(request.method) || !isPagePath(request.url)) return done();
    // A bearer token is not sent by a browser on its own, so it cannot be forged cross-site; the guard
    // then authenticates with the token alone, never the session.
    if (/^Bearer\s/i.test(String(request.headers.authorization ?? ''))) return done();
    fastify.csrfProtection(request, reply, done);
  });
  // Pages answer with no-store: they hold what the signed-in user may see, nobody else.
  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload: unknown) => void) => {
    if (isPagePath(request.url) && !request.url.startsWith(assets.path)) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}

/** A stable id for a string (used for element ids built from free text). */
export function shortHash(s: string): string {
  return createHash('sha1').update(s).digest('hex').slice(0, 8);
}

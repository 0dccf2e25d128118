import { INestApplication } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from 'nestjs-pino';
import { AllExceptionsFilter, errorBody } from './common/errors/all-exceptions.filter';
import { AppConfig } from './config/app-config';
import { createValidationPipe } from './common/errors/validation';
import { installErrorPages } from './web/error-pages';
import { configureWeb } from './web/web.setup';
import { SafeInputPipe } from './common/input-safety';
import { securityHeaders } from './common/http/security-headers';

import { API_PREFIX } from './common/http/api-prefix';

export { API_PREFIX };
export const REQUEST_ID_HEADER = 'x-request-id';
const LIVENESS_PATH = '/health/live';
const LIVENESS_BODY = JSON.stringify({ status: 'ok' });
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Take the caller's X-Request-Id when it is sane, else mint one. Also stored on the raw request for pino-http. */
export function genReqId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  scriptSrc: ["'self'", "'unsafe-inline'"],
};

/**
 * The security headers of every answer (helmet's, with our CSP), also for the answers Fastify and
 * Node give before any hook runs: a path parameter too long (414), a bad URL (400), headers too
 * large (431). test/integration/hardening-shape.int-spec.ts checks every kind of answer carries them.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = securityHeaders(CSP_DIRECTIVES);

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_MAX_PARAM_LENGTH: 'A path parameter is longer than 100 characters',
  FST_ERR_BAD_URL: 'The URL is not valid',
  FST_ERR_ASYNC_CONSTRAINT: 'The request could not be routed',
};

/** Fastify's router errors (before any hook or Nest runs), in the one error shape: never the path echoed back. */
function frameworkErrors(error: Error & { code?: string; statusCode?: number }, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message = FRAMEWORK_MESSAGES[error.code ?? ''] ?? STATUS_CODES[status] ?? 'Bad request';
  void reply
    .code(status)
    .headers({ ...SECURITY_HEADERS, [REQUEST_ID_HEADER]: request.id, 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' })
    .send(errorBody({ status, message, details: [{ field: 'url', reason: message.toLowerCase() }] }, request.id));
}

/** Node's own answers on a broken request (headers too large: 431, a timeout: 408, garbage: 400), in the one error shape. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'The request headers are too large' : status === 408 ? 'The request took too long to arrive' : 'The request is not valid HTTP';
  const requestId = randomUUID();
  const body = JSON.stringify(errorBody({ status, message }, requestId));
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    [REQUEST_ID_HEADER]: requestId,
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n\r\n${body}`);
}

export function createFastifyAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    genReqId,
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    // Behind a reverse proxy or load balancer set TRUST_PROXY=true, or every client shares the
    // proxy's address (sign-in throttling, rate limits and the audit trail all read it). README: "TRUST_PROXY".
    trustProxy: process.env.TRUST_PROXY === 'true',
    logger: false,
    frameworkErrors,
    clientErrorHandler,
    // The adapter owns the @fastify/multipart registration. Routes set bigger caps per request.
    multipart: { limits: { fileSize: 1024 * 1024, files: 1, fields: 20, parts: 25 } },
  });
}

/** Everything the API process and the integration tests configure identically. */
export async function configureApp(app: NestFastifyApplication, opts: { docs?: boolean } = {}): Promise<void> {
  app.useLogger(app.get(Logger));
  // The /api/v1 prefix is given to the API modules in AppModule (RouterModule), so pages can live outside it.
  // SafeInputPipe first: NUL bytes, unpaired surrogates and over-deep JSON never reach class-transformer.
  app.useGlobalPipes(new SafeInputPipe(), createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();

  // The sign-in button's POST (and sign-out) redirect to the organisations' providers: a browser applies form-action to that redirect.
  const providerOrigins = app.get(AppConfig).oidcProviders.map((p) => new URL(p.issuer).origin);
  const headers = providerOrigins.length ? securityHeaders({ ...CSP_DIRECTIVES, formAction: ["'self'", ...new Set(providerOrigins)] }) : SECURITY_HEADERS;
  const fastify = app.getHttpAdapter().getInstance();
  // The first hook of every request (the adapter runs it before Nest's middleware), synchronous
  // (an async hook costs a promise per request): the security headers and the request id.
  const adapter = app.getHttpAdapter() as FastifyAdapter;
  adapter.setOnRequestHook((request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    reply.headers(headers);
    reply.header(REQUEST_ID_HEADER, request.id);
    if (request.url === LIVENESS_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
      // Liveness says only that this process answers HTTP, so it is answered here, first: before
      // Nest's middleware (request context, request log), the session cookie, throttling, the
      // guards and Nest's router, none of which it needs (a probe every few seconds from each load
      // balancer should cost next to nothing). HealthController documents the route and answers
      // the same (test/integration/health.int-spec.ts compares the two).
      void reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(LIVENESS_BODY);
      return;
    }
    done();
  });
  // API answers hold personal data: no browser or proxy may keep them. A route that sets its own policy keeps it.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if ((request.url.startsWith(`/${API_PREFIX}/`) || request.url.startsWith('/docs')) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });

  // The web service: pages, session cookie, CSRF, assets (src/web).
  await configureWeb(app);
  installErrorPages();

  // /docs, /docs/json and /docs/yaml: off in production unless DOCS_ENABLED=true (AppConfig.docsEnabled).
  if (opts.docs ?? app.get(AppConfig).docsEnabled) setupOpenApi(app);
}

export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Workforce transition tracker API')
    .setDescription(
      'Posts by grade and thematic area, scope decisions, secondments and TUPE/COSOP transfers, ' +
        'consultation and the joint trade union forum. Every error has the shape ' +
        '{ statusCode, error, message, details?, requestId }.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json', yamlDocumentUrl: 'docs/yaml' });
}

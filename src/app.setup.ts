import helmet from '@fastify/helmet';
import { INestApplication } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { createValidationPipe } from './common/errors/validation';
import { installErrorPages } from './web/error-pages';
import { configureWeb } from './web/web.setup';

export { API_PREFIX } from './common/http/api-prefix';
export const REQUEST_ID_HEADER = 'x-request-id';
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Take the caller's X-Request-Id when it is sane, else mint one. Also stored on the raw request for pino-http. */
export function genReqId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const id = typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

export function createFastifyAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    genReqId,
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    trustProxy: process.env.TRUST_PROXY === 'true',
    logger: false,
    // The adapter owns the @fastify/multipart registration. Routes set bigger caps per request.
    multipart: { limits: { fileSize: 1024 * 1024, files: 1, fields: 20, parts: 25 } },
  });
}

/** Everything the API process and the integration tests configure identically. */
export async function configureApp(app: NestFastifyApplication, opts: { docs?: boolean } = {}): Promise<void> {
  app.useLogger(app.get(Logger));
  // The /api/v1 prefix is given to the API modules in AppModule (RouterModule), so pages can live outside it.
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'", "'unsafe-inline'"],
      },
    },
  });

  // The web service: pages, session cookie, CSRF, assets (src/web).
  await configureWeb(app);
  installErrorPages();

  if (opts.docs !== false) setupOpenApi(app);
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

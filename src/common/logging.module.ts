import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';

/** Secrets that travel in URLs (calendar feed tokens) never reach the logs. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/(\/calendar\/)[^/?#]+/g, '$1[redacted]');
}

/** JSON logs (pino), each request line carrying the request id returned in X-Request-Id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          // The id was set by the Fastify adapter (genReqId in app.setup.ts).
          genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
          customProps: () => ({ service: 'api' }),
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
        },
      }),
    }),
  ],
})
export class LoggingModule {}

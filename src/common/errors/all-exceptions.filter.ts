import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { ApiException, ErrorDetail, ErrorResponse } from './api-error';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './db-unavailable';

export interface Mapped {
  status: number;
  message: string;
  details?: ErrorDetail[];
  extra?: Record<string, unknown>;
}

/**
 * PostgreSQL errors client data can cause, and the 4xx each becomes (SQLSTATE codes,
 * https://www.postgresql.org/docs/current/errcodes-appendix.html). Anything else in class 22
 * (data exception: a value the type or function refuses) is a 400 too; every other error stays a
 * 500, because it is ours. test/integration/hardening-pg-errors.int-spec.ts provokes each one.
 */
export const PG_CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  // class 22: data exception
  '22001': { status: 400, message: 'A value is too long' },
  '22003': { status: 400, message: 'A number is out of range' },
  '22007': { status: 400, message: 'A date or time has the wrong format' },
  '22008': { status: 400, message: 'A date or time is out of range' },
  '22012': { status: 400, message: 'A value leads to a division by zero' },
  '22019': { status: 400, message: 'A search pattern has an invalid escape character' },
  '22021': { status: 400, message: 'A value holds a character that cannot be stored' },
  '22023': { status: 400, message: 'A value is not allowed here' },
  '22025': { status: 400, message: 'A search pattern has an invalid escape sequence' },
  '2201B': { status: 400, message: 'A regular expression is not valid' },
  '22P02': { status: 400, message: 'A value has the wrong format' },
  '22P05': { status: 400, message: 'A value holds a character that cannot be stored' },
  // class 23: integrity constraint violation
  '23502': { status: 400, message: 'A required value is missing' },
  '23503': { status: 409, message: 'A referenced record does not exist or is still referenced' },
  '23505': { status: 409, message: 'A record with the same unique value already exists' },
  '23514': { status: 422, message: 'The change breaks a rule of the data' },
  '23P01': { status: 409, message: 'The change conflicts with an existing record' },
  '23001': { status: 409, message: 'The record is still referenced' },
  // concurrency: the client may retry
  '40001': { status: 409, message: 'The record was changed concurrently; retry' },
  '40P01': { status: 409, message: 'The change collided with another one; retry' },
  '55P03': { status: 409, message: 'The record is being changed by someone else; retry' },
  // a value too big for an index entry (54000 "index row size exceeds maximum")
  '54000': { status: 400, message: 'A value is too large to store' },
};

/** The 4xx for a PostgreSQL SQLSTATE, or undefined when the fault is ours (a 500). */
export function pgClientError(code: string | undefined): { status: number; message: string } | undefined {
  if (!code) return undefined;
  return PG_CLIENT_ERRORS[code] ?? (code.startsWith('22') ? { status: 400, message: 'A value is not valid' } : undefined);
}

/** Fastify's own client errors (raised before a handler runs), as Nest hands them over. */
function fastifyClientError(err: unknown): Mapped | undefined {
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown } | undefined;
  if (typeof e?.code !== 'string' || !e.code.startsWith('FST_')) return undefined;
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return { status: 400, message: 'Malformed JSON body', details: [{ field: 'body', reason: 'is not valid JSON' }] };
  }
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return { status: 400, message: 'Empty JSON body', details: [{ field: 'body', reason: 'must not be empty when content-type is application/json' }] };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, message: typeof e.message === 'string' ? e.message : 'Bad request' };
  }
  return undefined;
}

export function mapException(exception: unknown): Mapped {
  const fromFastify = fastifyClientError(exception) ?? (exception instanceof HttpException ? fastifyClientError(exception.cause) : undefined);
  if (fromFastify) return fromFastify;
  if (exception instanceof ApiException) {
    return { status: exception.getStatus(), message: exception.message, details: exception.details, extra: exception.extra };
  }
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    let message = exception.message;
    if (typeof body === 'object' && body !== null && 'message' in body) {
      const m = (body as { message: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    return { status: exception.getStatus(), message };
  }
  if (isDatabaseUnavailable(exception)) {
    // Not our fault nor the client's: PostgreSQL is down, restarting or refusing connections.
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      message: 'The database is unavailable; retry shortly',
      details: [{ field: 'database', reason: 'is unreachable', retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS }],
    };
  }
  if (exception instanceof QueryFailedError) {
    const driverError = (exception as QueryFailedError & { driverError?: { code?: string; constraint?: string; column?: string } }).driverError;
    const known = pgClientError(driverError?.code);
    if (known) {
      const field = driverError?.column ?? driverError?.constraint;
      const details = field ? [{ field, reason: known.message }] : undefined;
      return { status: known.status, message: known.message, details };
    }
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
}

/**
 * The one error shape: `{ statusCode, error, message, details?, requestId }` and nothing else at
 * the top level. Facts in `extra` (e.g. currentVersion) are merged into the first detail.
 */
export function errorBody(mapped: Mapped, requestId: string): ErrorResponse {
  let details = mapped.details?.length ? mapped.details : undefined;
  if (mapped.extra && Object.keys(mapped.extra).length) {
    const [first, ...rest] = details ?? [{ field: '', reason: mapped.message }];
    details = [{ ...first, ...mapped.extra }, ...rest];
  }
  return {
    statusCode: mapped.status,
    error: STATUS_CODES[mapped.status] ?? 'Error',
    message: mapped.message,
    ...(details ? { details } : {}),
    requestId,
  };
}

/**
 * Renders a failure on a page route as a page (the 403, 404 and 500 pages, a redirect to sign-in).
 * The web shell (src/web) installs it at boot; without it every failure is JSON.
 */
export type PageErrorRenderer = (request: FastifyRequest, reply: FastifyReply, mapped: Mapped, exception: unknown) => Promise<void>;
let pageErrorRenderer: { isPage: (request: FastifyRequest) => boolean; render: PageErrorRenderer } | undefined;

export function installPageErrorRenderer(r: typeof pageErrorRenderer): void {
  pageErrorRenderer = r;
}

export type { Mapped as MappedError };

/** One exception filter for every failure: the one error shape, with the request id (or, on a page, the error page). */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = mapException(exception);
    if (mapped.status === HttpStatus.SERVICE_UNAVAILABLE && !(exception instanceof HttpException)) {
      this.logger.warn({ requestId: request?.id, err: exception instanceof Error ? exception.message : String(exception) }, 'database unavailable: answered 503');
    } else if (mapped.status >= 500) {
      this.logger.error({ err: exception, requestId: request?.id }, exception instanceof Error ? exception.message : 'unhandled error');
    }
    const retryAfter = mapped.details?.find((d) => typeof d.retryAfterSeconds === 'number')?.retryAfterSeconds;
    if (retryAfter !== undefined && !reply.hasHeader('retry-after')) reply.header('retry-after', String(retryAfter));
    if (pageErrorRenderer && request && pageErrorRenderer.isPage(request)) {
      pageErrorRenderer.render(request, reply, mapped, exception).catch((err: unknown) => {
        this.logger.error({ err, requestId: request.id }, 'error page failed to render');
        if (!reply.sent) this.sendJson(reply, mapped, request);
      });
      return;
    }
    this.sendJson(reply, mapped, request);
  }

  private sendJson(reply: FastifyReply, mapped: Mapped, request: FastifyRequest | undefined): void {
    reply.status(mapped.status).header('content-type', 'application/json; charset=utf-8').send(errorBody(mapped, String(request?.id ?? '')));
  }
}

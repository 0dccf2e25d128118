import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { ApiException, ErrorDetail, ErrorResponse } from './api-error';

interface Mapped {
  status: number;
  message: string;
  details?: ErrorDetail[];
  extra?: Record<string, unknown>;
}

/** Postgres errors a client can provoke map to 4xx; anything else stays a 500. */
const PG_CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  '23505': { status: 409, message: 'A record with the same unique value already exists' },
  '23503': { status: 409, message: 'A referenced record does not exist or is still referenced' },
  '23514': { status: 422, message: 'The change breaks a rule of the data' },
  '23P01': { status: 409, message: 'The change conflicts with an existing record' },
  '22P02': { status: 400, message: 'A value has the wrong format' },
  '22003': { status: 400, message: 'A number is out of range' },
  '22007': { status: 400, message: 'A date or time has the wrong format' },
  '22008': { status: 400, message: 'A date or time is out of range' },
  '40001': { status: 409, message: 'The record was changed concurrently; retry' },
};

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
  if (exception instanceof QueryFailedError) {
    const driverError = (exception as QueryFailedError & { driverError?: { code?: string; constraint?: string; detail?: string } }).driverError;
    const known = driverError?.code ? PG_CLIENT_ERRORS[driverError.code] : undefined;
    if (known) {
      const details = driverError?.constraint ? [{ field: driverError.constraint, reason: known.message }] : undefined;
      return { status: known.status, message: known.message, details };
    }
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
}

export function errorBody(mapped: Mapped, requestId: string): ErrorResponse & Record<string, unknown> {
  return {
    statusCode: mapped.status,
    error: STATUS_CODES[mapped.status] ?? 'Error',
    message: mapped.message,
    ...(mapped.details?.length ? { details: mapped.details } : {}),
    ...(mapped.extra ?? {}),
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
    if (mapped.status >= 500) {
      this.logger.error({ err: exception, requestId: request?.id }, exception instanceof Error ? exception.message : 'unhandled error');
    }
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

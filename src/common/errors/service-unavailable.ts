import { HttpStatus } from '@nestjs/common';
import { ApiException } from './api-error';

/**
 * 503 with Retry-After: the service is busy (every database connection in use, or every slot
 * for heavy reports taken) for longer than a request is allowed to wait. A client mistake it is
 * not, and a fault of ours it is not either: it says when to come back, in the one error shape
 * (details[0].retryAfterSeconds; AllExceptionsFilter copies it into the Retry-After header).
 */
export class ServiceUnavailableError extends ApiException {
  constructor(message: string, retryAfterSeconds: number, field = 'service', reason = 'is busy: retry later') {
    super(HttpStatus.SERVICE_UNAVAILABLE, message, [{ field, reason, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) }]);
  }

  get retryAfterSeconds(): number {
    return this.details?.[0]?.retryAfterSeconds ?? 1;
  }
}

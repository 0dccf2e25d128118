import { HttpStatus } from '@nestjs/common';
import { ApiException } from '../common/errors/api-error';

/** Seconds a client is told to wait (Retry-After) while the job queue (Redis) does not answer. */
export const QUEUE_RETRY_AFTER_SECONDS = 5;

/** Thrown by `bounded` when the call has not settled in time. */
export class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/**
 * The promise, or a RedisTimeoutError after `ms`: a request path awaits a queue call for a
 * bounded time even when the call itself has no limit (BullMQ may wait for its connection to be
 * ready, or send several commands). The timer does not outlive the call. The call itself is not
 * cancelled: a queue call that is not idempotent must not be used here.
 */
export async function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new RedisTimeoutError(ms)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The 503 a request answers when the job queue did not answer in time or is unreachable: the one error shape, with Retry-After. */
export function queueUnavailable(message = 'The job queue is unavailable; retry shortly'): ApiException {
  return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, message, [{ field: 'queue', reason: 'is unreachable', retryAfterSeconds: QUEUE_RETRY_AFTER_SECONDS }]);
}

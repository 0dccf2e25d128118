import { Logger } from '@nestjs/common';
import { Counter } from 'prom-client';

/** Times a request went on without Redis (the rate limiter or sign-in throttling failed open), by what was skipped. */
export const redisFailOpenTotal = new Counter({
  name: 'wtt_redis_fail_open_total',
  help: 'Requests that went on without Redis (rate limit or sign-in throttling skipped): Redis did not answer in time or was unreachable',
  labelNames: ['source'],
  registers: [],
});

/** After a Redis failure on a request path, Redis is skipped for this long (the breaker is open), then tried again. */
export const REDIS_BREAKER_OPEN_MS = 3000;

/**
 * The state of Redis as the request paths see it, one per process: a small circuit breaker.
 * A Redis command that fails or times out opens it for REDIS_BREAKER_OPEN_MS, during which the
 * request paths do not ask Redis at all (a hung Redis costs one request one timeout, not every
 * request its own); each skip is counted in wtt_redis_fail_open_total and logged at most every 10 s.
 * /health/ready reports it.
 */
export class RedisDegradation {
  private readonly logger = new Logger('RedisDegraded');
  private openUntil = 0;
  private lastWarning = 0;
  lastFailureAt: number | null = null;
  lastError: string | null = null;

  /** Whether the request path should skip Redis now. */
  get open(): boolean {
    return Date.now() < this.openUntil;
  }

  /** Skipped Redis without asking it (breaker open). */
  skipped(source: string): void {
    redisFailOpenTotal.inc({ source });
  }

  /** A Redis call on a request path failed: count it, log it (rate-limited), open the breaker. */
  failed(source: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.openUntil = Date.now() + REDIS_BREAKER_OPEN_MS;
    this.lastFailureAt = Date.now();
    this.lastError = message;
    redisFailOpenTotal.inc({ source });
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn({ source, err: message }, `Redis did not answer (${message}): ${source} suspended, requests go on without it`);
    }
  }

  /** Run a Redis call of a request path: the fallback when the breaker is open or the call fails. */
  async guard<T>(source: string, call: () => Promise<T>, fallback: T): Promise<T> {
    if (this.open) {
      this.skipped(source);
      return fallback;
    }
    try {
      return await call();
    } catch (err) {
      this.failed(source, err);
      return fallback;
    }
  }

  /** For health: degraded when a request path met a Redis failure in the last 30 s. */
  recentFailure(withinMs = 30_000): string | null {
    return this.lastFailureAt !== null && Date.now() - this.lastFailureAt < withinMs ? this.lastError : null;
  }
}

import { Injectable } from '@nestjs/common';
import { ServiceUnavailableError } from '../common/errors/service-unavailable';
import { AppConfig } from '../config/app-config';

/**
 * A counting semaphore with a bounded wait: at most `limit` holders at once; the next ones wait
 * in order, each at most `waitMs`, then get a 503 with Retry-After. A released slot goes straight
 * to the longest waiter.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: { grant: () => void; timer: NodeJS.Timeout }[] = [];

  constructor(
    readonly limit: number,
    readonly waitMs: number,
    private readonly busy: () => Error,
  ) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A slot, or a rejection with busy() after waitMs. Call the returned function once when done. */
  acquire(): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waitMs <= 0) return Promise.reject(this.busy());
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          clearTimeout(entry.timer);
          resolve(this.releaser());
        },
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(this.busy());
        }, this.waitMs),
      };
      this.waiting.push(entry);
    });
  }

  /** Run fn within a slot. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next.grant(); // the slot passes on: active stays the same
      else this.active--;
    };
  }
}

/** The per-process limit on heavy reports (the matrix, posts exports): REPORT_CONCURRENCY, REPORT_WAIT_MS. */
@Injectable()
export class ReportSlots extends ConcurrencyLimit {
  constructor(config: AppConfig) {
    const retryAfter = Math.max(1, Math.ceil(config.REPORT_WAIT_MS / 1000));
    super(config.REPORT_CONCURRENCY, config.REPORT_WAIT_MS, () => new ServiceUnavailableError('Too many reports are being prepared right now; retry shortly', retryAfter, 'report'));
  }
}

import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { ApiException } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { InjectRedis } from '../redis/redis.module';

/**
 * Failed sign-ins are counted per account and per client address in Redis (shared by
 * every API instance). Past the limit, sign-in answers 429 until the window ends,
 * even with the right password. While Redis is down the limiter lets attempts through
 * (and logs it): locking everyone out is worse.
 */
@Injectable()
export class SignInLimiter {
  private readonly logger = new Logger('SignInLimiter');

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private keys(email: string, ip: string): [string, string] {
    const p = `${this.config.REDIS_PREFIX}:signin`;
    return [`${p}:acct:${email.toLowerCase()}`, `${p}:ip:${ip}`];
  }

  private get limits(): [number, number] {
    return [this.config.SIGN_IN_MAX_FAILURES, this.config.SIGN_IN_MAX_FAILURES * 3];
  }

  /** Throws 429 when the account or the address has used up its failures. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    let counts: (string | null)[];
    let ttls: number[];
    try {
      [counts, ttls] = await Promise.all([this.redis.mget(...keys), Promise.all(keys.map((k) => this.redis.ttl(k)))]);
    } catch (err) {
      this.logger.warn(`sign-in limiting suspended: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const limits = this.limits;
    for (let i = 0; i < keys.length; i++) {
      if (Number(counts[i] ?? 0) >= limits[i]) {
        const retryAfter = Math.max(1, ttls[i]);
        throw new ApiException(
          HttpStatus.TOO_MANY_REQUESTS,
          `Too many failed sign-ins ${i === 0 ? 'for this account' : 'from this address'}; try again in ${Math.ceil(retryAfter / 60)} minute(s)`,
          undefined,
          { retryAfterSeconds: retryAfter },
        );
      }
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const window = this.config.SIGN_IN_WINDOW_SECONDS;
    try {
      const multi = this.redis.multi();
      for (const k of this.keys(email, ip)) multi.incr(k).expire(k, window, 'NX');
      await multi.exec();
    } catch (err) {
      this.logger.warn(`could not count a failed sign-in: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async recordSuccess(email: string, ip: string): Promise<void> {
    try {
      await this.redis.del(this.keys(email, ip)[0]);
    } catch {
      /* counted failures expire on their own */
    }
  }
}

import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { ApiException } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { InjectRedis } from '../redis/redis.module';
import { RedisDegradation } from '../redis/redis-degradation';

/**
 * Sign-in throttling that cannot be turned against a user (issue 17). Failed sign-ins are counted
 * in Redis (shared by every API instance), per account, per client address, and per pair of the two:
 * - the **pair** (this account from this address) is locked (429) after SIGN_IN_MAX_FAILURES
 *   failures in SIGN_IN_WINDOW_SECONDS. Nobody else is locked: the owner of the account signs in
 *   from their own address, and others at a shared address (a proxy without TRUST_PROXY) still can;
 * - every sign-in to an account, or from an address, with more than SIGN_IN_FREE_FAILURES recent
 *   failures is **delayed** before the password is checked: SIGN_IN_DELAY_BASE_MS, doubling with
 *   each further failure, at most SIGN_IN_DELAY_MAX_MS. Guessing slows to a crawl; the right
 *   password still gets in;
 * - an admin may clear an account's counts and locks at once (POST /users/:id/sign-in-unlock).
 * While Redis is down, or does not answer within REDIS_COMMAND_TIMEOUT_MS (the shared client's
 * command timeout), the limiter lets attempts through (logged, and counted in
 * wtt_redis_fail_open_total{source="sign_in"}): locking everyone out is worse.
 */
@Injectable()
export class SignInLimiter {
  private readonly logger = new Logger('SignInLimiter');

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly degradation: RedisDegradation,
  ) {}

  /** The account's hash: field `*` counts all its failures, field `ip:<address>` the pair's. */
  private accountKey(email: string): string {
    return `${this.config.REDIS_PREFIX}:signin:acct:${email.trim().toLowerCase()}`;
  }

  private addressKey(ip: string): string {
    return `${this.config.REDIS_PREFIX}:signin:ip:${ip}`;
  }

  private async counts(email: string, ip: string): Promise<{ account: number; pair: number; address: number; ttl: number } | null> {
    if (this.degradation.open) {
      this.degradation.skipped('sign_in');
      return null;
    }
    try {
      const [[, fields], [, address], [, ttl]] = (await this.redis
        .multi()
        .hmget(this.accountKey(email), '*', `ip:${ip}`)
        .get(this.addressKey(ip))
        .ttl(this.accountKey(email))
        .exec()) as [[unknown, (string | null)[]], [unknown, string | null], [unknown, number]];
      return { account: Number(fields[0] ?? 0), pair: Number(fields[1] ?? 0), address: Number(address ?? 0), ttl };
    } catch (err) {
      this.degradation.failed('sign_in', err);
      return null;
    }
  }

  /** How long a sign-in by this account from this address waits before its password is checked. */
  async delayFor(email: string, ip: string): Promise<number> {
    const c = await this.counts(email, ip);
    return c ? this.delayAfter(Math.max(c.account, c.address)) : 0;
  }

  delayAfter(failures: number): number {
    const over = failures - this.config.SIGN_IN_FREE_FAILURES;
    if (over <= 0 || this.config.SIGN_IN_DELAY_BASE_MS === 0) return 0;
    return Math.min(this.config.SIGN_IN_DELAY_MAX_MS, this.config.SIGN_IN_DELAY_BASE_MS * 2 ** Math.min(over - 1, 20));
  }

  /** Throws 429 when this account has used up its failures from this address; otherwise waits the progressive delay. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const c = await this.counts(email, ip);
    if (!c) return;
    if (c.pair >= this.config.SIGN_IN_MAX_FAILURES) {
      const retryAfterSeconds = Math.max(1, c.ttl);
      throw new ApiException(
        HttpStatus.TOO_MANY_REQUESTS,
        `Too many failed sign-ins for this account from this address; try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s), or ask an admin to unlock it`,
        [{ field: 'email', reason: 'is locked for this address after too many failed sign-ins', retryAfterSeconds }],
      );
    }
    const wait = this.delayAfter(Math.max(c.account, c.address));
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const window = this.config.SIGN_IN_WINDOW_SECONDS;
    const acct = this.accountKey(email);
    const addr = this.addressKey(ip);
    if (this.degradation.open) return;
    try {
      await this.redis.multi().hincrby(acct, '*', 1).hincrby(acct, `ip:${ip}`, 1).expire(acct, window, 'NX').incr(addr).expire(addr, window, 'NX').exec();
    } catch (err) {
      this.logger.warn(`could not count a failed sign-in: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** A successful sign-in clears the pair (and the account's delay: its owner is back). */
  async recordSuccess(email: string, _ip: string): Promise<void> {
    if (this.degradation.open) return;
    try {
      await this.redis.del(this.accountKey(email));
    } catch {
      /* counted failures expire on their own */
    }
  }

  /** Admin unlock: clear every count and lock of the account. Returns whether there was anything to clear. */
  async unlock(email: string): Promise<boolean> {
    return (await this.redis.del(this.accountKey(email))) > 0;
  }
}

import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS } from '../../redis/redis.module';
import { RedisDegradation } from '../../redis/redis-degradation';

/**
 * Rate-limit counters live in Redis so every API instance shares them. While Redis is
 * unreachable, or does not answer within REDIS_COMMAND_TIMEOUT_MS (hung), the limiter lets
 * requests through: an outage of the counter store must not take the API down with it. After
 * one failure it stops asking Redis for a few seconds (RedisDegradation's breaker), so a hung
 * Redis costs one request a timeout, not each; every request let through unchecked is counted
 * in wtt_redis_fail_open_total{source="rate_limit"} and logged; /health/ready reports it.
 */
export class SharedThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly inner: ThrottlerStorage,
    private readonly prefix: string,
    private readonly degradation: RedisDegradation = new RedisDegradation(),
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    return this.degradation.guard(
      'rate_limit',
      () => this.inner.increment(`${this.prefix}:throttle:${key}`, ttl, limit, blockDuration, throttlerName),
      { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 },
    );
  }
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS, RedisDegradation],
      useFactory: (config: AppConfig, redis: Redis, degradation: RedisDegradation) => {
        return {
          throttlers: [{ name: 'default', ttl: config.THROTTLE_TTL_SECONDS * 1000, limit: config.THROTTLE_LIMIT }],
          storage: new SharedThrottlerStorage(new ThrottlerStorageRedisService(redis), config.REDIS_PREFIX, degradation),
          errorMessage: 'Too many requests; slow down and retry after the time in the Retry-After header',
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class RateLimitModule {}

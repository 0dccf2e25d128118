import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS } from '../../redis/redis.module';
import { RedisDegradation } from '../../redis/redis-degradation';
import { BatchedThrottlerStorage } from './batched-throttler-storage';

/**
 * Rate limiting per client address and route (THROTTLE_LIMIT per THROTTLE_TTL_SECONDS), shared
 * by every API instance through Redis without a round trip per request, failing open while
 * Redis is unreachable or hung: see BatchedThrottlerStorage for how, its overshoot bound and the
 * fail-open rules (wtt_redis_fail_open_total{source="rate_limit"}, /health/ready).
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS, RedisDegradation],
      useFactory: (config: AppConfig, redis: Redis, degradation: RedisDegradation) => {
        return {
          throttlers: [{ name: 'default', ttl: config.THROTTLE_TTL_SECONDS * 1000, limit: config.THROTTLE_LIMIT }],
          storage: new BatchedThrottlerStorage(redis, config.REDIS_PREFIX, degradation),
          errorMessage: 'Too many requests; slow down and retry after the time in the Retry-After header',
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class RateLimitModule implements OnModuleDestroy {
  constructor(@Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage) {}

  /** Sends the hits counted since the last flush before the Redis client closes. */
  async onModuleDestroy(): Promise<void> {
    if (this.storage instanceof BatchedThrottlerStorage) await this.storage.close();
  }
}

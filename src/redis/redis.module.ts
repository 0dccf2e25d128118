import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';

import { RedisDegradation } from './redis-degradation';

export const REDIS = Symbol('REDIS');
export const InjectRedis = () => Inject(REDIS);

/**
 * Options for every Redis client the processes open. Reconnects quickly (Redis
 * coming back is noticed within a second) and, for the shared command client,
 * fails commands at once while disconnected instead of queueing them, so health
 * checks and rate limiting see an outage immediately. A Redis that is connected but does not
 * answer (hung, SIGSTOP, a network black hole) is what the shared client's commandTimeout
 * (REDIS_COMMAND_TIMEOUT_MS) is for: its callers are request paths.
 */
export function redisClientOptions(extra: Partial<import('ioredis').RedisOptions> = {}) {
  return {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
    ...extra,
  };
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@InjectRedis() private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const client = new Redis(config.REDIS_URL, redisClientOptions({ connectionName: 'wtt-shared', commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS }));
        client.on('error', () => undefined); // state is reported by /health/ready; avoid unhandled 'error' events
        return client;
      },
    },
    RedisCloser,
    { provide: RedisDegradation, useValue: new RedisDegradation() },
  ],
  exports: [REDIS, RedisDegradation],
})
export class RedisModule {}

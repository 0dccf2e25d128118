import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';

export class RedisPreflightError extends Error {}

export interface RedisSettings {
  maxmemoryPolicy: string | null;
  appendonly: string | null;
  save: string | null;
}

/** What the worker refuses (a throw) and what it only warns about. */
export function judgeRedis(s: RedisSettings, production: boolean): { error?: string; warning?: string } {
  if (s.maxmemoryPolicy !== null && s.maxmemoryPolicy !== 'noeviction') {
    return {
      error:
        `Redis maxmemory-policy is "${s.maxmemoryPolicy}": it must be "noeviction", or Redis may silently evict queued jobs. ` +
        'Set `maxmemory-policy noeviction` in redis.conf (or CONFIG SET maxmemory-policy noeviction) and start the worker again.',
    };
  }
  if (s.maxmemoryPolicy === null) return { warning: 'could not read Redis maxmemory-policy (CONFIG and INFO refused); make sure it is "noeviction"' };
  const persistent = s.appendonly === 'yes' || (s.save !== null && s.save.trim() !== '');
  if (production && !persistent && !(s.appendonly === null && s.save === null)) {
    return { warning: 'Redis persistence is off (appendonly no, no save points): a Redis restart loses queued jobs until the outbox sweeper re-enqueues them. Turn on appendonly in production.' };
  }
  return {};
}

/**
 * Checks Redis before the worker takes jobs: the eviction policy must be noeviction (else
 * the worker does not start, with a message saying what to change); in production,
 * persistence should be on (a warning otherwise).
 */
@Injectable()
export class RedisPreflight implements OnModuleInit {
  private readonly logger = new Logger('RedisPreflight');

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    const settings = await this.read();
    const verdict = judgeRedis(settings, this.config.isProduction);
    if (verdict.error) {
      this.logger.error(verdict.error);
      throw new RedisPreflightError(verdict.error);
    }
    if (verdict.warning) this.logger.warn(verdict.warning);
  }

  async read(): Promise<RedisSettings> {
    const client = new Redis(this.config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, retryStrategy: () => null });
    client.on('error', () => undefined);
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        await client.connect();
        break;
      } catch (err) {
        if (Date.now() > until) {
          throw new RedisPreflightError(`Redis is unreachable at start (${err instanceof Error ? err.message : String(err)}): the worker needs it`);
        }
        client.disconnect();
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    try {
      const get = async (name: string): Promise<string | null> => {
        try {
          const [, value] = (await client.config('GET', name)) as string[];
          return value ?? null;
        } catch {
          return null; // CONFIG is often disabled on managed Redis
        }
      };
      let maxmemoryPolicy = await get('maxmemory-policy');
      if (maxmemoryPolicy === null) {
        const info = await client.info('memory').catch(() => '');
        maxmemoryPolicy = /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? null;
      }
      let appendonly = await get('appendonly');
      if (appendonly === null) {
        const info = await client.info('persistence').catch(() => '');
        const aof = /aof_enabled:(\d)/.exec(info)?.[1];
        appendonly = aof === undefined ? null : aof === '1' ? 'yes' : 'no';
      }
      return { maxmemoryPolicy, appendonly, save: await get('save') };
    } finally {
      client.disconnect();
    }
  }
}

import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { InjectRedis } from '../redis/redis.module';
import { NotificationChannel } from './notification.types';

/** Upper bounds (seconds) of the delivery latency histogram: from the event to its delivery. */
export const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400];

/** Delivery outcomes counted per channel. */
export type DeliveryOutcome = 'sent' | 'retried' | 'failed';

/** The Redis hash every worker adds its counts to, and /metrics reads. */
export const deliveryMetricsKey = (prefix: string) => `${prefix}:metrics:notifications`;

/**
 * Fields: `outcome:<channel>:<outcome>`, `latency_bucket:<channel>:<le>` (not cumulative;
 * `+Inf` for the rest), `latency_sum:<channel>`, `latency_count:<channel>`.
 */
export function bucketFor(seconds: number): string {
  const le = LATENCY_BUCKETS.find((b) => seconds <= b);
  return le === undefined ? '+Inf' : String(le);
}

/**
 * Counts deliveries in the worker and adds them to a Redis hash once a second, so every
 * worker's counts reach the API's /metrics. Counts that cannot be written (Redis down) are
 * kept and written with the next flush.
 */
@Injectable()
export class DeliveryMetrics implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DeliveryMetrics');
  private counts = new Map<string, number>();
  private sums = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  outcome(channel: NotificationChannel, outcome: DeliveryOutcome): void {
    this.add(this.counts, `outcome:${channel}:${outcome}`, 1);
  }

  latency(channel: NotificationChannel, seconds: number): void {
    const s = Math.max(0, seconds);
    this.add(this.counts, `latency_bucket:${channel}:${bucketFor(s)}`, 1);
    this.add(this.counts, `latency_count:${channel}`, 1);
    this.add(this.sums, `latency_sum:${channel}`, s);
  }

  private add(m: Map<string, number>, k: string, v: number): void {
    m.set(k, (m.get(k) ?? 0) + v);
  }

  async flush(): Promise<void> {
    if (!this.counts.size && !this.sums.size) return;
    const counts = this.counts;
    const sums = this.sums;
    this.counts = new Map();
    this.sums = new Map();
    const key = deliveryMetricsKey(this.config.REDIS_PREFIX);
    try {
      const multi = this.redis.multi();
      for (const [f, v] of counts) multi.hincrby(key, f, v);
      for (const [f, v] of sums) multi.hincrbyfloat(key, f, v);
      await multi.exec();
    } catch (err) {
      for (const [f, v] of counts) this.add(this.counts, f, v);
      for (const [f, v] of sums) this.add(this.sums, f, v);
      this.logger.debug?.(`metrics not written yet: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { deliveryMetricsKey, LATENCY_BUCKETS } from '../notifications/delivery-metrics';
import { NotificationChannel } from '../notifications/notification.types';
import { JobProducer } from '../queue/job-producer.service';
import { QueueName } from '../queue/queue.contract';
import { InjectRedis } from '../redis/redis.module';
import { bounded } from '../redis/bounded';
import { redisFailOpenTotal } from '../redis/redis-degradation';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;
const CHANNELS = Object.values(NotificationChannel);
const OUTCOMES = ['sent', 'retried', 'failed'] as const;

/**
 * Prometheus metrics of the queues and notifications, read fresh at each scrape:
 * - wtt_queue_jobs{queue,state}: BullMQ job counts (queue depth, failures);
 * - wtt_notifications_open{channel,status}: deliveries pending, queued or failed (awaiting an admin);
 * - wtt_outbox_undispatched_events / wtt_outbox_oldest_undispatched_seconds: the relay's backlog;
 * - wtt_notification_deliveries_total{channel,outcome} and the histogram
 *   wtt_notification_delivery_latency_seconds{channel} (event to delivery), summed over every
 *   worker through a Redis hash;
 * - wtt_metrics_source_up{source}: whether Postgres and Redis answered this scrape;
 * - the API process's own default metrics (wtt_process_*, wtt_nodejs_*).
 */
@Injectable()
export class MetricsService {
  private readonly registry = new Registry();
  private readonly queueJobs: Gauge<'queue' | 'state'>;
  private readonly open: Gauge<'channel' | 'status'>;
  private readonly undispatched: Gauge;
  private readonly oldest: Gauge;
  private readonly sourceUp: Gauge<'source'>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRedis() private readonly redis: Redis,
    private readonly producer: JobProducer,
    private readonly config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'wtt_' });
    this.registry.registerMetric(redisFailOpenTotal);
    const r = [this.registry];
    this.queueJobs = new Gauge({ name: 'wtt_queue_jobs', help: 'BullMQ jobs per queue and state', labelNames: ['queue', 'state'], registers: r });
    this.open = new Gauge({ name: 'wtt_notifications_open', help: 'Notification deliveries not yet sent, by channel and status (failed: awaiting an admin)', labelNames: ['channel', 'status'], registers: r });
    this.undispatched = new Gauge({ name: 'wtt_outbox_undispatched_events', help: 'Domain events the relay has not dispatched yet', registers: r });
    this.oldest = new Gauge({ name: 'wtt_outbox_oldest_undispatched_seconds', help: 'Age of the oldest undispatched domain event (0 when none)', registers: r });
    this.sourceUp = new Gauge({ name: 'wtt_metrics_source_up', help: 'Whether a metrics source answered this scrape', labelNames: ['source'], registers: r });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    const [queues, db, hash] = await Promise.all([this.readQueues(), this.readDatabase(), this.readDeliveryHash()]);
    this.sourceUp.set({ source: 'redis' }, queues && hash ? 1 : 0);
    this.sourceUp.set({ source: 'postgres' }, db ? 1 : 0);
    this.queueJobs.reset();
    for (const [queue, counts] of queues ?? []) for (const state of JOB_STATES) this.queueJobs.set({ queue, state }, counts[state] ?? 0);
    this.open.reset();
    if (db) {
      for (const channel of CHANNELS) for (const status of ['pending', 'queued', 'failed']) this.open.set({ channel, status }, db.open.get(`${channel}/${status}`) ?? 0);
      this.undispatched.set(db.undispatched);
      this.oldest.set(db.oldestSeconds);
    }
    return (await this.registry.metrics()) + (hash ? renderDeliveryMetrics(hash) : '');
  }

  private async readQueues(): Promise<[string, Record<string, number>][] | null> {
    try {
      // Bounded: a hung Redis leaves wtt_metrics_source_up{source="redis"} at 0 rather than holding the scrape.
      return await bounded(
        Promise.all(
          Object.values(QueueName).map(async (name): Promise<[string, Record<string, number>]> => [name, await this.producer.jobCounts(name, ...JOB_STATES)]),
        ),
        this.config.REDIS_COMMAND_TIMEOUT_MS * 2,
      );
    } catch {
      return null;
    }
  }

  private async readDatabase(): Promise<{ open: Map<string, number>; undispatched: number; oldestSeconds: number } | null> {
    try {
      const rows: { channel: string; status: string; n: number }[] = await this.db.query(
        `SELECT channel, status, count(*)::int AS n FROM notifications WHERE status IN ('pending', 'queued') GROUP BY 1, 2
         UNION ALL
         SELECT channel, status, count(*)::int FROM notifications WHERE status = 'failed' GROUP BY 1, 2`,
      );
      const [outbox]: { n: number; age: number | null }[] = await this.db.query(
        `SELECT count(*)::int AS n, extract(epoch FROM clock_timestamp() - min(occurred_at))::float8 AS age FROM domain_events WHERE dispatched_at IS NULL`,
      );
      return { open: new Map(rows.map((r) => [`${r.channel}/${r.status}`, r.n])), undispatched: outbox.n, oldestSeconds: outbox.age ?? 0 };
    } catch {
      return null;
    }
  }

  private async readDeliveryHash(): Promise<Record<string, string> | null> {
    try {
      return await this.redis.hgetall(deliveryMetricsKey(this.config.REDIS_PREFIX));
    } catch {
      return null;
    }
  }
}

/** The cross-worker delivery counter and latency histogram, in the Prometheus text format. */
export function renderDeliveryMetrics(hash: Record<string, string>): string {
  const num = (k: string) => Number(hash[k] ?? 0);
  const lines = [
    '# HELP wtt_notification_deliveries_total Delivery attempts by channel and outcome (sent; retried: failed, will retry; failed: out of attempts), all workers',
    '# TYPE wtt_notification_deliveries_total counter',
  ];
  for (const channel of CHANNELS) for (const outcome of OUTCOMES) lines.push(`wtt_notification_deliveries_total{channel="${channel}",outcome="${outcome}"} ${num(`outcome:${channel}:${outcome}`)}`);
  lines.push(
    '# HELP wtt_notification_delivery_latency_seconds Time from the domain event to its delivery, all workers',
    '# TYPE wtt_notification_delivery_latency_seconds histogram',
  );
  for (const channel of CHANNELS) {
    let cumulative = 0;
    for (const le of LATENCY_BUCKETS) {
      cumulative += num(`latency_bucket:${channel}:${le}`);
      lines.push(`wtt_notification_delivery_latency_seconds_bucket{channel="${channel}",le="${le}"} ${cumulative}`);
    }
    cumulative += num(`latency_bucket:${channel}:+Inf`);
    lines.push(`wtt_notification_delivery_latency_seconds_bucket{channel="${channel}",le="+Inf"} ${cumulative}`);
    lines.push(`wtt_notification_delivery_latency_seconds_sum{channel="${channel}"} ${num(`latency_sum:${channel}`)}`);
    lines.push(`wtt_notification_delivery_latency_seconds_count{channel="${channel}"} ${num(`latency_count:${channel}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

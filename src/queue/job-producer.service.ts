import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { redisClientOptions } from '../redis/redis.module';
import { CAPPED_EXPONENTIAL, JOB_OPTIONS, JOB_QUEUE, JobItem, JobName, QueueName } from './queue.contract';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Jobs added with one addBulk at most (one Redis round trip). */
export const ENQUEUE_CHUNK = 1000;

/** Jobs whose retry schedule NOTIFY_RETRY_ATTEMPTS / NOTIFY_RETRY_BASE_MS change. */
const NOTIFY_RETRY_JOBS: ReadonlySet<JobName> = new Set([JobName.DeliverEmail, JobName.DeliverWebhook]);

export interface EnqueueManyResult {
  /** Job ids BullMQ now holds (an id it already held counts: adding it again is a no-op). */
  enqueued: string[];
  /** The last error, when some chunk could not be added; its jobs are not in `enqueued`. */
  error?: unknown;
}

/**
 * The one way features put work on a queue: `enqueue` and `enqueueMany` add jobs with their
 * name's options (JOB_OPTIONS in the contract, on top of DEFAULT_JOB_OPTIONS). `queue()` is
 * for reading job state and keeping job schedulers; nothing else adds jobs.
 */
@Injectable()
export class JobProducer implements OnApplicationShutdown {
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly options: Map<JobName, JobsOptions>;

  constructor(private readonly config: AppConfig) {
    this.connection = new Redis(config.REDIS_URL, redisClientOptions({ connectionName: 'wtt-producer', commandTimeout: config.REDIS_QUEUE_COMMAND_TIMEOUT_MS }));
    this.connection.on('error', () => undefined);
    this.options = new Map(Object.values(JobName).map((name) => [name, this.resolveOptions(name)]));
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.connection,
        prefix: this.config.REDIS_PREFIX,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
        skipWaitingForReady: true,
      });
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  /** The options a job of this name is added with (besides its id and delay). */
  optionsFor(name: JobName): JobsOptions {
    return this.options.get(name)!;
  }

  /** Enqueue a job. `jobId` makes the enqueue idempotent (BullMQ ignores a second add with the same id). */
  async enqueue(item: JobItem, opts: { jobId?: string; delayMs?: number } = {}): Promise<string> {
    const job = await this.queue(JOB_QUEUE[item.name]).add(item.name, item.data, {
      ...this.optionsFor(item.name),
      jobId: opts.jobId,
      delay: opts.delayMs,
    });
    return job.id as string;
  }

  /**
   * Enqueue many jobs, each under its own id: one addBulk per queue and ENQUEUE_CHUNK jobs.
   * A chunk that fails (Redis unreachable) does not stop the others; its ids are left out of
   * `enqueued` and the error is returned, for the caller to try those again later.
   */
  async enqueueMany(items: { item: JobItem; jobId: string }[]): Promise<EnqueueManyResult> {
    const byQueue = new Map<QueueName, { name: JobName; data: JobItem['data']; opts: JobsOptions }[]>();
    for (const { item, jobId } of items) {
      const queue = JOB_QUEUE[item.name];
      let jobs = byQueue.get(queue);
      if (!jobs) byQueue.set(queue, (jobs = []));
      jobs.push({ name: item.name, data: item.data, opts: { ...this.optionsFor(item.name), jobId } });
    }
    const enqueued: string[] = [];
    let error: unknown;
    for (const [queue, jobs] of byQueue) {
      for (let i = 0; i < jobs.length; i += ENQUEUE_CHUNK) {
        const chunk = jobs.slice(i, i + ENQUEUE_CHUNK);
        try {
          await this.queue(queue).addBulk(chunk);
          for (const j of chunk) enqueued.push(j.opts.jobId!);
        } catch (err) {
          error = err;
        }
      }
    }
    return { enqueued, error };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }

  private resolveOptions(name: JobName): JobsOptions {
    const opts: JobsOptions = { ...JOB_OPTIONS[name] };
    if (NOTIFY_RETRY_JOBS.has(name)) {
      if (this.config.NOTIFY_RETRY_ATTEMPTS) opts.attempts = this.config.NOTIFY_RETRY_ATTEMPTS;
      if (this.config.NOTIFY_RETRY_BASE_MS) opts.backoff = { type: CAPPED_EXPONENTIAL, delay: this.config.NOTIFY_RETRY_BASE_MS };
    }
    return opts;
  }
}

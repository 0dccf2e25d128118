import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, JobState, Queue } from 'bullmq';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { redisClientOptions } from '../redis/redis.module';
import {
  CAPPED_EXPONENTIAL,
  DEFAULT_JOB_OPTIONS,
  JOB_OPTIONS,
  JOB_QUEUE,
  JobItem,
  JobName,
  jobSchedulers,
  NOTIFY_RETRY_JOBS,
  QueueName,
} from './queue.contract';

export { DEFAULT_JOB_OPTIONS } from './queue.contract';

/** Jobs added with one addBulk at most (one Redis round trip). */
export const ENQUEUE_CHUNK = 1000;

export interface EnqueueManyResult {
  /** Job ids BullMQ now holds (an id it already held counts: adding it again is a no-op). */
  enqueued: string[];
  /** The last error, when some chunk could not be added; its jobs are not in `enqueued`. */
  error?: unknown;
}

/** Job counts by state, as BullMQ reports them. */
export type JobCounts = Record<string, number>;

/**
 * The one way features reach the queues: `enqueue` and `enqueueMany` add jobs with their name's
 * options (JOB_OPTIONS in the contract, on top of DEFAULT_JOB_OPTIONS); `jobState`, `removeJob`
 * and `jobCounts` read and tidy jobs by name and id; `ensureSchedulers` keeps the contract's job
 * schedulers. No feature gets a BullMQ Queue (only the admin queue dashboard, `dashboardQueues`).
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

  private readonly logger = new Logger('JobProducer');

  private queue(name: QueueName): Queue {
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

  /** The state of a job by its name and id ('unknown' when BullMQ does not hold it). */
  async jobState(name: JobName, jobId: string): Promise<JobState | 'unknown'> {
    return this.queue(JOB_QUEUE[name]).getJobState(jobId);
  }

  /** The options a job was added with (attempts, backoff …), or undefined when BullMQ does not hold it. */
  async jobOptions(name: JobName, jobId: string): Promise<JobsOptions | undefined> {
    return (await this.queue(JOB_QUEUE[name]).getJob(jobId))?.opts;
  }

  /** Remove a finished (or waiting) job, so the same id can be added again. */
  async removeJob(name: JobName, jobId: string): Promise<void> {
    await (await this.queue(JOB_QUEUE[name]).getJob(jobId))?.remove();
  }

  /** Job counts of a queue by state. */
  jobCounts(queue: QueueName, ...states: JobState[]): Promise<JobCounts> {
    return this.queue(queue).getJobCounts(...states);
  }

  /**
   * Upsert the contract's job schedulers (jobSchedulers) where one is missing or its timing
   * changed, so calling it often neither duplicates nor delays runs.
   */
  async ensureSchedulers(): Promise<void> {
    for (const s of jobSchedulers(this.config)) {
      const queue = this.queue(JOB_QUEUE[s.job]);
      const existing = await queue.getJobScheduler(s.id);
      const same =
        existing &&
        ('every' in s.repeat
          ? Number(existing.every) === s.repeat.every
          : existing.pattern === s.repeat.pattern && (existing.tz ?? undefined) === s.repeat.tz);
      if (same) continue;
      await queue.upsertJobScheduler(s.id, s.repeat, { name: s.job, data: {}, opts: s.opts });
      this.logger.log(`job scheduler ${s.id} ${existing ? 'updated' : 'created'}: ${JSON.stringify(s.repeat)}`);
    }
  }

  /** A scheduler as BullMQ holds it (for the tests and the dashboard), or undefined. */
  async scheduler(name: JobName, id: string): Promise<{ every?: number | string | null; pattern?: string | null; tz?: string | null } | undefined> {
    return (await this.queue(JOB_QUEUE[name]).getJobScheduler(id)) ?? undefined;
  }

  /** Every queue, for the admins' queue dashboard (bull-board needs BullMQ's own objects). Features use the methods above. */
  dashboardQueues(): Queue[] {
    return Object.values(QueueName).map((name) => this.queue(name));
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

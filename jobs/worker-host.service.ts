import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, MinimalJob, Worker } from 'bullmq';
import Redis from 'ioredis';
import { AppConfig } from '../src/config/app-config';
import { backoffDelay, JOB_QUEUE, JobName, QueueName, queueConcurrency } from '../src/queue/queue.contract';
import { JOB_PROCESSORS, JobProcessor, JobTargetGone } from './job-processor';
import { RetryLaterError } from '../src/common/errors/retry-later';

/** Checks that every JobName has exactly one processor; throws (and so stops the boot) otherwise. */
export function indexProcessors(processors: JobProcessor[]): Map<JobName, JobProcessor> {
  const byName = new Map<JobName, JobProcessor>();
  for (const p of processors) {
    if (byName.has(p.jobName)) throw new Error(`two processors registered for job "${p.jobName}"`);
    byName.set(p.jobName, p);
  }
  const missing = Object.values(JobName).filter((n) => !byName.has(n));
  if (missing.length) throw new Error(`no processor registered for job(s): ${missing.join(', ')}`);
  return byName;
}

/** Each queue's concurrency is the contract's (queueConcurrency in src/queue/queue.contract.ts). */
export const workerConcurrency = queueConcurrency;

/** The workers' backoffStrategy for custom backoff types (the contract's CAPPED_EXPONENTIAL): doubling, capped. */
export function backoffStrategy(attemptsMade: number, _type?: string, _err?: Error, job?: MinimalJob): number {
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 1000);
  return backoffDelay(attemptsMade, base);
}

/**
 * How fast a job held by a worker that died (SIGKILL, OOM, a lost host) runs again. BullMQ renews
 * the lock of a running job every lockDuration / 2 while its process lives; a dead process stops
 * renewing, and the next stalled check after the lock ran out puts the job back to wait. Our jobs
 * are short (a delivery takes milliseconds, at most the 30 s SMTP socket timeout, waiting on
 * nothing that stops the event loop), so a 10 s lock and a 5 s check bring a dead worker's jobs
 * back within 10–15 s of the crash, where BullMQ's defaults (30 s / 30 s) took 30–60 s. A job may
 * stall a few times (a worker killed again and again) before BullMQ fails it; the sweeper
 * re-enqueues a failed job whose row is not sent.
 */
export const WORKER_LOCKS = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 5 } as const;

/** Runs one BullMQ Worker per queue and dispatches each job to its processor. */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly processors: Map<JobName, JobProcessor>;
  private readonly workers: Worker[] = [];
  private connection?: Redis;

  constructor(
    private readonly config: AppConfig,
    @Inject(JOB_PROCESSORS) processors: JobProcessor[],
  ) {
    this.processors = indexProcessors(processors);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Workers block on Redis: their connection must retry forever and never time commands out.
    // (No ioredis auto-pipelining: measured, it cost more CPU than the writes it saved — see
    // docs/benchmarks.md.)
    this.connection = new Redis(this.config.REDIS_URL, {
      maxRetriesPerRequest: null,
      connectionName: 'wtt-worker',
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    });
    this.connection.on('error', () => undefined);
    const queues = new Set(Object.values(JOB_QUEUE));
    for (const queue of queues) this.workers.push(this.startWorker(queue));
    this.logger.log(`worker started: queues ${[...queues].join(', ')}`);
  }

  private startWorker(queue: QueueName): Worker {
    const worker = new Worker(queue, (job: Job, token?: string) => this.dispatch(job, token), {
      connection: this.connection!,
      ...WORKER_LOCKS,
      prefix: this.config.REDIS_PREFIX,
      concurrency: workerConcurrency(queue, this.config),
      autorun: true,
      settings: { backoffStrategy },
    });
    worker.on('failed', (job, err) =>
      this.logger.warn({ queue, jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    worker.on('error', (err) => this.logger.error({ queue, err: err.message }, 'worker error'));
    return worker;
  }

  async dispatch(job: Job, token?: string): Promise<unknown> {
    const processor = this.processors.get(job.name as JobName);
    if (!processor) throw new Error(`no processor for job "${job.name}"`);
    try {
      return await processor.process(job.data as never, job);
    } catch (err) {
      if (err instanceof RetryLaterError && token) {
        // Not a failed attempt: run again at the time given (BullMQ's DelayedError protocol).
        this.logger.log({ jobId: job.id, job: job.name, retryAt: new Date(err.retryAt).toISOString(), reason: err.message }, 'job put off');
        await job.moveToDelayed(err.retryAt, token);
        throw new DelayedError();
      }
      if (err instanceof JobTargetGone) {
        this.logger.warn({ jobId: job.id, job: job.name, reason: err.message }, 'job skipped: its row has gone');
        return { skipped: err.message };
      }
      throw err; // real failure: BullMQ retries with backoff
    }
  }

  /** Graceful stop: let running jobs finish (BullMQ waits for them), then release the connection. */
  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`worker stopping${signal ? ` on ${signal}` : ''}`);
    await Promise.all(this.workers.map((w) => w.close()));
    this.connection?.disconnect();
  }
}

import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { redisClientOptions } from '../redis/redis.module';
import { JOB_QUEUE, JobItem, QueueName } from './queue.contract';

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** The one way features put work on a queue. Nothing else touches a BullMQ Queue. */
@Injectable()
export class JobProducer implements OnApplicationShutdown {
  private readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly config: AppConfig) {
    this.connection = new Redis(config.REDIS_URL, redisClientOptions({ connectionName: 'wtt-producer' }));
    this.connection.on('error', () => undefined);
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

  /** Enqueue a job. `jobId` makes the enqueue idempotent (BullMQ ignores a second add with the same id). */
  async enqueue(item: JobItem, opts: { jobId?: string; delayMs?: number } = {}): Promise<string> {
    const job = await this.queue(JOB_QUEUE[item.name]).add(item.name, item.data, {
      jobId: opts.jobId,
      delay: opts.delayMs,
    });
    return job.id as string;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}

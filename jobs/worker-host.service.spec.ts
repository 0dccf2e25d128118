import type { MinimalJob } from 'bullmq';
import { BACKOFF_CAP_MS, CAPPED_EXPONENTIAL, JobName, QueueName } from '../src/queue/queue.contract';
import { JobProcessor } from './job-processor';
import { backoffStrategy, indexProcessors, workerConcurrency } from './worker-host.service';

const processorFor = (jobName: JobName): JobProcessor => ({ jobName, process: jest.fn() });

describe('indexProcessors', () => {
  it('accepts exactly one processor per job name', () => {
    const all = Object.values(JobName).map(processorFor);
    expect(indexProcessors(all).size).toBe(Object.values(JobName).length);
  });

  it('refuses to boot when a job has no processor', () => {
    expect(() => indexProcessors([])).toThrow(/no processor registered for job\(s\): system\.smoke/);
  });

  it('refuses two processors for one job', () => {
    expect(() => indexProcessors([processorFor(JobName.SystemSmoke), processorFor(JobName.SystemSmoke)])).toThrow(/two processors/);
  });
});

describe('backoffStrategy', () => {
  const job = (backoff: MinimalJob['opts']['backoff']) => ({ opts: { backoff } }) as MinimalJob;

  it('doubles from the job’s delay after each failed attempt, up to the cap', () => {
    const j = job({ type: CAPPED_EXPONENTIAL, delay: 5000 });
    expect([1, 2, 3, 8, 12].map((n) => backoffStrategy(n, CAPPED_EXPONENTIAL, undefined, j))).toEqual([5000, 10_000, 20_000, BACKOFF_CAP_MS, BACKOFF_CAP_MS]);
  });

  it('reads a delay given as a number', () => {
    expect(backoffStrategy(3, CAPPED_EXPONENTIAL, undefined, job(1000))).toBe(4000);
  });
});

describe('workerConcurrency', () => {
  it('runs two email batch jobs per SMTP connection (at least 2, or EMAIL_JOB_CONCURRENCY), and 10 on the other queues', () => {
    expect(workerConcurrency(QueueName.NotifyEmail, { SMTP_POOL_SIZE: 5 })).toBe(10);
    expect(workerConcurrency(QueueName.NotifyEmail, { SMTP_POOL_SIZE: 10 })).toBe(20);
    expect(workerConcurrency(QueueName.NotifyEmail, { SMTP_POOL_SIZE: 1 })).toBe(2);
    expect(workerConcurrency(QueueName.NotifyEmail, { SMTP_POOL_SIZE: 10, EMAIL_JOB_CONCURRENCY: 30 })).toBe(30);
    expect(workerConcurrency(QueueName.NotifyWebhook, { SMTP_POOL_SIZE: 10 })).toBe(10);
    expect(workerConcurrency(QueueName.NotifyInApp, { SMTP_POOL_SIZE: 10 })).toBe(10);
  });
});

import { AppConfig } from '../config/app-config';
import { JobProducer } from './job-producer.service';
import { BACKOFF_CAP_MS, backoffDelay, CAPPED_EXPONENTIAL, JOB_QUEUE, JobName, jobSchedulers, QueueName, queueConcurrency } from './queue.contract';

/** A producer looked at for its options only (its Redis client is closed at once). */
function producer(config: Partial<AppConfig> = {}): JobProducer {
  const p = new JobProducer({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: 'spec', ...config } as AppConfig);
  void p.onApplicationShutdown();
  return p;
}

/** Total wait from the first attempt to the last one under a job's options. */
const totalWaitMs = (attempts: number, base: number) => Array.from({ length: attempts - 1 }, (_, i) => backoffDelay(i + 1, base)).reduce((a, b) => a + b, 0);

describe('JobProducer job options', () => {
  it('gives email and webhook deliveries about an hour of retries, doubling from 5 s and capped at 10 min', () => {
    const p = producer();
    for (const name of [JobName.DeliverEmail, JobName.DeliverWebhook]) {
      expect(p.optionsFor(name)).toEqual({ attempts: 13, backoff: { type: CAPPED_EXPONENTIAL, delay: 5000 } });
    }
    const waits = Array.from({ length: 12 }, (_, i) => backoffDelay(i + 1, 5000) / 1000);
    expect(waits).toEqual([5, 10, 20, 40, 80, 160, 320, 600, 600, 600, 600, 600]);
    expect(totalWaitMs(13, 5000)).toBe(3_635_000); // ≈ 61 min before the row is marked failed
  });

  it('gives in-app deliveries fewer, shorter retries', () => {
    const opts = producer().optionsFor(JobName.DeliverInApp);
    expect(opts).toEqual({ attempts: 8, backoff: { type: CAPPED_EXPONENTIAL, delay: 1000 } });
    expect(totalWaitMs(8, 1000)).toBe(127_000);
  });

  it('leaves other jobs on the queue defaults', () => {
    expect(producer().optionsFor(JobName.SystemSmoke)).toEqual({});
    expect(producer().optionsFor(JobName.OutboxSweep)).toEqual({});
  });

  it('takes the email and webhook schedule from NOTIFY_RETRY_ATTEMPTS / NOTIFY_RETRY_BASE_MS, and only theirs', () => {
    const p = producer({ NOTIFY_RETRY_ATTEMPTS: 5, NOTIFY_RETRY_BASE_MS: 1000 });
    expect(p.optionsFor(JobName.DeliverEmail)).toEqual({ attempts: 5, backoff: { type: CAPPED_EXPONENTIAL, delay: 1000 } });
    expect(p.optionsFor(JobName.DeliverWebhook)).toEqual({ attempts: 5, backoff: { type: CAPPED_EXPONENTIAL, delay: 1000 } });
    expect(p.optionsFor(JobName.DeliverInApp)).toEqual({ attempts: 8, backoff: { type: CAPPED_EXPONENTIAL, delay: 1000 } });
  });

  it('never waits longer than the cap', () => {
    expect(backoffDelay(40, 5000)).toBe(BACKOFF_CAP_MS);
    expect(backoffDelay(1, 5000)).toBe(5000);
  });
});

describe('the queue contract: schedulers and concurrency', () => {
  it('schedules the sweeper every OUTBOX_SWEEP_EVERY_MS and the reminders and digest on Europe/London crons', () => {
    const specs = jobSchedulers({ OUTBOX_SWEEP_EVERY_MS: 1000, MILESTONE_REMINDER_CRON: '0 7 * * *', OVERDUE_DIGEST_CRON: '0 8 * * *', DOCUMENT_SWEEP_EVERY_MS: 2000 });
    expect(specs.map((s) => [s.id, s.job, s.repeat])).toEqual([
      ['outbox-sweep', JobName.OutboxSweep, { every: 1000 }],
      ['milestone-reminders', JobName.MilestoneReminders, { pattern: '0 7 * * *', tz: 'Europe/London' }],
      ['overdue-digest', JobName.OverdueDigest, { pattern: '0 8 * * *', tz: 'Europe/London' }],
      ['document-sweep', JobName.DocumentSweep, { every: 2000 }],
    ]);
    for (const s of specs) expect(JOB_QUEUE[s.job]).toBe(s.job === JobName.DocumentSweep ? QueueName.Documents : QueueName.NotifyMaintenance);
  });

  it('runs the email queue at two batch jobs per SMTP connection (at least 2) unless EMAIL_JOB_CONCURRENCY says, the others at 10', () => {
    expect(queueConcurrency(QueueName.NotifyEmail, { SMTP_POOL_SIZE: 5 })).toBe(10);
    expect(queueConcurrency(QueueName.NotifyEmail, { SMTP_POOL_SIZE: 1 })).toBe(2);
    expect(queueConcurrency(QueueName.NotifyEmail, { SMTP_POOL_SIZE: 5, EMAIL_JOB_CONCURRENCY: 7 })).toBe(7);
    expect(queueConcurrency(QueueName.NotifyWebhook, { SMTP_POOL_SIZE: 10 })).toBe(10);
  });
});

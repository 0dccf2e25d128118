import type { Job } from 'bullmq';
import { JobData, JobName } from '../src/queue/queue.contract';

export const JOB_PROCESSORS = Symbol('JOB_PROCESSORS');

/** Thrown when a job's row has gone: the worker logs it and completes the job without retrying. */
export class JobTargetGone extends Error {}

/**
 * One processor per JobName. `process` rethrows real failures so BullMQ retries;
 * it throws JobTargetGone when the row it works on no longer exists.
 */
export interface JobProcessor<N extends JobName = JobName> {
  readonly jobName: N;
  process(data: JobData<N>, job: Job): Promise<unknown>;
}

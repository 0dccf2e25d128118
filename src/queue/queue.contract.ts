/**
 * The queue contract, in one place: queue names, job names, and one
 * discriminated union of job payloads. Features enqueue through JobProducer;
 * the worker (jobs/) must register exactly one processor per JobName or it
 * refuses to start.
 */
export enum QueueName {
  System = 'system',
}

export enum JobName {
  /** Proves the wiring end to end: API enqueues, worker processes, API shows the result. */
  SystemSmoke = 'system.smoke',
}

export interface SystemSmokeJob {
  name: JobName.SystemSmoke;
  data: { smokeJobId: string };
}

/** Every job the system knows. Add a member here, then a processor in jobs/. */
export type JobItem = SystemSmokeJob;

export type JobData<N extends JobName> = Extract<JobItem, { name: N }>['data'];

/** Which queue each job runs on. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.SystemSmoke]: QueueName.System,
};

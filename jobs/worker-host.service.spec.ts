import { JobName } from '../src/queue/queue.contract';
import { JobProcessor } from './job-processor';
import { indexProcessors } from './worker-host.service';

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

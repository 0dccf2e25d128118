import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import { Repository } from 'typeorm';
import { JobData, JobName } from '../../src/queue/queue.contract';
import { SmokeJob, SmokeJobStatus } from '../../src/system/entities/smoke-job.entity';
import { JobProcessor, JobTargetGone } from '../job-processor';

@Injectable()
export class SystemSmokeProcessor implements JobProcessor<JobName.SystemSmoke> {
  readonly jobName = JobName.SystemSmoke;

  constructor(@InjectRepository(SmokeJob) private readonly smokeJobs: Repository<SmokeJob>) {}

  async process({ smokeJobId }: JobData<JobName.SystemSmoke>): Promise<{ processedBy: string }> {
    const processedBy = `${hostname()}:${process.pid}`;
    const result = await this.smokeJobs.update(
      { id: smokeJobId },
      { status: SmokeJobStatus.Processed, processedBy, processedAt: () => 'now()' },
    );
    if (!result.affected) throw new JobTargetGone(`smoke job ${smokeJobId} no longer exists`);
    return { processedBy };
  }
}

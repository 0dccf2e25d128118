import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiException } from '../common/errors/api-error';
import { JobProducer } from '../queue/job-producer.service';
import { JobName } from '../queue/queue.contract';
import { SmokeJob, SmokeJobStatus } from './entities/smoke-job.entity';

@Injectable()
export class SystemService {
  constructor(
    @InjectRepository(SmokeJob) private readonly smokeJobs: Repository<SmokeJob>,
    private readonly producer: JobProducer,
  ) {}

  async createSmokeJob(message?: string): Promise<SmokeJob> {
    const row = await this.smokeJobs.save(this.smokeJobs.create({ status: SmokeJobStatus.Queued, message: message ?? null }));
    try {
      await this.producer.enqueue({ name: JobName.SystemSmoke, data: { smokeJobId: row.id } }, { jobId: `smoke-${row.id}` });
    } catch {
      await this.smokeJobs.delete(row.id);
      throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, 'The job queue is unavailable; nothing was queued');
    }
    return row;
  }

  async getSmokeJob(id: string): Promise<SmokeJob> {
    const row = await this.smokeJobs.findOneBy({ id });
    if (!row) throw new NotFoundException(`Smoke job ${id} not found`);
    return row;
  }
}

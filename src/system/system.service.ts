import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { JobProducer } from '../queue/job-producer.service';
import { JobName } from '../queue/queue.contract';
import { bounded, queueUnavailable } from '../redis/bounded';
import { SmokeJob, SmokeJobStatus } from './entities/smoke-job.entity';

@Injectable()
export class SystemService {
  constructor(
    @InjectRepository(SmokeJob) private readonly smokeJobs: Repository<SmokeJob>,
    private readonly producer: JobProducer,
    private readonly config: AppConfig,
  ) {}

  async createSmokeJob(message?: string): Promise<SmokeJob> {
    const row = await this.smokeJobs.save(this.smokeJobs.create({ status: SmokeJobStatus.Queued, message: message ?? null }));
    try {
      // A request path: a hung Redis must not hold it. Should the add land after all, its job finds no row and ends (JobTargetGone).
      await bounded(this.producer.enqueue({ name: JobName.SystemSmoke, data: { smokeJobId: row.id } }, { jobId: `smoke-${row.id}` }), this.config.REDIS_COMMAND_TIMEOUT_MS * 2);
    } catch {
      await this.smokeJobs.delete(row.id);
      throw queueUnavailable('The job queue is unavailable; nothing was queued');
    }
    return row;
  }

  async getSmokeJob(id: string): Promise<SmokeJob> {
    const row = await this.smokeJobs.findOneBy({ id });
    if (!row) throw new NotFoundException(`Smoke job ${id} not found`);
    return row;
  }
}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggingModule } from '../src/common/logging.module';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { AuditModule } from '../src/audit/audit.module';
import { EventsModule } from '../src/events/events.module';
import { QueueModule } from '../src/queue/queue.module';
import { RedisModule } from '../src/redis/redis.module';
import { SmokeJob } from '../src/system/entities/smoke-job.entity';
import { JOB_PROCESSORS } from './job-processor';
import { SystemSmokeProcessor } from './processors/system-smoke.processor';
import { WorkerHost } from './worker-host.service';

const processors = [SystemSmokeProcessor];

/** The worker process: the same modules as the API, no HTTP. */
@Module({
  imports: [ConfigModule, LoggingModule, DatabaseModule, RedisModule, QueueModule, AuditModule, EventsModule, TypeOrmModule.forFeature([SmokeJob])],
  providers: [
    ...processors,
    { provide: JOB_PROCESSORS, inject: processors, useFactory: (...all: unknown[]) => all },
    WorkerHost,
  ],
})
export class WorkerModule {}

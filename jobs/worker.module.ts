import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggingModule } from '../src/common/logging.module';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { AuditModule } from '../src/audit/audit.module';
import { EventsModule } from '../src/events/events.module';
import { QueueModule } from '../src/queue/queue.module';
import { RedisModule } from '../src/redis/redis.module';
import { NotificationsWorkerModule } from '../src/notifications/notifications-worker.module';
import { SmokeJob } from '../src/system/entities/smoke-job.entity';
import { JOB_PROCESSORS } from './job-processor';
import { EmailBatchDeliveryProcessor, EmailDeliveryProcessor } from './processors/email-delivery.processor';
import { InAppDeliveryProcessor } from './processors/in-app-delivery.processor';
import { MilestoneReminderProcessor } from './processors/milestone-reminder.processor';
import { OutboxSweepProcessor } from './processors/outbox-sweep.processor';
import { OverdueDigestProcessor } from './processors/overdue-digest.processor';
import { PasswordResetProcessor } from './processors/password-reset.processor';
import { PasswordResetWorkerModule } from '../src/auth/password-reset-mailer';
import { SystemSmokeProcessor } from './processors/system-smoke.processor';
import { WebhookDeliveryProcessor } from './processors/webhook-delivery.processor';
import { WorkerHost } from './worker-host.service';
import { DocumentsWorkerModule } from '../src/documents/documents-worker.module';
import { DocumentPdfProcessor } from './processors/document-pdf.processor';
import { EliBuildProcessor } from './processors/eli-build.processor';
import { EvidencePackProcessor } from './processors/evidence-pack.processor';
import { ImportsWorkerModule } from '../src/establishment/imports/imports-worker.module';
import { PostsImportProcessor } from './processors/posts-import.processor';
import { DocumentEmailProcessor } from './processors/document-email.processor';
import { DocumentSweepProcessor } from './processors/document-sweep.processor';

const processors = [
  SystemSmokeProcessor,
  EmailDeliveryProcessor,
  EmailBatchDeliveryProcessor,
  WebhookDeliveryProcessor,
  InAppDeliveryProcessor,
  OutboxSweepProcessor,
  MilestoneReminderProcessor,
  OverdueDigestProcessor,
  PasswordResetProcessor,
  DocumentPdfProcessor,
  EliBuildProcessor,
  EvidencePackProcessor,
  PostsImportProcessor,
  DocumentEmailProcessor,
  DocumentSweepProcessor,
];

/** The worker process: the same modules as the API, no HTTP. */
@Module({
  imports: [ConfigModule, LoggingModule, DatabaseModule, RedisModule, QueueModule, AuditModule, EventsModule, NotificationsWorkerModule, PasswordResetWorkerModule, DocumentsWorkerModule, ImportsWorkerModule, TypeOrmModule.forFeature([SmokeJob])],
  providers: [
    ...processors,
    { provide: JOB_PROCESSORS, inject: processors, useFactory: (...all: unknown[]) => all },
    WorkerHost,
  ],
})
export class WorkerModule {}

import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { API_PREFIX } from './common/http/api-prefix';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import { LoggingModule } from './common/logging.module';
import { RateLimitModule } from './common/http/rate-limit.module';
import { RequestContextMiddleware } from './common/request-context';
import { ConfigModule } from './config/config.module';
import { ConsultationsModule } from './consultations/consultations.module';
import { DatabaseModule } from './database/database.module';
import { EstablishmentModule } from './establishment/establishment.module';
import { EventsModule } from './events/events.module';
import { ForumModule } from './forum/forum.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PeopleModule } from './people/people.module';
import { QueueModule } from './queue/queue.module';
import { RedisModule } from './redis/redis.module';
import { StatutoryModule } from './statutory/statutory.module';
import { SystemModule } from './system/system.module';
import { UsersModule } from './users/users.module';
import { WebModule } from './web/web.module';
import { HomeModule } from './home/home.module';
import { EstablishmentPagesModule } from './establishment/pages/establishment-pages.module';
import { CasesPagesModule } from './cases/pages/cases-pages.module';
import { ConsultationPagesModule } from './consultations/pages/consultation-pages.module';
import { ForumPagesModule } from './forum/pages/forum-pages.module';
import { NotificationPagesModule } from './notifications/pages/notification-pages.module';
import { UserPagesModule } from './users/pages/user-pages.module';
import { AuthPagesModule } from './auth/pages/auth-pages.module';
import { DocumentsPagesModule } from './documents/pages/documents-pages.module';
import { DocumentsModule } from './documents/documents.module';
import { ScenariosModule } from './scenarios/scenarios.module';
import { ScenariosPagesModule } from './scenarios/pages/scenarios-pages.module';

/**
 * The modules whose controllers make up the JSON API, all served under /api/v1. Everything else
 * is outside it: health and metrics, and the pages (each feature's *PagesModule, src/web, src/home),
 * which share paths with the API (/posts/:id) without the prefix.
 */
const API_MODULES = [
  AuditModule,
  AuthModule,
  UsersModule,
  SystemModule,
  EstablishmentModule,
  NotificationsModule,
  PeopleModule,
  CasesModule,
  ConsultationsModule,
  ForumModule,
  StatutoryModule,
  DocumentsModule,
  ScenariosModule,
];

@Module({
  imports: [
    RouterModule.register(API_MODULES.map((module) => ({ path: API_PREFIX, module }))),
    ConfigModule,
    LoggingModule,
    DatabaseModule,
    RedisModule,
    QueueModule,
    RateLimitModule,
    AuditModule,
    EventsModule,
    AuthModule,
    UsersModule,
    HealthModule,
    SystemModule,
    // feature modules below this line
    EstablishmentModule,
    NotificationsModule,
    MetricsModule,
    PeopleModule,
    CasesModule,
    ConsultationsModule,
    StatutoryModule,
    DocumentsModule,
    ScenariosModule,
    // pages that bring features together (the shell's own pages, each role's home page)
    WebModule,
    HomeModule,
    // each feature's pages (src/<feature>/pages), outside /api/v1
    EstablishmentPagesModule,
    CasesPagesModule,
    ConsultationPagesModule,
    ForumPagesModule,
    NotificationPagesModule,
    UserPagesModule,
    AuthPagesModule,
    DocumentsPagesModule,
    ScenariosPagesModule,
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('*');
  }
}

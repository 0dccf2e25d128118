import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
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
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PeopleModule } from './people/people.module';
import { QueueModule } from './queue/queue.module';
import { RedisModule } from './redis/redis.module';
import { StatutoryModule } from './statutory/statutory.module';
import { SystemModule } from './system/system.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
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
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('*');
  }
}

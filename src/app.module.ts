import { Module } from '@nestjs/common';
import { LoggingModule } from './common/logging.module';
import { RateLimitModule } from './common/http/rate-limit.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { QueueModule } from './queue/queue.module';
import { RedisModule } from './redis/redis.module';
import { SystemModule } from './system/system.module';

@Module({
  imports: [ConfigModule, LoggingModule, DatabaseModule, RedisModule, QueueModule, RateLimitModule, HealthModule, SystemModule],
})
export class AppModule {}

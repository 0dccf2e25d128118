import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueDashboard } from './queue-dashboard';

/** Operations: Prometheus metrics at /metrics and the admins' queue dashboard at /admin/queues. */
@Module({
  imports: [AuthModule],
  controllers: [MetricsController],
  providers: [MetricsService, QueueDashboard],
})
export class MetricsModule {}

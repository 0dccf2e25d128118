import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesService } from './deliveries.service';
import { Notification } from './entities/notification.entity';
import { NotificationFeedItem } from './entities/notification-feed-item.entity';
import { WebhookSubscription } from './entities/webhook-subscription.entity';
import { NotificationFeedController } from './notification-feed.controller';
import { NotificationFeedService } from './notification-feed.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * The API side of notifications: my in-app feed, and for admins the deliveries (failed ones
 * and their retry) and webhook subscriptions. Deliveries themselves happen in the worker
 * (NotificationsWorkerModule).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Notification, NotificationFeedItem, WebhookSubscription])],
  controllers: [NotificationFeedController, DeliveriesController, WebhooksController],
  providers: [NotificationFeedService, DeliveriesService, WebhooksService],
  exports: [NotificationFeedService, DeliveriesService, WebhooksService],
})
export class NotificationsModule {}

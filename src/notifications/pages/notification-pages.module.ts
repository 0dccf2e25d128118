import { Module, OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../../common/access/auth-user';
import { EstablishmentModule } from '../../establishment/establishment.module';
import { registerLayoutContributor } from '../../web/page-context';
import { NotificationFeedService } from '../notification-feed.service';
import { NotificationsModule } from '../notifications.module';
import { DeliveryPages, NotificationPages, WebhookPages } from './notification-pages';

let feed: NotificationFeedService | null = null;

/** The header's "Notifications" link and its unread count, on every signed-in page. */
async function notificationCount(user: AuthUser): Promise<Record<string, unknown>> {
  return feed ? { notificationCount: await feed.unreadCount(user) } : {};
}

/** Notifications as pages: the caller's in-app feed (and the header's unread count), admins' deliveries and webhooks. */
@Module({
  imports: [NotificationsModule, EstablishmentModule],
  controllers: [NotificationPages, DeliveryPages, WebhookPages],
})
export class NotificationPagesModule implements OnModuleInit {
  constructor(private readonly feedService: NotificationFeedService) {}

  onModuleInit(): void {
    feed = this.feedService;
    registerLayoutContributor(notificationCount);
  }
}

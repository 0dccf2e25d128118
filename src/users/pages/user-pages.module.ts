import { Module } from '@nestjs/common';
import { UsersModule } from '../users.module';
import { AdminPages } from './admin.page';

/** The admin pages: the landing page and users. (Deliveries and webhooks are the notifications pages'.) */
@Module({
  imports: [UsersModule],
  controllers: [AdminPages],
})
export class UserPagesModule {}

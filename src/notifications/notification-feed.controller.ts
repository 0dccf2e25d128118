import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ALL_ROLES } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { FeedItemResponse, FeedPage, FeedQuery, MarkAllReadResponse } from './dto/feed.dto';
import { NotificationFeedService } from './notification-feed.service';

@ApiTags('notifications')
@Controller('me/notifications')
export class NotificationFeedController {
  constructor(private readonly feed: NotificationFeedService) {}

  @Get()
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'My in-app notifications, newest first (keyset pagination), with my unread count' })
  @ApiOkResponse({ type: FeedPage })
  async list(@CurrentUser() user: AuthUser, @Query() q: FeedQuery): Promise<FeedPage> {
    const page = await this.feed.list(user, q);
    return { items: page.items.map(FeedItemResponse.from), unreadCount: page.unreadCount, nextCursor: page.nextCursor };
  }

  @Post('read-all')
  @Roles(...ALL_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my notifications read' })
  @ApiOkResponse({ type: MarkAllReadResponse })
  async readAll(@CurrentUser() user: AuthUser): Promise<MarkAllReadResponse> {
    return { marked: await this.feed.markAllRead(user) };
  }

  @Post(':id/read')
  @Roles(...ALL_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one of my notifications read (someone else’s is 404)' })
  @ApiOkResponse({ type: FeedItemResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async read(@CurrentUser() user: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<FeedItemResponse> {
    return FeedItemResponse.from(await this.feed.markRead(user, id));
  }
}

import { KeysetPageQuery } from '../../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { NotificationFeedItem } from '../entities/notification-feed-item.entity';

/** 'true' / 'false' in a query string; anything else is left for the validator to refuse. */
export const queryBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class FeedQuery extends KeysetPageQuery(200) {
  @ApiPropertyOptional({ description: 'Only unread (true) or only read (false) notices' })
  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean({ message: 'must be true or false' })
  unread?: boolean;
}

export class FeedItemResponse {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'forum_meeting.scheduled' }) eventType: string;
  @ApiProperty({ nullable: true, type: String }) programmeId: string | null;
  @ApiProperty() subject: string;
  @ApiProperty({ description: 'Plain text' }) body: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) readAt: string | null;

  static from(e: NotificationFeedItem): FeedItemResponse {
    return {
      id: e.id,
      eventType: e.eventType,
      programmeId: e.programmeId,
      subject: e.subject,
      body: e.body,
      createdAt: e.createdAt.toISOString(),
      readAt: e.readAt ? e.readAt.toISOString() : null,
    };
  }
}

export class FeedPage {
  @ApiProperty({ type: [FeedItemResponse] }) items: FeedItemResponse[];
  @ApiProperty({ description: 'Unread notices in the whole feed' }) unreadCount: number;
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' })
  nextCursor: string | null;
}

export class MarkAllReadResponse {
  @ApiProperty({ description: 'How many notices were marked read' }) marked: number;
}

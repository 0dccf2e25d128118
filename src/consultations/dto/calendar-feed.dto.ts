import { ApiProperty } from '@nestjs/swagger';
import { CalendarFeed } from '../entities/calendar-feed.entity';

export class CalendarFeedResponse {
  @ApiProperty() id: string;
  @ApiProperty() consultationId: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String, description: 'When a calendar last fetched it (to within five minutes)' }) lastUsedAt: string | null;

  static from(f: CalendarFeed): CalendarFeedResponse {
    return { id: f.id, consultationId: f.consultationId, createdAt: f.createdAt.toISOString(), lastUsedAt: f.lastUsedAt ? f.lastUsedAt.toISOString() : null };
  }
}

export class CalendarFeedCreatedResponse extends CalendarFeedResponse {
  @ApiProperty({ description: 'Subscribe to this URL in Outlook or any calendar. Shown once: it is the secret.' }) url: string;
  @ApiProperty({ description: 'The same, as webcal:// for calendar apps that prefer it' }) webcalUrl: string;
}

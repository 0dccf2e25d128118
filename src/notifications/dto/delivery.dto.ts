import { KeysetPageQuery } from '../../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { IsEnum, IsIn, IsOptional } from 'class-validator';
import { Notification } from '../entities/notification.entity';
import { NotificationChannel, NotificationStatus } from '../notification.types';

export class DeliveriesQuery extends KeysetPageQuery(500) {
  @ApiPropertyOptional({ enum: NotificationStatus, default: NotificationStatus.Failed })
  @IsOptional()
  @IsEnum(NotificationStatus)
  status: NotificationStatus = NotificationStatus.Failed;

  @ApiPropertyOptional({ enum: NotificationChannel })
  @IsOptional()
  @IsEnum(NotificationChannel)
  channel?: NotificationChannel;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: only deliveries that may have reached their receiver more than once (any status; `status` is then ignored)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  possiblyDelivered?: 'true' | 'false';
}

export class DeliveryResponse {
  @ApiProperty() id: string;
  @ApiProperty() eventId: string;
  @ApiProperty({ example: 'milestone.upcoming' }) eventType: string;
  @ApiProperty({ nullable: true, type: String }) programmeId: string | null;
  @ApiProperty({ enum: NotificationChannel }) channel: NotificationChannel;
  @ApiProperty({ description: 'user:<id>, email:<address> or webhook:<subscription id>' }) recipientKey: string;
  @ApiProperty({ nullable: true, type: String }) userId: string | null;
  @ApiProperty({ nullable: true, type: String }) webhookSubscriptionId: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Email address or webhook URL' }) address: string | null;
  @ApiProperty() subject: string;
  @ApiProperty({ enum: NotificationStatus }) status: NotificationStatus;
  @ApiProperty({ description: 'Delivery attempts made' }) attempts: number;
  @ApiProperty({ nullable: true, type: String, description: 'Error of the last failed attempt' }) lastError: string | null;
  @ApiProperty({
    description:
      'Attempts that died after the receiver may have accepted the message and before that was recorded (a worker killed mid-send): ' +
      'the receiver may hold that many extra copies, each with the same Message-ID / X-Delivery-Id',
  })
  possiblyDelivered: number;
  @ApiProperty({ nullable: true, type: String, description: 'When the last such attempt was found' }) possiblyDeliveredAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Start of the attempt now talking to the receiver, if any' }) attemptStartedAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) queuedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) sentAt: string | null;
  @ApiProperty({ nullable: true, type: String }) failedAt: string | null;

  static from(n: Notification): DeliveryResponse {
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return {
      id: n.id,
      eventId: n.eventId,
      eventType: n.eventType,
      programmeId: n.programmeId,
      channel: n.channel,
      recipientKey: n.recipientKey,
      userId: n.userId,
      webhookSubscriptionId: n.webhookSubscriptionId,
      address: n.address,
      subject: n.subject,
      status: n.status,
      attempts: n.attempts,
      lastError: n.lastError,
      possiblyDelivered: n.possiblyDelivered,
      possiblyDeliveredAt: iso(n.possiblyDeliveredAt),
      attemptStartedAt: iso(n.attemptStartedAt),
      createdAt: n.createdAt.toISOString(),
      queuedAt: iso(n.queuedAt),
      sentAt: iso(n.sentAt),
      failedAt: iso(n.failedAt),
    };
  }
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryResponse] }) items: DeliveryResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' })
  nextCursor: string | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An in-app notice in one user's feed. */
@Entity('notification_feed')
export class NotificationFeedItem {
  @PrimaryColumn('uuid') id: string;
  @Column({ type: 'bigint', insert: false, update: false }) seq: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ name: 'notification_id', type: 'uuid' }) notificationId: string;
  @Column({ name: 'event_type', type: 'text' }) eventType: string;
  @Column({ name: 'programme_id', type: 'uuid', nullable: true }) programmeId: string | null;
  @Column({ type: 'text' }) subject: string;
  @Column({ type: 'text' }) body: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'read_at', type: 'timestamptz', nullable: true }) readAt: Date | null;
}

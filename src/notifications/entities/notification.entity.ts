import { Column, Entity, PrimaryColumn } from 'typeorm';
import { NotificationChannel, NotificationStatus } from '../notification.types';

/** One delivery: an event x a recipient x a channel (unique). Written by the outbox relay only. */
@Entity('notifications')
export class Notification {
  @PrimaryColumn('uuid') id: string;
  /** Insertion order, for keyset pagination. */
  @Column({ type: 'bigint', insert: false, update: false }) seq: string;
  @Column({ name: 'event_id', type: 'uuid' }) eventId: string;
  @Column({ name: 'event_type', type: 'text' }) eventType: string;
  @Column({ name: 'event_occurred_at', type: 'timestamptz' }) eventOccurredAt: Date;
  @Column({ name: 'programme_id', type: 'uuid', nullable: true }) programmeId: string | null;
  @Column({ name: 'recipient_key', type: 'text' }) recipientKey: string;
  @Column({ type: 'text' }) channel: NotificationChannel;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @Column({ name: 'webhook_subscription_id', type: 'uuid', nullable: true }) webhookSubscriptionId: string | null;
  /** Email address, or the webhook URL it was meant for. */
  @Column({ type: 'text', nullable: true }) address: string | null;
  @Column({ type: 'text' }) subject: string;
  @Column({ name: 'body_text', type: 'text' }) bodyText: string;
  @Column({ name: 'body_html', type: 'text', nullable: true }) bodyHtml: string | null;
  @Column({ type: 'jsonb', nullable: true }) payload: Record<string, unknown> | null;
  @Column({ type: 'text' }) status: NotificationStatus;
  @Column({ type: 'integer' }) attempts: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'queued_at', type: 'timestamptz', nullable: true }) queuedAt: Date | null;
  /** The BullMQ job that carries the row (an email batch job's id), for the sweeper. */
  @Column({ name: 'job_id', type: 'text', nullable: true }) jobId: string | null;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt: Date | null;
  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true }) failedAt: Date | null;
  /** Start of the attempt talking to the receiver now (cleared when its outcome is recorded). */
  @Column({ name: 'attempt_started_at', type: 'timestamptz', nullable: true }) attemptStartedAt: Date | null;
  /** Attempts that died between the receiver's acceptance and its record: extra copies the receiver may hold. */
  @Column({ name: 'possibly_delivered', type: 'integer' }) possiblyDelivered: number;
  @Column({ name: 'possibly_delivered_at', type: 'timestamptz', nullable: true }) possiblyDeliveredAt: Date | null;
}

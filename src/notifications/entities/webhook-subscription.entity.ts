import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An integration that receives signed JSON POSTs of the events it subscribes to. */
@Entity('webhook_subscriptions')
export class WebhookSubscription {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) url: string;
  /** HMAC-SHA256 key of the X-Signature header; shown once, when created or rotated. */
  @Column({ type: 'text' }) secret: string;
  /** Event types delivered; empty means every type. */
  @Column({ name: 'event_types', type: 'text', array: true }) eventTypes: string[];
  /** Only this programme's events; null means every programme. */
  @Column({ name: 'programme_id', type: 'uuid', nullable: true }) programmeId: string | null;
  @Column({ name: 'is_active', type: 'boolean' }) isActive: boolean;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

/** One change, append-only (the database refuses UPDATE, DELETE and TRUNCATE). */
@Entity('audit_log')
export class AuditEntry {
  @PrimaryColumn({ type: 'bigint', generated: 'increment' }) id: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ name: 'actor_label', type: 'text' }) actorLabel: string;
  @Column({ type: 'text' }) action: string;
  @Column({ name: 'entity_type', type: 'text' }) entityType: string;
  @Column({ name: 'entity_id', type: 'text', nullable: true }) entityId: string | null;
  @Column({ type: 'jsonb', nullable: true }) changes: FieldChanges | null;
  @Column({ type: 'jsonb', nullable: true }) metadata: Record<string, unknown> | null;
  @Column({ name: 'request_id', type: 'text', nullable: true }) requestId: string | null;
  @Column({ type: 'text', nullable: true }) ip: string | null;
}

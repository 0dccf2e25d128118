import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Scope } from '../establishment.constants';

/** One scope decision on a post. Written by a trigger on `posts`, whatever path made the change. */
@Entity('post_scope_history')
export class PostScopeHistory {
  @PrimaryColumn({ type: 'bigint', generated: 'increment' }) id: string;
  @Column({ name: 'post_id', type: 'uuid' }) postId: string;
  @Column({ name: 'from_scope', type: 'text', nullable: true }) fromScope: Scope | null;
  @Column({ name: 'to_scope', type: 'text' }) toScope: Scope;
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column({ name: 'decided_by', type: 'uuid', nullable: true }) decidedBy: string | null;
  @Column({ name: 'decided_at', type: 'timestamptz' }) decidedAt: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt: Date;
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Scope, ScopeProposalKind, ScopeProposalStatus } from '../establishment.constants';

/** A manager's proposal or challenge of a post's scope, until an HR officer or admin decides it. */
@Entity('scope_proposals')
export class ScopeProposal {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'post_id', type: 'uuid' }) postId: string;
  @Column({ type: 'text' }) kind: ScopeProposalKind;
  @Column({ name: 'current_scope', type: 'text' }) currentScope: Scope;
  @Column({ name: 'proposed_scope', type: 'text' }) proposedScope: Scope;
  @Column({ type: 'text' }) reason: string;
  @Column({ name: 'proposed_by', type: 'uuid' }) proposedBy: string;
  @Column({ type: 'text' }) status: ScopeProposalStatus;
  @Column({ name: 'decided_by', type: 'uuid', nullable: true }) decidedBy: string | null;
  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true }) decidedAt: Date | null;
  @Column({ name: 'decision_reason', type: 'text', nullable: true }) decisionReason: string | null;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

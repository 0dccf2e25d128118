import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CaseState } from '../case-state';

/** One change of state of a case: who, when, from, to and a note. Append-only in practice. */
@Entity('case_transitions')
export class CaseTransition {
  @PrimaryColumn({ type: 'bigint', generated: 'increment' }) id: string;
  @Column({ name: 'case_id', type: 'uuid' }) caseId: string;
  @Column({ name: 'from_state', type: 'text', nullable: true }) fromState: CaseState | null;
  @Column({ name: 'to_state', type: 'text' }) toState: CaseState;
  @Column({ type: 'text', nullable: true }) note: string | null;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ name: 'actor_label', type: 'text' }) actorLabel: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
}

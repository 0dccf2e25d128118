import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { CaseRoute, CaseState } from '../case-state';

/**
 * One person's move in one programme (unique per programme and employee). The service reads and
 * writes it through the column map in case-record.ts (dates as YYYY-MM-DD text); this entity
 * documents the table for TypeORM. Other features read state, programme_id and post_id.
 */
@Entity('transition_cases')
export class TransitionCase {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'programme_id', type: 'uuid' }) programmeId: string;
  @Column({ name: 'employee_id', type: 'uuid' }) employeeId: string;
  @Column({ name: 'post_id', type: 'uuid' }) postId: string;
  @Column({ type: 'text' }) route: CaseRoute;
  @Column({ type: 'text' }) state: CaseState;
  @Column({ name: 'held_from_state', type: 'text', nullable: true }) heldFromState: CaseState | null;
  @Column({ name: 'proposed_effective_date', type: 'date', nullable: true }) proposedEffectiveDate: string | null;
  @Column({ name: 'actual_effective_date', type: 'date', nullable: true }) actualEffectiveDate: string | null;
  @Column({ name: 'destination_organisation_id', type: 'uuid', nullable: true }) destinationOrganisationId: string | null;
  @Column({ name: 'destination_post_id', type: 'uuid', nullable: true }) destinationPostId: string | null;
  @Column({ type: 'integer' }) version: number;
}

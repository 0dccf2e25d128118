import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ChecklistItem } from '../case-rules';

/** One checklist item of a case (all six exist from the case's creation), with who did it and when. */
@Entity('case_checklist_items')
export class CaseChecklistItem {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' }) caseId: string;
  @PrimaryColumn({ type: 'text' }) item: ChecklistItem;
  @Column({ name: 'done_on', type: 'date', nullable: true }) doneOn: string | null;
  @Column({ name: 'done_by', type: 'uuid', nullable: true }) doneBy: string | null;
  @Column({ name: 'done_by_label', type: 'text', nullable: true }) doneByLabel: string | null;
  @Column({ name: 'recorded_at', type: 'timestamptz', nullable: true }) recordedAt: Date | null;
  @Column({ type: 'text', nullable: true }) note: string | null;
}

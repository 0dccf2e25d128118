import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum MilestoneKind {
  ConsultationStart = 'consultation_start',
  ConsultationEnd = 'consultation_end',
  Hr1Notice = 'hr1_notice',
  MeasuresLetter = 'measures_letter',
  EmployeeLiabilityInformation = 'employee_liability_information',
  GovernanceDecision = 'governance_decision',
  Forum = 'forum',
  GoLive = 'go_live',
  Other = 'other',
}

export enum MilestoneStatus {
  Pending = 'pending',
  Done = 'done',
  Missed = 'missed',
  Cancelled = 'cancelled',
}

export enum MilestoneAudience {
  Forum = 'forum',
  Hr = 'hr',
  Managers = 'managers',
  AffectedStaff = 'affected_staff',
}

/** Which consultation date a system-made milestone follows (kept in step while pending). */
export enum MilestoneDerivedFrom {
  PlannedEndDate = 'planned_end_date',
  Hr1DueDate = 'hr1_due_date',
  /** TULRCA s.188(4): the written disclosure to the representatives. */
  DisclosureDueDate = 'disclosure_due_date',
}

export const DEFAULT_REMINDER_OFFSETS = [14, 7, 1];

@Entity('milestones')
export class Milestone {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'consultation_id', type: 'uuid' }) consultationId: string;
  @Column({ type: 'text' }) title: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'text' }) kind: MilestoneKind;
  @Column({ name: 'due_date', type: 'date' }) dueDate: string;
  @Column({ type: 'text' }) status: MilestoneStatus;
  @Column({ name: 'completed_on', type: 'date', nullable: true }) completedOn: string | null;
  @Column({ name: 'owner_user_id', type: 'uuid', nullable: true }) ownerUserId: string | null;
  /** Days before the due date on which reminders go out. */
  @Column({ name: 'reminder_offsets', type: 'int', array: true }) reminderOffsets: number[];
  @Column({ type: 'text', array: true }) audience: MilestoneAudience[];
  @Column({ name: 'derived_from', type: 'text', nullable: true }) derivedFrom: MilestoneDerivedFrom | null;
  @Column({ type: 'int' }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum ConsultationKind {
  /** TUPE 2006 reg. 13: inform (and, where measures are envisaged, consult) the appropriate representatives. */
  TupeInformationConsultation = 'tupe_information_consultation',
  /** TULRCA 1992 s.188: collective redundancy consultation. */
  CollectiveRedundancy = 'collective_redundancy',
  /** Engagement with no statutory period (e.g. early staff and union engagement). */
  InformalEngagement = 'informal_engagement',
}

export const CONSULTATION_KIND_LABELS: Record<ConsultationKind, string> = {
  [ConsultationKind.TupeInformationConsultation]: 'TUPE information and consultation (TUPE 2006 reg. 13)',
  [ConsultationKind.CollectiveRedundancy]: 'Collective redundancy consultation (TULRCA 1992 s.188)',
  [ConsultationKind.InformalEngagement]: 'Informal engagement',
};

export enum ConsultationStatus {
  Planned = 'planned',
  Open = 'open',
  Extended = 'extended',
  Closed = 'closed',
}

/** A consultation of a programme, with the statutory deadlines derived when it was created or opened. */
@Entity('consultations')
export class Consultation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'programme_id', type: 'uuid' }) programmeId: string;
  @Column({ type: 'text' }) title: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ type: 'text' }) kind: ConsultationKind;
  @Column({ type: 'text' }) status: ConsultationStatus;
  /** Dates are ISO strings (YYYY-MM-DD): a date has no time zone. */
  @Column({ name: 'start_date', type: 'date' }) startDate: string;
  @Column({ name: 'planned_end_date', type: 'date' }) plannedEndDate: string;
  /** The end date before any extension. */
  @Column({ name: 'original_end_date', type: 'date' }) originalEndDate: string;
  @Column({ type: 'text', nullable: true }) establishment: string | null;
  @Column({ name: 'proposed_dismissals', type: 'int', nullable: true }) proposedDismissals: number | null;
  @Column({ name: 'first_dismissal_date', type: 'date', nullable: true }) firstDismissalDate: string | null;
  /** applies_from of the collective_redundancy_rules version used (collective redundancy only). */
  @Column({ name: 'rules_applied_from', type: 'date', nullable: true }) rulesAppliedFrom: string | null;
  /** The band applied; null when no statutory minimum applies. */
  @Column({ name: 'rule_id', type: 'uuid', nullable: true }) ruleId: string | null;
  @Column({ name: 'minimum_period_days', type: 'int', nullable: true }) minimumPeriodDays: number | null;
  @Column({ name: 'minimum_end_date', type: 'date', nullable: true }) minimumEndDate: string | null;
  @Column({ name: 'hr1_due_date', type: 'date', nullable: true }) hr1DueDate: string | null;
  /** s.193: HR1 goes before the first notice of dismissal is given (collective redundancy only). */
  @Column({ name: 'first_notice_date', type: 'date', nullable: true }) firstNoticeDate: string | null;
  /** s.188(1): the dismissals the band was chosen on, adding up proposals at one establishment within 90 days. */
  @Column({ name: 'aggregated_dismissals', type: 'int', nullable: true }) aggregatedDismissals: number | null;
  @Column({ name: 'extension_reason', type: 'text', nullable: true }) extensionReason: string | null;
  @Column({ name: 'opened_at', type: 'timestamptz', nullable: true }) openedAt: Date | null;
  @Column({ name: 'closed_on', type: 'date', nullable: true }) closedOn: string | null;
  @Column({ name: 'closing_summary', type: 'text', nullable: true }) closingSummary: string | null;
  @Column({ type: 'int' }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

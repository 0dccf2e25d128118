import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One band of one version of the collective redundancy rules (TULRCA 1992 s.188 and s.193).
 * A version is every band with the same appliesFrom. Append-only: the database refuses
 * UPDATE and DELETE, so a change in the law is a new version.
 */
@Entity('collective_redundancy_rules')
export class CollectiveRedundancyRule {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'applies_from', type: 'date' }) appliesFrom: string;
  @Column({ name: 'min_dismissals', type: 'int' }) minDismissals: number;
  @Column({ name: 'max_dismissals', type: 'int', nullable: true }) maxDismissals: number | null;
  @Column({ name: 'minimum_period_days', type: 'int' }) minimumPeriodDays: number;
  @Column({ name: 'hr1_days_before', type: 'int' }) hr1DaysBefore: number;
  @Column({ type: 'text' }) citation: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

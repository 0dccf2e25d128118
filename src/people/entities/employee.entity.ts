import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ContractType, PensionScheme } from '../people.constants';
import { numeric } from './numeric.transformer';

/** A person employed by one of the organisations (council, CCG …). Personal data: HR and admins only. */
@Entity('employees')
export class Employee {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'staff_number', type: 'text' }) staffNumber: string;
  @Column({ name: 'first_name', type: 'text' }) firstName: string;
  @Column({ name: 'last_name', type: 'text' }) lastName: string;
  @Column({ name: 'work_email', type: 'text', nullable: true }) workEmail: string | null;
  @Column({ name: 'employer_organisation_id', type: 'uuid', nullable: true }) employerOrganisationId: string | null;
  @Column({ name: 'contract_type', type: 'text' }) contractType: ContractType;
  @Column({ name: 'contract_ends_on', type: 'date', nullable: true }) contractEndsOn: string | null;
  @Column({ name: 'contracted_fte', type: 'numeric', transformer: numeric }) contractedFte: number;
  @Column({ name: 'start_date', type: 'date', nullable: true }) startDate: string | null;
  /** Never reset by a move, transfer or re-engagement: the database refuses moving it later. */
  @Column({ name: 'continuous_service_date', type: 'date', nullable: true }) continuousServiceDate: string | null;
  @Column({ name: 'pension_scheme', type: 'text', nullable: true }) pensionScheme: PensionScheme | null;
  @Column({ name: 'date_of_birth', type: 'date', nullable: true }) dateOfBirth: string | null;
  @Column({ name: 'annual_pay', type: 'numeric', nullable: true, transformer: numeric }) annualPay: number | null;
  @Column({ name: 'weekly_hours', type: 'numeric', nullable: true, transformer: numeric }) weeklyHours: number | null;
  @Column({ name: 'notice_period_weeks', type: 'integer', nullable: true }) noticePeriodWeeks: number | null;
  @Column({ name: 'eli_disciplinary_grievance', type: 'text', nullable: true }) eliDisciplinaryGrievance: string | null;
  @Column({ name: 'eli_claims', type: 'text', nullable: true }) eliClaims: string | null;
  @Column({ name: 'eli_collective_agreements', type: 'text', nullable: true }) eliCollectiveAgreements: string | null;
  @Column({ type: 'integer' }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

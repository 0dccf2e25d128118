import { BankHolidayDivision } from '../../statutory/calendar';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { OrganisationKind, OrganisationStatus } from '../establishment.constants';

/** A council, a CCG, the merged CCG, a local care organisation … (reference data, kept by admins). */
@Entity('organisations')
export class Organisation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'short_name', type: 'text', nullable: true }) shortName: string | null;
  @Column({ type: 'text' }) kind: OrganisationKind;
  @Column({ type: 'text' }) status: OrganisationStatus;
  @Column({ name: 'successor_id', type: 'uuid', nullable: true }) successorId: string | null;
  /** Whose bank holidays decide a deadline's "send by" (GOV.UK division). */
  @Column({ name: 'bank_holiday_division', type: 'text' }) bankHolidayDivision: BankHolidayDivision;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

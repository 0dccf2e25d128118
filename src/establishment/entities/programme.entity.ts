import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ProgrammeStatus } from '../establishment.constants';

/** A transition: source organisations whose staff move, a destination, a go-live date. */
@Entity('programmes')
export class Programme {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ name: 'destination_organisation_id', type: 'uuid' }) destinationOrganisationId: string;
  /** A calendar date, `YYYY-MM-DD`. */
  @Column({ name: 'go_live_date', type: 'date' }) goLiveDate: string;
  @Column({ type: 'text' }) status: ProgrammeStatus;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

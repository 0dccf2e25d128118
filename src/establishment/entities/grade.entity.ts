import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A grade on one organisation's scale (council G1–G12 and senior grades; NHS bands elsewhere).
 * `reportGroup` is the column it is counted under in reports ('>G12' for senior grades); null means its code.
 */
@Entity('grades')
export class Grade {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organisation_id', type: 'uuid' }) organisationId: string;
  @Column({ type: 'text' }) code: string;
  @Column({ type: 'text', nullable: true }) name: string | null;
  @Column({ type: 'integer' }) rank: number;
  @Column({ name: 'report_group', type: 'text', nullable: true }) reportGroup: string | null;
  /** numeric(10,2) as text: exact pounds and pence. */
  @Column({ name: 'pay_min', type: 'numeric', nullable: true }) payMin: string | null;
  @Column({ name: 'pay_max', type: 'numeric', nullable: true }) payMax: string | null;
  @Column({ type: 'integer' }) version: number;
}

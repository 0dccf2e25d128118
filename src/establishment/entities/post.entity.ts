import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { EstablishmentStatus, Scope } from '../establishment.constants';

/** A post of the establishment. `fte` is numeric(3,2), kept as its exact text ('0.50'). */
@Entity('posts')
export class Post {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'programme_id', type: 'uuid' }) programmeId: string;
  @Column({ name: 'thematic_area_id', type: 'uuid' }) thematicAreaId: string;
  @Column({ name: 'organisation_id', type: 'uuid' }) organisationId: string;
  @Column({ name: 'grade_id', type: 'uuid' }) gradeId: string;
  @Column({ type: 'text' }) reference: string;
  @Column({ type: 'text' }) title: string;
  @Column({ type: 'numeric' }) fte: string;
  @Column({ name: 'establishment_status', type: 'text' }) establishmentStatus: EstablishmentStatus;
  @Column({ type: 'text' }) scope: Scope;
  @Column({ name: 'scope_reason', type: 'text', nullable: true }) scopeReason: string | null;
  @Column({ name: 'scope_decided_by', type: 'uuid', nullable: true }) scopeDecidedBy: string | null;
  @Column({ name: 'scope_decided_at', type: 'timestamptz', nullable: true }) scopeDecidedAt: Date | null;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

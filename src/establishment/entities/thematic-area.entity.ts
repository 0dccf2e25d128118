import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Scope } from '../establishment.constants';

/** A thematic delivery area of a programme (a row of the establishment matrix), with its default scope. */
@Entity('thematic_areas')
export class ThematicArea {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'programme_id', type: 'uuid' }) programmeId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'default_scope', type: 'text' }) defaultScope: Scope;
  @Column({ name: 'scope_note', type: 'text', nullable: true }) scopeNote: string | null;
  @Column({ name: 'sort_order', type: 'integer' }) sortOrder: number;
  @Column({ type: 'integer' }) version: number;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum ForumSide {
  Union = 'union',
  Management = 'management',
}

/**
 * A person sitting on a forum: a union representative (with their union) or a member of the
 * management side. This is the only place a union appears next to a person, and only for the
 * representatives who sit on the forum in that role: the union membership of staff is never stored.
 */
@Entity('forum_members')
export class ForumMember {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'forum_id', type: 'uuid' }) forumId: string;
  @Column({ name: 'union_id', type: 'uuid', nullable: true }) unionId: string | null;
  @Column({ type: 'text' }) side: ForumSide;
  @Column({ name: 'display_name', type: 'text' }) displayName: string;
  @Column({ type: 'text' }) email: string;
  @Column({ name: 'role_title', type: 'text', nullable: true }) roleTitle: string | null;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @Column({ name: 'left_on', type: 'date', nullable: true }) leftOn: string | null;
  @Column({ type: 'int' }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

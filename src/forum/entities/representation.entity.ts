import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum RepresentationStatus {
  AwaitingResponse = 'awaiting_response',
  Answered = 'answered',
}

/** A representation made by a union at the forum, and the employer's written response with reasons. */
@Entity('representations')
export class Representation {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'forum_id', type: 'uuid' }) forumId: string;
  @Column({ name: 'consultation_id', type: 'uuid', nullable: true }) consultationId: string | null;
  @Column({ name: 'union_id', type: 'uuid' }) unionId: string;
  @Column({ name: 'made_by_member_id', type: 'uuid', nullable: true }) madeByMemberId: string | null;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt: Date;
  @Column({ type: 'text' }) subject: string;
  @Column({ type: 'text' }) body: string;
  @Column({ type: 'text' }) status: RepresentationStatus;
  @Column({ type: 'text', nullable: true }) response: string | null;
  @Column({ name: 'response_reasons', type: 'text', nullable: true }) responseReasons: string | null;
  @Column({ name: 'responded_at', type: 'timestamptz', nullable: true }) respondedAt: Date | null;
  @Column({ name: 'responded_by', type: 'uuid', nullable: true }) respondedBy: string | null;
  @Column({ name: 'recorded_by', type: 'uuid', nullable: true }) recordedBy: string | null;
  @Column({ type: 'int' }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

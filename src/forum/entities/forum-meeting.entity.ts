import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum ForumMeetingStatus {
  Scheduled = 'scheduled',
  Held = 'held',
  Cancelled = 'cancelled',
}

export interface MeetingPaper {
  title: string;
  url: string | null;
}

@Entity('forum_meetings')
export class ForumMeeting {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'forum_id', type: 'uuid' }) forumId: string;
  /** The consultation the meeting is about; null for a meeting of the forum in general. */
  @Column({ name: 'consultation_id', type: 'uuid', nullable: true }) consultationId: string | null;
  @Column({ type: 'text' }) title: string;
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt: Date;
  @Column({ type: 'text' }) location: string;
  @Column({ type: 'text', nullable: true }) agenda: string | null;
  @Column({ type: 'jsonb' }) papers: MeetingPaper[];
  @Column({ type: 'text', nullable: true }) minutes: string | null;
  @Column({ name: 'minutes_published_at', type: 'timestamptz', nullable: true }) minutesPublishedAt: Date | null;
  @Column({ type: 'text' }) status: ForumMeetingStatus;
  @Column({ name: 'cancellation_reason', type: 'text', nullable: true }) cancellationReason: string | null;
  /** iCalendar SEQUENCE: bumped whenever attendees would see a change (time, place, title, cancellation). */
  @Column({ type: 'int' }) sequence: number;
  @Column({ type: 'int' }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

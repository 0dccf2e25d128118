import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum SmokeJobStatus {
  Queued = 'queued',
  Processed = 'processed',
}

/** A round trip through the queue: the API writes it, the worker marks it processed. */
@Entity('smoke_jobs')
export class SmokeJob {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) status: SmokeJobStatus;
  @Column({ type: 'text', nullable: true }) message: string | null;
  @Column({ name: 'processed_by', type: 'text', nullable: true }) processedBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true }) processedAt: Date | null;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { SmokeJob, SmokeJobStatus } from '../entities/smoke-job.entity';

export class CreateSmokeJobDto {
  @ApiPropertyOptional({ maxLength: 200, example: 'hello worker' })
  @IsOptional()
  @MaxLength(200)
  @IsString() // type check nearest the property: class-validator runs bottom-up and stops at the first failure
  message?: string;
}

export class SmokeJobResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: SmokeJobStatus }) status: SmokeJobStatus;
  @ApiProperty({ nullable: true, type: String }) message: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Worker host and pid that processed it' }) processedBy: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) processedAt: string | null;

  static from(e: SmokeJob): SmokeJobResponse {
    return {
      id: e.id,
      status: e.status,
      message: e.message,
      processedBy: e.processedBy,
      createdAt: e.createdAt.toISOString(),
      processedAt: e.processedAt ? e.processedAt.toISOString() : null,
    };
  }
}

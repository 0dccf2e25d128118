import { KeysetPageQuery } from '../../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ToStrictDate } from '../../common/validation';
import { IsDate, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { AuditEntry, FieldChanges } from '../entities/audit-entry.entity';

export class AuditQuery extends KeysetPageQuery(500) {
  @ApiPropertyOptional({ example: 'post' })
  @IsOptional()
  @MaxLength(100)
  @IsString()
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(100)
  @IsString()
  entityId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ example: 'update' })
  @IsOptional()
  @MaxLength(100)
  @IsString()
  action?: string;

  @ApiPropertyOptional({ description: 'From this time (inclusive), ISO 8601' })
  @IsOptional()
  @ToStrictDate()
  @IsDate({ message: 'must be an ISO 8601 date-time' })
  from?: Date;

  @ApiPropertyOptional({ description: 'Before this time (exclusive), ISO 8601' })
  @IsOptional()
  @ToStrictDate()
  @IsDate({ message: 'must be an ISO 8601 date-time' })
  to?: Date;
}

export class AuditEntryResponse {
  @ApiProperty() id: string;
  @ApiProperty() occurredAt: string;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty() actorLabel: string;
  @ApiProperty() action: string;
  @ApiProperty() entityType: string;
  @ApiProperty({ nullable: true, type: String }) entityId: string | null;
  @ApiProperty({ nullable: true, type: Object, description: '{ field: { from, to } } for the fields that changed' }) changes: FieldChanges | null;
  @ApiProperty({ nullable: true, type: Object }) metadata: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;

  static from(e: AuditEntry): AuditEntryResponse {
    return {
      id: String(e.id),
      occurredAt: e.occurredAt.toISOString(),
      actorId: e.actorId,
      actorLabel: e.actorLabel,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      changes: e.changes,
      metadata: e.metadata,
      requestId: e.requestId,
    };
  }
}

export class AuditPage {
  @ApiProperty({ type: [AuditEntryResponse] }) items: AuditEntryResponse[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' })
  nextCursor: string | null;
}

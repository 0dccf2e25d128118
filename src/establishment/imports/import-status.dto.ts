import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorResponse } from '../../common/errors/api-error';
import { ImportResult } from '../dto/import.dto';

export const IMPORT_STATUSES = ['queued', 'validating', 'merging', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One posts import run by the worker, as HR and admins see it (no personal data: posts only). */
export class ImportStatusResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) programmeId: string;
  @ApiProperty({ enum: IMPORT_STATUSES, description: 'queued → validating → merging → done, or failed (nothing was written)' }) status: ImportStatus;
  @ApiProperty() dryRun: boolean;
  @ApiProperty() fileName: string;
  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], nullable: true }) format: 'csv' | 'xlsx' | null;
  @ApiProperty({ description: 'Data rows read so far' }) rowsRead: number;
  @ApiProperty({ description: 'Bytes of the file read so far' }) bytesRead: number;
  @ApiProperty({ description: 'Size of the file' }) bytesTotal: number;
  @ApiProperty({ description: 'Whole per cent of the file read' }) percent: number;
  @ApiPropertyOptional({ type: ImportResult, nullable: true, description: 'When done: what was created, updated and unchanged' }) result: ImportResult | null;
  @ApiPropertyOptional({
    type: ErrorResponse,
    nullable: true,
    description: 'When failed: the error in the one error shape; a file with row errors is a 422 with each row error a detail (field row[n].column, row, column)',
  })
  error: ErrorResponse | null;
  @ApiProperty({ format: 'uuid' }) createdBy: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true }) startedAt: string | null;
  @ApiPropertyOptional({ nullable: true }) finishedAt: string | null;
}

export interface ImportRow {
  id: string;
  programme_id: string;
  status: ImportStatus;
  dry_run: boolean;
  file_name: string;
  format: 'csv' | 'xlsx' | null;
  rows_read: number;
  bytes_read: string;
  bytes_total: string;
  result: ImportResult | null;
  error: ErrorResponse | null;
  created_by: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export function toImportStatus(r: ImportRow): ImportStatusResponse {
  const total = Number(r.bytes_total);
  const read = Number(r.bytes_read);
  return {
    id: r.id,
    programmeId: r.programme_id,
    status: r.status,
    dryRun: r.dry_run,
    fileName: r.file_name,
    format: r.format,
    rowsRead: r.rows_read,
    bytesRead: read,
    bytesTotal: total,
    percent: r.status === 'done' ? 100 : total ? Math.floor((read / total) * 100) : 0,
    result: r.result,
    error: r.error,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
  };
}

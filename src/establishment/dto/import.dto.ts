import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString } from 'class-validator';
import { OptionalNotNull } from './common.dto';

export class ImportQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'true: validate and report, write nothing' })
  @OptionalNotNull()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  @IsString()
  dryRun?: 'true' | 'false';
}

export class ImportRowError {
  @ApiProperty({ example: 7, description: 'Row number as the spreadsheet shows it (header = row 1)' }) row: number;
  @ApiProperty({ example: 'reference', description: 'Column (header name), or "file" for the file as a whole' }) column: string;
  @ApiProperty({ example: 'duplicate reference "MCC-LD-001" for MCC: rows 3 and 7' }) message: string;
  @ApiPropertyOptional({ type: [Number], description: 'Other rows involved (e.g. the first row with the same reference)' }) relatedRows?: number[];
}

export class ImportResult {
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ enum: ['csv', 'xlsx'] }) format: 'csv' | 'xlsx';
  @ApiProperty({ description: 'Data rows read (blank rows skipped)' }) rows: number;
  @ApiProperty({ description: 'No errors: a real import would write (or has written) everything' }) valid: boolean;
  @ApiProperty({ description: 'Posts created (dry run: that would be created, among the valid rows)' }) created: number;
  @ApiProperty({ description: 'Existing posts of the programme changed' }) updated: number;
  @ApiProperty({ description: 'Rows identical to their post' }) unchanged: number;
  @ApiProperty() errorCount: number;
  @ApiProperty({ type: [ImportRowError], description: 'At most 1000; errorCount has the total' }) errors: ImportRowError[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString } from 'class-validator';
import { Scope } from '../establishment.constants';
import { OptionalNotNull } from './common.dto';

export class FormatQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], description: 'Wins over the Accept header' })
  @OptionalNotNull()
  @IsIn(['json', 'csv', 'xlsx', 'JSON', 'CSV', 'XLSX'], { message: 'must be one of: json, csv, xlsx' })
  @IsString()
  format?: string;
}

export class SheetFormatQuery {
  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], default: 'csv', description: 'Wins over the Accept header' })
  @OptionalNotNull()
  @IsIn(['csv', 'xlsx', 'CSV', 'XLSX'], { message: 'must be one of: csv, xlsx' })
  @IsString()
  format?: string;
}

export class MatrixCell {
  @ApiProperty({ example: 31 }) posts: number;
  @ApiProperty({ example: 29.4, description: 'Exact sum of FTE (two decimals)' }) fte: number;
}

export class MatrixColumn {
  @ApiProperty({ example: '>G12', description: "A grade's report group (else its code)" }) key: string;
  @ApiProperty({ example: 13, description: 'Highest rank of the grades counted under it; columns run from senior to junior' }) rank: number;
}

export class MatrixRow {
  @ApiProperty() thematicAreaId: string;
  @ApiProperty() thematicAreaName: string;
  @ApiProperty({ enum: Scope }) defaultScope: Scope;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/MatrixCell' }, description: 'column key -> cell' })
  cells: Record<string, MatrixCell>;
  @ApiProperty({ type: MatrixCell }) total: MatrixCell;
}

export class MatrixTotals {
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/MatrixCell' } }) cells: Record<string, MatrixCell>;
  @ApiProperty({ type: MatrixCell }) total: MatrixCell;
}

export class MatrixSubtotals {
  @ApiProperty({ type: MatrixTotals, description: "Posts whose scope is 'in_scope'" }) inScope: MatrixTotals;
  @ApiProperty({ type: MatrixTotals }) outOfScope: MatrixTotals;
  @ApiProperty({ type: MatrixTotals }) underReview: MatrixTotals;
  @ApiProperty({ type: MatrixTotals }) laterPhase: MatrixTotals;
}

/** Counts only: no post, no person. Every role that sees the programme may read it. */
export class EstablishmentMatrixResponse {
  @ApiProperty() programmeId: string;
  @ApiProperty() programmeName: string;
  @ApiProperty({ type: [MatrixColumn] }) columns: MatrixColumn[];
  @ApiProperty({ type: [MatrixRow] }) rows: MatrixRow[];
  @ApiProperty({ type: MatrixTotals, description: 'Column totals and the grand total' }) totals: MatrixTotals;
  @ApiProperty({ type: MatrixSubtotals }) subtotals: MatrixSubtotals;
}

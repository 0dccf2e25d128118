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

const SHOWN = "Trade union reps: under 5 shows as '<5', and a count that would give a hidden one away by subtraction is withheld (null)";

export class MatrixCell {
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }], nullable: true, example: 31, description: SHOWN })
  posts: number | '<5' | null;
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string', enum: ['<5'] }], nullable: true, example: 29.4, description: `Exact sum of FTE (two decimals). ${SHOWN}` })
  fte: number | '<5' | null;
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
  @ApiProperty({ description: "True for trade union reps: small counts are hidden (see MatrixCell)" }) countsSuppressed: boolean;
  @ApiProperty({ type: [MatrixColumn] }) columns: MatrixColumn[];
  @ApiProperty({ type: [MatrixRow] }) rows: MatrixRow[];
  @ApiProperty({ type: MatrixTotals, description: 'Column totals and the grand total' }) totals: MatrixTotals;
  @ApiProperty({ type: MatrixSubtotals }) subtotals: MatrixSubtotals;
}

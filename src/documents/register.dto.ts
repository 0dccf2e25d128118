import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { DOCUMENT_KINDS, DocumentKind } from './document-kinds';

const asList = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Array.isArray(value) ? value : [value]);

/** The register's filters and page (keyset cursors over issued_at, id, newest first). */
export class RegisterQuery {
  @ApiPropertyOptional({ enum: DOCUMENT_KINDS, isArray: true })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @ArrayMaxSize(DOCUMENT_KINDS.length)
  @IsIn(DOCUMENT_KINDS, { each: true })
  kind?: DocumentKind[];

  @ApiPropertyOptional({ description: 'Only the documents of this case (staff only)' })
  @IsOptional()
  @IsUUID('4')
  caseId?: string;

  @ApiPropertyOptional({ description: 'The next page: the cursor after the last row shown' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  after?: string;

  @ApiPropertyOptional({ description: 'The previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  before?: string;

  @ApiPropertyOptional({ default: 25 })
  @IsOptional()
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class RegisterDeliveryResponse {
  @ApiProperty({ enum: ['queued', 'sent', 'failed'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional() sentAt: string | null;
  @ApiPropertyOptional() lastError: string | null;
}

export class RegisterRecipientResponse {
  @ApiProperty() name: string;
  @ApiPropertyOptional() email?: string;
  @ApiProperty() role: string;
  @ApiPropertyOptional({ type: RegisterDeliveryResponse, description: 'The email delivery, when it was sent by email' }) emailDelivery?: RegisterDeliveryResponse | null;
}

/** A register row as an HR officer or an admin sees it: the person and every recipient. */
export class RegisterEntryResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: DOCUMENT_KINDS }) kind: DocumentKind;
  @ApiProperty() title: string;
  @ApiPropertyOptional() caseId: string | null;
  @ApiPropertyOptional() consultationId: string | null;
  @ApiPropertyOptional() postReference: string | null;
  @ApiPropertyOptional({ description: 'The employee (staff only)' }) person: string | null;
  @ApiPropertyOptional() consultationTitle: string | null;
  @ApiProperty() templateVersion: number;
  @ApiProperty() issuedAt: string;
  @ApiProperty() issuedBy: string;
  @ApiProperty({ enum: ['email', 'handed_over'] }) delivery: string;
  @ApiProperty({ type: [RegisterRecipientResponse] }) recipients: RegisterRecipientResponse[];
  @ApiProperty() docxSha256: string;
  @ApiPropertyOptional() pdfSha256: string | null;
  @ApiProperty({ enum: ['pending', 'ready', 'failed'] }) pdfStatus: string;
}

/**
 * A register row as a trade union rep sees it: the reg. 13 information and measures letters only
 * (what the representatives were given), with how many representatives received it ("<5" under
 * five), never a case, a person or an address.
 */
export class RepRegisterEntryResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: [DocumentKind.Reg13Information, DocumentKind.MeasuresLetter] }) kind: DocumentKind;
  @ApiProperty() title: string;
  @ApiProperty() consultationId: string | null;
  @ApiPropertyOptional() consultationTitle: string | null;
  @ApiProperty() templateVersion: number;
  @ApiProperty() issuedAt: string;
  @ApiProperty({ enum: ['email', 'handed_over'] }) delivery: string;
  @ApiProperty({ description: 'Representatives it was given to: a number, or "<5"', oneOf: [{ type: 'number' }, { type: 'string' }] }) representatives: number | string;
  @ApiProperty() docxSha256: string;
  @ApiPropertyOptional() pdfSha256: string | null;
  @ApiProperty({ enum: ['pending', 'ready', 'failed'] }) pdfStatus: string;
}

export class RegisterPageResponse {
  @ApiProperty({ description: 'RegisterEntryResponse for staff, RepRegisterEntryResponse for a tu_rep', type: [Object] }) items: (RegisterEntryResponse | RepRegisterEntryResponse)[];
  @ApiProperty() total: number;
  @ApiPropertyOptional() next: string | null;
  @ApiPropertyOptional() previous: string | null;
}

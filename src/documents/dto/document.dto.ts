import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { DOCUMENT_KINDS, DocumentKind } from '../document-kinds';

export class GenerateCaseDocumentDto {
  @ApiProperty({ enum: [DocumentKind.TransferLetter, DocumentKind.SecondmentAgreement] })
  @IsIn([DocumentKind.TransferLetter, DocumentKind.SecondmentAgreement])
  kind: DocumentKind;
}

export class MeasureDto {
  @ApiProperty({ description: 'Which employer envisages the measure' })
  @IsString()
  @Length(1, 200)
  employer: string;

  @ApiProperty()
  @IsString()
  @Length(1, 2000)
  text: string;
}

export class GenerateConsultationDocumentDto {
  @ApiProperty({ enum: [DocumentKind.Reg13Information, DocumentKind.MeasuresLetter] })
  @IsIn([DocumentKind.Reg13Information, DocumentKind.MeasuresLetter])
  kind: DocumentKind;

  @ApiProperty({ description: 'The reasons for the transfer (reg. 13(2)(a))' })
  @IsString()
  @Length(1, 4000)
  reasons: string;

  @ApiProperty({ description: 'Legal implications (reg. 13(2)(b))' })
  @IsString()
  @Length(1, 4000)
  legalImplications: string;

  @ApiProperty()
  @IsString()
  @Length(1, 4000)
  economicImplications: string;

  @ApiProperty()
  @IsString()
  @Length(1, 4000)
  socialImplications: string;

  @ApiProperty({ type: [MeasureDto], description: 'Measures each employer envisages (reg. 13(2)(c) and (d)); empty: none' })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => MeasureDto)
  measures: MeasureDto[];
}

export class IssueDocumentDto {
  @ApiProperty({ enum: ['email', 'handed_over'], description: 'How it reaches its recipients: email (the worker sends the PDF to each, recorded on its delivery), or handed over (in person or by HR outside the system). The reg. 13 information and measures letter are emailed to the forum\'s union members either way.' })
  @IsIn(['email', 'handed_over'])
  delivery: 'email' | 'handed_over';

  @ApiPropertyOptional({ description: 'A note on the hand-over (when, how)' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class UploadTemplateQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class TemplateVersionResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: DOCUMENT_KINDS }) kind: DocumentKind;
  @ApiProperty() version: number;
  @ApiProperty() filename: string;
  @ApiProperty() sha256: string;
  @ApiProperty({ type: [String] }) fields: string[];
  @ApiPropertyOptional() note: string | null;
  @ApiProperty() uploadedBy: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() current: boolean;
}

export class RecipientResponse {
  @ApiProperty() name: string;
  @ApiPropertyOptional() email?: string;
  @ApiProperty() role: string;
}

export class DocumentResponse {
  @ApiProperty() id: string;
  @ApiProperty() programmeId: string;
  @ApiPropertyOptional() caseId: string | null;
  @ApiPropertyOptional() consultationId: string | null;
  @ApiProperty({ enum: DOCUMENT_KINDS }) kind: DocumentKind;
  @ApiProperty() title: string;
  @ApiProperty() templateVersion: number;
  @ApiProperty({ enum: ['draft', 'issued'] }) status: 'draft' | 'issued';
  @ApiProperty({ enum: ['pending', 'ready', 'failed'] }) pdfStatus: string;
  @ApiPropertyOptional() pdfError: string | null;
  @ApiProperty() docxSha256: string;
  @ApiPropertyOptional() pdfSha256: string | null;
  @ApiProperty() createdBy: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional() issuedAt: string | null;
  @ApiPropertyOptional() issuedBy: string | null;
  @ApiPropertyOptional() delivery: string | null;
  @ApiPropertyOptional({ type: [RecipientResponse] }) recipients: RecipientResponse[] | null;
}

export class DocumentDetailResponse extends DocumentResponse {
  @ApiProperty({ description: 'The data the document was made from', type: Object }) data: Record<string, unknown>;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { PackCopy } from './evidence-data';

export const PACK_COPIES: PackCopy[] = ['full', 'rep'];

export class EvidenceFileQuery {
  @ApiPropertyOptional({ enum: PACK_COPIES, description: 'full (HR and admins; the default for them) or rep (without personal data; the only copy a tu_rep may download)' })
  @IsOptional()
  @IsIn(PACK_COPIES)
  copy?: PackCopy;
}

export class PackContentsResponse {
  @ApiProperty() meetings: number;
  @ApiProperty() milestones: number;
  @ApiProperty() representations: number;
  @ApiProperty({ description: 'Representations without a response yet' }) unanswered: number;
  @ApiProperty() actions: number;
  @ApiProperty({ description: 'Issued documents in the full copy' }) documents: number;
  @ApiProperty() rules: number;
}

export class PackFileResponse {
  @ApiProperty({ enum: PACK_COPIES }) copy: PackCopy;
  @ApiProperty({ enum: ['pdf', 'zip'] }) format: 'pdf' | 'zip';
  @ApiProperty() filename: string;
  @ApiProperty() sha256: string;
  @ApiProperty() bytes: number;
  @ApiProperty({ description: 'Where to download it (API path)' }) href: string;
}

/** One build of a consultation's evidence pack, as the caller's role may see it. */
export class EvidencePackResponse {
  @ApiProperty() id: string;
  @ApiProperty() consultationId: string;
  @ApiProperty({ enum: ['queued', 'running', 'ready', 'failed'] }) status: 'queued' | 'running' | 'ready' | 'failed';
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The stage the worker is at' }) step: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Why the build (or its last attempt) failed' }) error: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Who asked for it (HR and admins only)' }) requestedBy: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ type: String, nullable: true }) finishedAt: string | null;
  @ApiPropertyOptional({ type: PackContentsResponse, nullable: true }) contents: PackContentsResponse | null;
  @ApiProperty({ type: [PackFileResponse], description: 'The files the caller may download (a tu_rep: the representatives’ copy only)' }) files: PackFileResponse[];
}

export class PackConsultationResponse {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
}

export class EvidencePackStatusResponse {
  @ApiProperty({ type: PackConsultationResponse }) consultation: PackConsultationResponse;
  @ApiPropertyOptional({ type: EvidencePackResponse, nullable: true, description: 'The newest build, whatever its status' }) latest: EvidencePackResponse | null;
  @ApiPropertyOptional({ type: EvidencePackResponse, nullable: true, description: 'The newest ready build: the pack to download (a failed build leaves it so)' })
  lastReady: EvidencePackResponse | null;
}

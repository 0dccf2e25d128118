import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsString, IsUUID, Length } from 'class-validator';
import { Scope, ScopeProposalKind, ScopeProposalStatus } from '../establishment.constants';
import { OptionalNotNull, UserRefResponse, VersionedDto } from './common.dto';

export class CreateScopeProposalDto {
  @ApiPropertyOptional({ enum: ScopeProposalKind, default: ScopeProposalKind.Proposal, description: 'challenge: dispute the scope already decided' })
  @OptionalNotNull()
  @IsEnum(ScopeProposalKind)
  kind?: ScopeProposalKind;

  @ApiProperty({ enum: Scope, description: 'The scope you propose (must differ from the current one)' })
  @IsEnum(Scope)
  scope: Scope;

  @ApiProperty({ maxLength: 2000 })
  @Length(1, 2000)
  @IsString()
  reason: string;
}

export class DecideScopeProposalDto extends VersionedDto {
  @ApiProperty({ enum: ['accept', 'reject'] })
  @IsIn(['accept', 'reject'])
  @IsString()
  decision: 'accept' | 'reject';

  @ApiProperty({ maxLength: 2000, description: 'Why: kept on the proposal and, when accepted, as the scope decision' })
  @Length(1, 2000)
  @IsString()
  reason: string;
}

export class WithdrawScopeProposalDto extends VersionedDto {}

export class ListScopeProposalsQuery {
  @ApiPropertyOptional() @OptionalNotNull() @IsUUID() programmeId?: string;
  @ApiPropertyOptional() @OptionalNotNull() @IsUUID() postId?: string;
  @ApiPropertyOptional({ enum: ScopeProposalStatus }) @OptionalNotNull() @IsEnum(ScopeProposalStatus) status?: ScopeProposalStatus;
}

export class ScopeProposalResponse {
  @ApiProperty() id: string;
  @ApiProperty() postId: string;
  @ApiProperty() postReference: string;
  @ApiProperty() programmeId: string;
  @ApiProperty() thematicAreaId: string;
  @ApiProperty({ enum: ScopeProposalKind }) kind: ScopeProposalKind;
  @ApiProperty({ enum: Scope, description: "The post's scope when proposed" }) currentScope: Scope;
  @ApiProperty({ enum: Scope }) proposedScope: Scope;
  @ApiProperty() reason: string;
  @ApiProperty({ type: UserRefResponse }) proposedBy: UserRefResponse;
  @ApiProperty({ enum: ScopeProposalStatus }) status: ScopeProposalStatus;
  @ApiProperty({ nullable: true, type: UserRefResponse }) decidedBy: UserRefResponse | null;
  @ApiProperty({ nullable: true, type: String }) decidedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) decisionReason: string | null;
  @ApiProperty() version: number;
  @ApiProperty() createdAt: string;
}

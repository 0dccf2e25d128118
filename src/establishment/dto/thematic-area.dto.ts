import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsInt, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { Scope } from '../establishment.constants';
import { ThematicArea } from '../entities/thematic-area.entity';
import { OptionalNotNull, VersionedDto } from './common.dto';

export class CreateThematicAreaDto {
  @ApiProperty({ example: 'Learning Disability', maxLength: 200 })
  @Length(1, 200)
  @IsString()
  name: string;

  @ApiProperty({ enum: Scope, description: 'The scope new posts in the area get' })
  @IsEnum(Scope)
  defaultScope: Scope;

  @ApiPropertyOptional({ maxLength: 2000, nullable: true })
  @ValidateIf((o: CreateThematicAreaDto) => o.scopeNote !== null && o.scopeNote !== undefined)
  @Length(1, 2000)
  @IsString()
  scopeNote?: string | null;

  @ApiPropertyOptional({ default: 0 })
  @OptionalNotNull()
  @Max(100000)
  @Min(0)
  @IsInt()
  sortOrder?: number;
}

export class UpdateThematicAreaDto extends IntersectionType(PartialType(CreateThematicAreaDto, { skipNullProperties: false }), VersionedDto) {
  @ApiPropertyOptional({ default: false, description: 'Also move every live post of the area to the new default scope (needs `reason`)' })
  @OptionalNotNull()
  @IsBoolean()
  applyToPosts?: boolean;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Why the posts change scope (with applyToPosts)' })
  @ValidateIf((o: UpdateThematicAreaDto) => o.applyToPosts === true || o.reason !== undefined)
  @Length(1, 2000)
  @IsString()
  reason?: string;
}

export class ThematicAreaResponse {
  @ApiProperty() id: string;
  @ApiProperty() programmeId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: Scope }) defaultScope: Scope;
  @ApiProperty({ nullable: true, type: String }) scopeNote: string | null;
  @ApiProperty() sortOrder: number;
  @ApiProperty() version: number;

  static from(a: ThematicArea): ThematicAreaResponse {
    return {
      id: a.id,
      programmeId: a.programmeId,
      name: a.name,
      defaultScope: a.defaultScope,
      scopeNote: a.scopeNote,
      sortOrder: a.sortOrder,
      version: a.version,
    };
  }
}

export class ThematicAreaUpdateResponse extends ThematicAreaResponse {
  @ApiProperty({ description: 'Posts whose scope changed with applyToPosts' }) postsChanged: number;
}

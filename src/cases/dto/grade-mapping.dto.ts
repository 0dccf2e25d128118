import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsUUID, ValidateNested } from 'class-validator';

export class GradeMappingDto {
  @ApiProperty({ description: "A grade of one of the programme's source organisations (e.g. council G7)" })
  @IsUUID('4')
  fromGradeId: string;

  @ApiProperty({ description: "A grade of the programme's destination organisation (e.g. AfC Band 7)" })
  @IsUUID('4')
  toGradeId: string;
}

export class SetGradeMappingsDto {
  @ApiProperty({ type: [GradeMappingDto], description: 'Every mapping of the programme (replaces the list)' })
  @ValidateNested({ each: true })
  @Type(() => GradeMappingDto)
  @ArrayMaxSize(500)
  @IsArray()
  mappings: GradeMappingDto[];
}

export class GradeMappingResponse {
  @ApiProperty() fromGradeId: string;
  @ApiProperty() fromGradeCode: string;
  @ApiProperty() toGradeId: string;
  @ApiProperty() toGradeCode: string;
}

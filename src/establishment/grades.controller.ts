import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/decorators';
import { ALL_ROLES, Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { VersionQuery } from './dto/common.dto';
import { CreateGradeDto, GradeResponse, UpdateGradeDto } from './dto/grade.dto';
import { GradesService } from './grades.service';
import { UuidParam } from '../common/http/uuid-param';

@ApiTags('establishment: grades')
@Controller()
export class GradesController {
  constructor(private readonly grades: GradesService) {}

  @Get('organisations/:id/grades')
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: "An organisation's grade scale, most senior first" })
  @ApiOkResponse({ type: [GradeResponse] })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async list(@UuidParam('id') organisationId: string): Promise<GradeResponse[]> {
    return (await this.grades.listForOrganisation(organisationId)).map(GradeResponse.from);
  }

  @Post('organisations/:id/grades')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: "Add a grade to an organisation's scale" })
  @ApiCreatedResponse({ type: GradeResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Code already on the scale' })
  async create(@UuidParam('id') organisationId: string, @Body() dto: CreateGradeDto): Promise<GradeResponse> {
    return GradeResponse.from(await this.grades.create(organisationId, dto));
  }

  @Get('grades/:id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: GradeResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@UuidParam('id') id: string): Promise<GradeResponse> {
    return GradeResponse.from(await this.grades.get(id));
  }

  @Patch('grades/:id')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Change a grade (rank, report group, pay range …); a stale version gets 409' })
  @ApiOkResponse({ type: GradeResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async update(@UuidParam('id') id: string, @Body() dto: UpdateGradeDto): Promise<GradeResponse> {
    return GradeResponse.from(await this.grades.update(id, dto));
  }

  @Delete('grades/:id')
  @HttpCode(204)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Remove a grade no post uses (?version=)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version, or posts still have the grade' })
  async remove(@UuidParam('id') id: string, @Query() q: VersionQuery): Promise<void> {
    await this.grades.remove(id, q.version);
  }
}

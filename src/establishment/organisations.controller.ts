import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access/decorators';
import { ALL_ROLES, Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { VersionQuery } from './dto/common.dto';
import { CreateOrganisationDto, OrganisationResponse, UpdateOrganisationDto } from './dto/organisation.dto';
import { OrganisationsService } from './organisations.service';
import { UuidParam } from '../common/http/uuid-param';

@ApiTags('establishment: organisations')
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Get()
  @Roles(...ALL_ROLES)
  @ApiOperation({ summary: 'Every organisation (councils, CCGs, the merged CCG, local care organisations …)' })
  @ApiOkResponse({ type: [OrganisationResponse] })
  async list(): Promise<OrganisationResponse[]> {
    return (await this.organisations.list()).map(OrganisationResponse.from);
  }

  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: OrganisationResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@UuidParam('id') id: string): Promise<OrganisationResponse> {
    return OrganisationResponse.from(await this.organisations.get(id));
  }

  @Post()
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Add an organisation (admins: reference data)' })
  @ApiCreatedResponse({ type: OrganisationResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Name already used' })
  async create(@Body() dto: CreateOrganisationDto): Promise<OrganisationResponse> {
    return OrganisationResponse.from(await this.organisations.create(dto));
  }

  @Patch(':id')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Change an organisation (status, successor …); a stale version gets 409' })
  @ApiOkResponse({ type: OrganisationResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version (currentVersion given) or name already used' })
  async update(@UuidParam('id') id: string, @Body() dto: UpdateOrganisationDto): Promise<OrganisationResponse> {
    return OrganisationResponse.from(await this.organisations.update(id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Remove an organisation nothing refers to (?version=); one in use is 409' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version, or still referenced (programmes, grades, posts …)' })
  async remove(@UuidParam('id') id: string, @Query() q: VersionQuery): Promise<void> {
    await this.organisations.remove(id, q.version);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ALL_ROLES, Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { VersionQuery } from './dto/common.dto';
import { ThematicAreaResponse, ThematicAreaUpdateResponse, UpdateThematicAreaDto } from './dto/thematic-area.dto';
import { ThematicAreasService } from './thematic-areas.service';
import { UuidParam } from '../common/http/uuid-param';

@ApiTags('establishment: thematic areas')
@Controller('thematic-areas')
export class ThematicAreasController {
  constructor(private readonly areas: ThematicAreasService) {}

  @Get(':id')
  @Roles(...ALL_ROLES)
  @ApiOkResponse({ type: ThematicAreaResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ThematicAreaResponse> {
    return ThematicAreaResponse.from(await this.areas.get(user, id));
  }

  @Patch(':id')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({
    summary: 'Change a thematic area; with applyToPosts and a reason, move its live posts to the new default scope',
  })
  @ApiOkResponse({ type: ThematicAreaUpdateResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async update(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: UpdateThematicAreaDto): Promise<ThematicAreaUpdateResponse> {
    const { area, postsChanged } = await this.areas.update(user, id, dto);
    return { ...ThematicAreaResponse.from(area), postsChanged };
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Remove a thematic area with no posts (?version=)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ErrorResponse })
  async remove(@UuidParam('id') id: string, @Query() q: VersionQuery): Promise<void> {
    await this.areas.remove(id, q.version);
  }
}

import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ErrorResponse } from '../common/errors/api-error';
import { MANAGE_ROLES, notFound, READ_ROLES, REPRESENT_ROLES } from '../common/access/programme-access';
import { CreateRepresentationDto, ListRepresentationsQuery, RepresentationResponse, RespondToRepresentationDto } from './dto/representation.dto';
import { Representation } from './entities/representation.entity';
import { ForumService } from './forum.service';
import { RepresentationsService } from './representations.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('forum')
@Controller()
export class RepresentationsController {
  constructor(
    private readonly forums: ForumService,
    private readonly representations: RepresentationsService,
  ) {}

  @Get('forums/:id/representations')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Representations made at the forum and the employer’s responses, newest first' })
  @ApiOkResponse({ type: [RepresentationResponse] })
  async list(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Query() q: ListRepresentationsQuery): Promise<RepresentationResponse[]> {
    const forum = await this.forums.get(user, id);
    return this.responses(await this.representations.list(forum.id, q), user);
  }

  @Post('forums/:id/representations')
  @Roles(...REPRESENT_ROLES)
  @ApiOperation({ summary: 'Record a representation made by a union (a tu_rep records their own union’s)' })
  @ApiCreatedResponse({ type: RepresentationResponse })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'A tu_rep who is not a union-side member of this forum' })
  async create(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: CreateRepresentationDto): Promise<RepresentationResponse> {
    const forum = await this.forums.get(user, id);
    return (await this.responses([await this.representations.create(user, forum, dto)], user))[0];
  }

  @Get('representations/:id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'A representation and the response' })
  @ApiOkResponse({ type: RepresentationResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<RepresentationResponse> {
    const r = await this.representations.get(id);
    if (!r) throw notFound('Representation');
    await this.forums.get(user, r.forumId).catch(() => {
      throw notFound('Representation');
    });
    return (await this.responses([r], user))[0];
  }

  @Post('representations/:id/response')
  @Roles(...MANAGE_ROLES)
  @HttpCode(200)
  @ApiOperation({ summary: 'The employer’s written response, with reasons (notifies the forum)' })
  @ApiOkResponse({ type: RepresentationResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Already answered, or a stale version' })
  async respond(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: RespondToRepresentationDto): Promise<RepresentationResponse> {
    return (await this.responses([await this.representations.respond(user, id, dto)], user))[0];
  }

  private async responses(rows: Representation[], user: AuthUser): Promise<RepresentationResponse[]> {
    const names = await this.forums.unionNames(rows.map((r) => r.unionId));
    return rows.map((r) => RepresentationResponse.from(r, names.get(r.unionId) ?? '', user));
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { ErrorResponse } from '../common/errors/api-error';
import { MANAGE_ROLES, READ_ROLES } from '../common/access/programme-access';
import {
  CreateForumDto,
  CreateForumMemberDto,
  CreateUnionDto,
  ForumMemberResponse,
  ForumResponse,
  ListForumsQuery,
  UnionResponse,
  UpdateForumDto,
  UpdateForumMemberDto,
} from './dto/forum.dto';
import { Forum } from './entities/forum.entity';
import { ForumService } from './forum.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('forum')
@Controller()
export class ForumController {
  constructor(private readonly forums: ForumService) {}

  @Get('unions')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Trade unions (reference data)' })
  @ApiOkResponse({ type: [UnionResponse] })
  async unions(): Promise<UnionResponse[]> {
    return (await this.forums.listUnions()).map(UnionResponse.from);
  }

  @Post('unions')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Add a trade union' })
  @ApiCreatedResponse({ type: UnionResponse })
  @ApiConflictResponse({ type: ErrorResponse })
  async createUnion(@Body() dto: CreateUnionDto): Promise<UnionResponse> {
    return UnionResponse.from(await this.forums.createUnion(dto));
  }

  @Get('forums')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'The joint trade union forums of the programmes you can see' })
  @ApiOkResponse({ type: [ForumResponse] })
  async list(@CurrentUser() user: AuthUser, @Query() q: ListForumsQuery): Promise<ForumResponse[]> {
    return Promise.all((await this.forums.list(user, q)).map((f) => this.response(f)));
  }

  @Post('forums')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Set up the joint trade union forum of a programme (one per programme)' })
  @ApiCreatedResponse({ type: ForumResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The programme already has its forum' })
  async create(@Body() dto: CreateForumDto): Promise<ForumResponse> {
    return this.response(await this.forums.create(dto));
  }

  @Get('forums/:id')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'A forum and the unions recognised at it' })
  @ApiOkResponse({ type: ForumResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async get(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<ForumResponse> {
    return this.response(await this.forums.get(user, id));
  }

  @Patch('forums/:id')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Change the title or terms of reference (send the version you read)' })
  @ApiOkResponse({ type: ForumResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version; the body carries currentVersion' })
  async update(@Param('id', uuid) id: string, @Body() dto: UpdateForumDto): Promise<ForumResponse> {
    return this.response(await this.forums.update(id, dto));
  }

  @Put('forums/:id/unions/:unionId')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Recognise a union at the forum' })
  @ApiOkResponse({ type: ForumResponse })
  async addUnion(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Param('unionId', uuid) unionId: string): Promise<ForumResponse> {
    await this.forums.addUnion(id, unionId);
    return this.response(await this.forums.get(user, id));
  }

  @Delete('forums/:id/unions/:unionId')
  @Roles(...MANAGE_ROLES)
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a union from the forum (only while it has no members or representations there)' })
  @ApiNoContentResponse()
  async removeUnion(@Param('id', uuid) id: string, @Param('unionId', uuid) unionId: string): Promise<void> {
    await this.forums.removeUnion(id, unionId);
  }

  @Get('forums/:id/members')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Members of the forum (tu_reps see seats, sides and unions, no names or emails)' })
  @ApiOkResponse({ type: [ForumMemberResponse] })
  async members(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<ForumMemberResponse[]> {
    const forum = await this.forums.get(user, id);
    const members = await this.forums.members(forum.id);
    const names = await this.forums.unionNames(members.flatMap((m) => (m.unionId ? [m.unionId] : [])));
    return members.map((m) => ForumMemberResponse.from(m, m.unionId ? (names.get(m.unionId) ?? null) : null, user));
  }

  @Post('forums/:id/members')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Add a member: a union rep (with their union) or the management side, with contact email' })
  @ApiCreatedResponse({ type: ForumMemberResponse })
  async addMember(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: CreateForumMemberDto): Promise<ForumMemberResponse> {
    return this.memberResponse(await this.forums.addMember(id, dto), user);
  }

  @Patch('forum-members/:id')
  @Roles(...MANAGE_ROLES)
  @ApiOperation({ summary: 'Change a member, or record that they left (leftOn)' })
  @ApiOkResponse({ type: ForumMemberResponse })
  async updateMember(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string, @Body() dto: UpdateForumMemberDto): Promise<ForumMemberResponse> {
    return this.memberResponse(await this.forums.updateMember(id, dto), user);
  }

  private async response(f: Forum): Promise<ForumResponse> {
    return ForumResponse.from(f, await this.forums.unionsOf(f.id));
  }

  private async memberResponse(m: Parameters<typeof ForumMemberResponse.from>[0], user: AuthUser): Promise<ForumMemberResponse> {
    const names = await this.forums.unionNames(m.unionId ? [m.unionId] : []);
    return ForumMemberResponse.from(m, m.unionId ? (names.get(m.unionId) ?? null) : null, user);
  }
}

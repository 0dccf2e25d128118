import { Body, Controller, Delete, Get, Headers, HttpCode, Patch, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { ErrorResponse } from '../common/errors/api-error';
import { VersionQuery } from './dto/common.dto';
import { SheetFormatQuery } from './dto/matrix.dto';
import { CreatePostDto, ListPostsQuery, PostPage, PostResponse, ScopeHistoryResponse, UpdatePostDto } from './dto/post.dto';
import { CreateScopeProposalDto, ScopeProposalResponse } from './dto/scope-proposal.dto';
import { MIME } from './establishment.constants';
import { PostsExportService } from './posts-export.service';
import { PostsService } from './posts.service';
import { ScopeProposalsService } from './scope-proposals.service';
import { negotiateFormat } from './spreadsheet';
import { UuidParam } from '../common/http/uuid-param';

@ApiTags('establishment: posts')
@Controller('posts')
export class PostsController {
  constructor(
    private readonly posts: PostsService,
    private readonly proposals: ScopeProposalsService,
    private readonly exporter: PostsExportService,
  ) {}

  @Get()
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({
    summary: 'Posts, filtered, in (reference, id) order, one page at a time (managers: their areas)',
    description: 'Keyset pagination: pass the nextCursor of a page as ?cursor= for the next. Without ?status, deleted posts are left out.',
  })
  @ApiOkResponse({ type: PostPage })
  list(@CurrentUser() user: AuthUser, @Query() q: ListPostsQuery): Promise<PostPage> {
    return this.posts.list(user, q);
  }

  @Get('import-template')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'The posts spreadsheet template: the documented header (XLSX: with a guide to each column)' })
  @ApiProduces(MIME.csv, MIME.xlsx)
  template(@Query() q: SheetFormatQuery, @Headers('accept') accept?: string): Promise<StreamableFile> {
    return this.exporter.template(negotiateFormat(q.format, accept, ['csv', 'xlsx']) as 'csv' | 'xlsx');
  }

  @Get(':id')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOkResponse({ type: PostResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<PostResponse> {
    return this.posts.get(user, id);
  }

  @Post()
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: "Add a post; its scope defaults to the thematic area's" })
  @ApiCreatedResponse({ type: PostResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Reference already used in the organisation' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreatePostDto): Promise<PostResponse> {
    return this.posts.create(user, dto);
  }

  @Patch(':id')
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Change a post; scope with scopeReason is a scope decision (kept in history); a stale version gets 409' })
  @ApiOkResponse({ type: PostResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Stale version: currentVersion is given' })
  update(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: UpdatePostDto): Promise<PostResponse> {
    return this.posts.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'Remove a post entered by mistake (?version=); a post with holders is set to deleted instead' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ErrorResponse })
  async remove(@UuidParam('id') id: string, @Query() q: VersionQuery): Promise<void> {
    await this.posts.remove(id, q.version);
  }

  @Get(':id/scope-history')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOperation({ summary: 'Every scope decision on the post, oldest first' })
  @ApiOkResponse({ type: [ScopeHistoryResponse] })
  scopeHistory(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ScopeHistoryResponse[]> {
    return this.posts.scopeHistory(user, id);
  }

  @Get(':id/scope-proposals')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  @ApiOkResponse({ type: [ScopeProposalResponse] })
  async listProposals(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<ScopeProposalResponse[]> {
    await this.posts.get(user, id); // 404 outside the caller's areas
    return this.proposals.list(user, { postId: id });
  }

  @Post(':id/scope-proposals')
  @Roles(Role.Manager)
  @ApiOperation({ summary: 'Propose or challenge the scope of a post in your areas; an HR officer or admin decides' })
  @ApiCreatedResponse({ type: ScopeProposalResponse })
  @ApiConflictResponse({ type: ErrorResponse, description: 'You already have an open proposal on this post' })
  propose(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: CreateScopeProposalDto): Promise<ScopeProposalResponse> {
    return this.proposals.create(user, id, dto);
  }
}

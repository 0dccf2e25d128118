import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { ALL_ROLES, Role } from '../../common/access/role.enum';
import { PipelineService } from '../../cases/pipeline.service';
import { Scope, ScopeProposalStatus } from '../../establishment/establishment.constants';
import { PostsService } from '../../establishment/posts.service';
import { ProgrammesService } from '../../establishment/programmes.service';
import { ScopeProposalsService } from '../../establishment/scope-proposals.service';
import { renderPage, viewAsOf } from '../../web/page-context';

const LIST = 5;

/** The home page: for each role, what needs their attention now (as at the session's date). */
@ApiExcludeController()
@Controller()
export class HomePage {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly posts: PostsService,
    private readonly proposals: ScopeProposalsService,
    private readonly pipeline: PipelineService,
  ) {}

  @Get()
  @Roles(...ALL_ROLES)
  async home(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const asOf = viewAsOf(req);
    const programmes = await this.programmes.list(user);
    const model: Record<string, unknown> = { pageTitle: 'Home', programmes: programmes.map((p) => ({ id: p.id, name: p.name, goLiveDate: p.goLiveDate })) };

    if (user.role === Role.Manager) {
      const [awaiting, open] = await Promise.all([
        this.posts.list(user, { scope: Scope.UnderReview, limit: LIST }),
        this.proposals.list(user, { status: ScopeProposalStatus.Open }),
      ]);
      model.awaitingDecision = awaiting.items.map((p) => ({ id: p.id, reference: p.reference, title: p.title, area: p.thematicArea.name, grade: p.grade.code }));
      model.awaitingMore = awaiting.nextCursor !== null;
      model.openProposals = open.filter((p) => p.proposedBy.id === user.id).slice(0, LIST);
      model.openProposalCount = open.filter((p) => p.proposedBy.id === user.id).length;
    }
    if (user.role === Role.HrOfficer || user.role === Role.Admin) {
      const open = await this.proposals.list(user, { status: ScopeProposalStatus.Open });
      model.toDecide = open.slice(0, LIST);
      model.toDecideCount = open.length;
      const pipelines = await Promise.all(programmes.map((p) => this.pipeline.pipeline(user, p.id, asOf)));
      const overdue = pipelines.flatMap((pl) => pl.overdueDeadlines.map((d) => ({ ...d, programmeId: pl.programmeId })));
      overdue.sort((a, b) => (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0));
      model.overdue = overdue.slice(0, LIST);
      model.overdueCount = overdue.length;
      model.upcoming = pipelines.flatMap((pl) => pl.upcomingEffective).slice(0, LIST);
    }
    await renderPage(req, reply, 'home/views/home.njk', model);
  }
}

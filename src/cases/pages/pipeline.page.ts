import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { ALL_ROLES, Role } from '../../common/access/role.enum';
import { ProgrammesService } from '../../establishment/programmes.service';
import { UuidParam } from '../../common/http/uuid-param';
import { renderPage, viewAsOf } from '../../web/page-context';
import { CASE_ROUTES, CASE_STATES } from '../case-state';
import { PipelineService } from '../pipeline.service';
import { LABELS } from '../case-labels';
import { oneOf, QueryValues } from './page-helpers';

/**
 * A programme's pipeline: cases and FTE by route x state, the effective dates coming up, the
 * deadlines overdue, as at the session's date; a CSV download (the API's export). Trade union
 * reps see counts only with "<5" and no case (the service gives them nothing more).
 */
@ApiExcludeController()
@Controller()
export class PipelinePage {
  constructor(
    private readonly pipelines: PipelineService,
    private readonly programmes: ProgrammesService,
  ) {}

  @Get('pipeline')
  @Roles(...ALL_ROLES)
  async pick(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const programmes = await this.programmes.list(user);
    if (programmes.length === 1) return reply.redirect(`/programmes/${programmes[0].id}/pipeline`, 303);
    await renderPage(req, reply, 'cases/views/choose-programme.njk', {
      pageTitle: 'Pipeline',
      heading: 'Choose a programme',
      programmes: programmes.map((p) => ({ name: p.name, goLiveDate: p.goLiveDate, href: `/programmes/${p.id}/pipeline` })),
    });
  }

  @Get('programmes/:id/pipeline')
  @Roles(...ALL_ROLES)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') programmeId: string, @Query() q: QueryValues): Promise<void> {
    const asOf = viewAsOf(req);
    const programme = await this.programmes.get(user, programmeId);
    const p = await this.pipelines.pipeline(user, programmeId, asOf);
    if (oneOf(q, 'format') === 'csv') {
      await reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="pipeline-${programmeId}-${p.asOf}.csv"`)
        .send(this.pipelines.toCsv(p));
      return;
    }
    const routes = CASE_ROUTES.filter((r) => p.cells.some((c) => c.route === r));
    const states = CASE_STATES.filter((s) => p.cells.some((c) => c.state === s));
    const cell = (r: string, s: string) => p.cells.find((c) => c.route === r && c.state === s);
    const table = routes.map((r) => ({
      route: r,
      cells: states.map((s) => {
        const c = cell(r, s);
        return c ? { cases: c.cases, fte: c.fte, suppressed: c.suppressed ?? null } : { cases: 0, fte: 0, suppressed: null };
      }),
      total: p.countsOnly ? null : { cases: p.cells.filter((c) => c.route === r).reduce((n, c) => n + Number(c.cases), 0), fte: p.cells.filter((c) => c.route === r).reduce((n, c) => n + (c.fte ?? 0), 0) },
    }));
    const columnTotals = p.countsOnly
      ? null
      : states.map((s) => ({ cases: p.cells.filter((c) => c.state === s).reduce((n, c) => n + Number(c.cases), 0), fte: p.cells.filter((c) => c.state === s).reduce((n, c) => n + (c.fte ?? 0), 0) }));
    await renderPage(req, reply, 'cases/views/pipeline.njk', {
      pageTitle: `Pipeline – ${programme.name}`,
      programme: { id: programme.id, name: programme.name },
      p,
      states,
      table,
      columnTotals,
      labels: LABELS,
      csvHref: `/programmes/${programmeId}/pipeline?format=csv`,
      casesHref: user.role === Role.TuRep ? null : `/programmes/${programmeId}/cases`,
    });
  }
}

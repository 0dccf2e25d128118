import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { ALL_ROLES } from '../../common/access/role.enum';
import { ApiException } from '../../common/errors/api-error';
import { redirectTo, renderPage } from '../../web/page-context';
import { EstablishmentMatrixResponse, MatrixCell } from '../dto/matrix.dto';
import { MIME, Scope } from '../establishment.constants';
import { MatrixService } from '../matrix.service';
import { OrganisationsService } from '../organisations.service';
import { ProgrammesService } from '../programmes.service';
import { slug, toCsv, toXlsx } from '../spreadsheet';
import { UuidParam } from '../../common/http/uuid-param';

const SCOPE_TAGS: Record<Scope, { text: string; classes: string }> = {
  [Scope.InScope]: { text: 'In scope', classes: 'govuk-tag--green' },
  [Scope.OutOfScope]: { text: 'Out of scope', classes: 'govuk-tag--grey' },
  [Scope.UnderReview]: { text: 'Under review', classes: 'govuk-tag--yellow' },
  [Scope.LaterPhase]: { text: 'Later phase', classes: 'govuk-tag--blue' },
};

const SUBTOTAL_ROWS: { key: keyof EstablishmentMatrixResponse['subtotals']; scope: Scope }[] = [
  { key: 'inScope', scope: Scope.InScope },
  { key: 'outOfScope', scope: Scope.OutOfScope },
  { key: 'underReview', scope: Scope.UnderReview },
  { key: 'laterPhase', scope: Scope.LaterPhase },
];

/** A cell as the page shows it: posts, and FTE beneath (a hidden count as "<5", a withheld one as a dash). */
const cellView = (c: MatrixCell) => ({ posts: c.posts, fte: c.fte, empty: c.posts === 0 });

/** The view model of the matrix page: built from the caller's matrix response (a rep's has its small counts hidden). */
export function matrixView(m: EstablishmentMatrixResponse) {
  return {
    programmeId: m.programmeId,
    programmeName: m.programmeName,
    countsSuppressed: m.countsSuppressed,
    columns: m.columns.map((c) => c.key),
    rows: m.rows.map((r) => ({
      id: r.thematicAreaId,
      name: r.thematicAreaName,
      scopeTag: SCOPE_TAGS[r.defaultScope],
      cells: m.columns.map((c) => cellView(r.cells[c.key])),
      total: cellView(r.total),
    })),
    totals: { cells: m.columns.map((c) => cellView(m.totals.cells[c.key])), total: cellView(m.totals.total) },
    // Subtotals by scope; under review and later phase only when there are any (a rep sees every line).
    subtotals: SUBTOTAL_ROWS.filter(({ key }) => m.countsSuppressed || m.subtotals[key].total.posts !== 0).map(({ key, scope }) => ({
      label: SCOPE_TAGS[scope].text,
      cells: m.columns.map((c) => cellView(m.subtotals[key].cells[c.key])),
      total: cellView(m.subtotals[key].total),
    })),
  };
}

/** The programme's grade × thematic-area matrix, programmes and organisations. */
@ApiExcludeController()
@Controller()
export class MatrixPages {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly matrix: MatrixService,
    private readonly organisations: OrganisationsService,
  ) {}

  /** "Establishment" in the navigation: the caller's programme (the list, when they have several). */
  @Get('establishment')
  @Roles(...ALL_ROLES)
  async establishment(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const list = await this.programmes.list(user);
    await redirectTo(req, reply, list.length === 1 ? `/programmes/${list[0].id}/establishment` : '/programmes');
  }

  @Get('programmes')
  @Roles(...ALL_ROLES)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const programmes = await this.programmes.list(user);
    await renderPage(req, reply, 'establishment/views/programmes.njk', { pageTitle: 'Programmes', programmes });
  }

  @Get('programmes/:id')
  @Roles(...ALL_ROLES)
  async programme(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const programme = await this.programmes.get(user, id);
    const orgs = await this.organisations.list();
    const byId = new Map(orgs.map((o) => [o.id, o]));
    // Where each source organisation goes: its successor (3 CCGs → 1), else the programme's destination.
    const sources = programme.sourceOrganisations.map((o) => {
      const successor = byId.get(byId.get(o.id)?.successorId ?? '');
      return { ...o, successor: successor ? { id: successor.id, name: successor.name } : null };
    });
    await renderPage(req, reply, 'establishment/views/programme.njk', { pageTitle: programme.name, programme, sources });
  }

  @Get('organisations/:id')
  @Roles(...ALL_ROLES)
  async organisation(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @UuidParam('id') id: string): Promise<void> {
    const org = await this.organisations.get(id);
    const all = await this.organisations.list();
    const successor = all.find((o) => o.id === org.successorId) ?? null;
    const predecessors = all.filter((o) => o.successorId === org.id).sort((a, b) => a.name.localeCompare(b.name));
    await renderPage(req, reply, 'establishment/views/organisation.njk', {
      pageTitle: org.name,
      org: { id: org.id, name: org.name, shortName: org.shortName, kind: org.kind, status: org.status },
      successor: successor && { id: successor.id, name: successor.name, status: successor.status },
      predecessors: predecessors.map((o) => ({ id: o.id, name: o.name, status: o.status })),
    });
  }

  @Get('programmes/:id/establishment')
  @Roles(...ALL_ROLES)
  async matrixPage(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const m = await this.matrix.build(user, id);
    await renderPage(req, reply, 'establishment/views/matrix.njk', { pageTitle: `Establishment: ${m.programmeName}`, matrix: matrixView(m) });
  }

  /** The matrix as a download, with the page's session (the same figures the page shows the caller). */
  @Get('programmes/:id/establishment/download')
  @Roles(...ALL_ROLES)
  async download(@Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Query('format') format?: string): Promise<void> {
    if (format !== 'csv' && format !== 'xlsx') throw ApiException.validation([{ field: 'format', reason: 'must be one of: csv, xlsx' }]);
    const m = await this.matrix.build(user, id);
    const filename = `establishment-${slug(m.programmeName)}.${format}`;
    const body = format === 'csv' ? toCsv(this.matrix.toRows(m)) : await toXlsx([this.matrix.toXlsxSheet(m)]);
    await reply
      .header('content-type', format === 'csv' ? `${MIME.csv}; charset=utf-8` : MIME.xlsx)
      .header('content-disposition', `attachment; filename="${filename}"`)
      .send(body);
  }
}

import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ProgrammesService } from '../../establishment/programmes.service';
import { UuidParam } from '../../common/http/uuid-param';
import { renderPage, viewAsOf } from '../../web/page-context';
import { isStaff } from '../case-access';
import { DeadlineStatus } from '../case-rules';
import { CaseSearch, CaseSearchService } from '../case-search.service';
import { CASE_ROUTES, CASE_STATES } from '../case-state';
import { CaseResponse } from '../dto/case.dto';
import { DEADLINE_STATUS_LABELS, LABELS, ROUTE_LABELS, STATE_LABELS } from '../case-labels';
import { enumValues, isUuid, listOf, oneOf, queryString, QueryValues } from './page-helpers';

const PAGE_SIZE = 25;
const DEADLINE_STATUSES = Object.values(DeadlineStatus);
const STATUS_ORDER: DeadlineStatus[] = [DeadlineStatus.Overdue, DeadlineStatus.Due, DeadlineStatus.Upcoming, DeadlineStatus.Done];

/** The filters of the cases list, read from its query string (unknown values are ignored). */
export function readCaseSearch(q: QueryValues): CaseSearch {
  const text = oneOf(q, 'text');
  return {
    state: enumValues(listOf(q, 'state'), CASE_STATES),
    route: enumValues(listOf(q, 'route'), CASE_ROUTES),
    thematicAreaId: listOf(q, 'area').filter(isUuid),
    destinationOrganisationId: listOf(q, 'destination').filter(isUuid),
    deadline: enumValues(listOf(q, 'deadline'), DEADLINE_STATUSES),
    text: text ? text.slice(0, 100) : undefined,
  };
}

/** The same filters as query values (the names the list's form uses). */
export function searchQuery(s: CaseSearch): Record<string, string | string[] | undefined> {
  return { state: s.state, route: s.route, area: s.thematicAreaId, destination: s.destinationOrganisationId, deadline: s.deadline, text: s.text };
}

/** The deadline a list row shows: the most pressing one not yet done (else the last one done). */
function headlineDeadline(c: CaseResponse) {
  const sorted = [...c.deadlines].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.dueOn.localeCompare(b.dueOn));
  return sorted[0] ?? null;
}

/**
 * The cases list for HR officers and managers: the MoJ filter layout (a GET form, so it works
 * without JavaScript), counts by state as sub-navigation, keyset pagination in the query string,
 * and, for HR, checkboxes to choose cases for a bulk change.
 */
@ApiExcludeController()
@Controller()
export class CasesListPage {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly search: CaseSearchService,
  ) {}

  @Get('cases')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  async pick(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const programmes = await this.programmes.list(user);
    if (programmes.length === 1) return reply.redirect(`/programmes/${programmes[0].id}/cases`, 303);
    await renderPage(req, reply, 'cases/views/choose-programme.njk', {
      pageTitle: 'Cases',
      heading: 'Choose a programme',
      programmes: programmes.map((p) => ({ name: p.name, goLiveDate: p.goLiveDate, href: `/programmes/${p.id}/cases` })),
    });
  }

  @Get('programmes/:id/cases')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  async list(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentUser() user: AuthUser,
    @UuidParam('id') programmeId: string,
    @Query() q: QueryValues,
  ): Promise<void> {
    const asOf = viewAsOf(req);
    const programme = await this.programmes.get(user, programmeId);
    const filter = readCaseSearch(q);
    const after = oneOf(q, 'after');
    const before = oneOf(q, 'before');
    const [page, options] = await Promise.all([
      this.search.search(user, programmeId, filter, asOf, { after, before, limit: PAGE_SIZE }),
      this.search.filterOptions(user, programmeId),
    ]);
    const base = `/programmes/${programmeId}/cases`;
    const current = searchQuery(filter);
    const href = (values: Record<string, string | string[] | undefined>) => `${base}${queryString(values)}`;

    // Sub-navigation: all states, then each state with its count (the other filters kept).
    const subNavigation = [
      { text: `All (${CASE_STATES.reduce((n, s) => n + page.countsByState[s], 0)})`, href: href({ ...current, state: undefined }), active: !filter.state?.length },
      ...CASE_STATES.map((s) => ({
        text: `${STATE_LABELS[s]} (${page.countsByState[s]})`,
        href: href({ ...current, state: [s] }),
        active: filter.state?.length === 1 && filter.state[0] === s,
      })),
    ];

    // Selected filters as tags, each a link that removes it.
    const without = (key: string, value: string) => {
      const v = current[key];
      return href({ ...current, [key]: Array.isArray(v) ? v.filter((x) => x !== value) : undefined });
    };
    const areaName = new Map(options.areas.map((a) => [a.id, a.name]));
    const orgName = new Map(options.destinations.map((o) => [o.id, o.name]));
    const categories = [
      { heading: { text: 'State' }, items: (filter.state ?? []).map((s) => ({ text: STATE_LABELS[s], href: without('state', s) })) },
      { heading: { text: 'Route' }, items: (filter.route ?? []).map((r) => ({ text: ROUTE_LABELS[r], href: without('route', r) })) },
      { heading: { text: 'Thematic area' }, items: (filter.thematicAreaId ?? []).map((a) => ({ text: areaName.get(a) ?? 'Unknown area', href: without('area', a) })) },
      { heading: { text: 'Destination' }, items: (filter.destinationOrganisationId ?? []).map((o) => ({ text: orgName.get(o) ?? 'Unknown organisation', href: without('destination', o) })) },
      { heading: { text: 'Deadline status' }, items: (filter.deadline ?? []).map((d) => ({ text: DEADLINE_STATUS_LABELS[d], href: without('deadline', d) })) },
      { heading: { text: 'Search' }, items: filter.text ? [{ text: filter.text, href: without('text', filter.text) }] : [] },
    ].filter((c) => c.items.length);

    const checked = (list: string[] | undefined, v: string) => Boolean(list?.includes(v));
    const rows = page.items.map((c) => {
      const d = headlineDeadline(c);
      return {
        id: c.id,
        href: `/cases/${c.id}`,
        postReference: c.post.reference,
        postTitle: c.post.title,
        person: `${c.employee.firstName} ${c.employee.lastName}`,
        area: c.post.thematicAreaName,
        route: c.route,
        state: c.state,
        effectiveDate: c.actualEffectiveDate ?? c.proposedEffectiveDate,
        destination: c.transfer.destinationOrganisationName ?? c.secondment.hostOrganisationName,
        deadline: d ? { kind: d.kind, status: d.status, dueOn: d.dueOn } : null,
      };
    });

    await renderPage(req, reply, 'cases/views/list.njk', {
      pageTitle: `Cases – ${programme.name}`,
      programme: { id: programme.id, name: programme.name },
      labels: LABELS,
      rows,
      total: page.total,
      subNavigation,
      selectedFilters: categories.length ? { heading: { text: 'Selected filters' }, clearLink: { text: 'Clear filters', href: base }, categories } : null,
      filterOptions: {
        state: CASE_STATES.map((s) => ({ value: s, text: STATE_LABELS[s], checked: checked(filter.state, s) })),
        route: CASE_ROUTES.map((r) => ({ value: r, text: ROUTE_LABELS[r], checked: checked(filter.route, r) })),
        area: options.areas.map((a) => ({ value: a.id, text: a.name, checked: checked(filter.thematicAreaId, a.id) })),
        destination: options.destinations.map((o) => ({ value: o.id, text: o.name, checked: checked(filter.destinationOrganisationId, o.id) })),
        deadline: DEADLINE_STATUSES.map((d) => ({ value: d, text: DEADLINE_STATUS_LABELS[d], checked: checked(filter.deadline, d) })),
      },
      text: filter.text ?? '',
      hiddenFilters: Object.entries(current).flatMap(([name, v]) => (Array.isArray(v) ? v : v ? [v] : []).map((value) => ({ name, value }))),
      pagination: {
        previous: page.previous ? { href: href({ ...current, before: page.previous }) } : undefined,
        next: page.next ? { href: href({ ...current, after: page.next }) } : undefined,
      },
      firstPageHref: after || before ? href(current) : null,
      canBulk: isStaff(user),
      pipelineHref: `/programmes/${programmeId}/pipeline`,
    });
  }
}

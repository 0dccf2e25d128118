import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ProgrammesService } from '../../establishment/programmes.service';
import { UuidParam } from '../../common/http/uuid-param';
import { AssignmentsService } from '../../people/assignments.service';
import { EmployeeResponse } from '../../people/dto/employee.dto';
import { EmployeesService } from '../../people/employees.service';
import { renderPage, viewAsOf } from '../../web/page-context';
import { CaseSearchService } from '../case-search.service';
import { LABELS, ROUTE_LABELS, STATE_LABELS } from '../case-labels';

interface Event {
  /** YYYY-MM-DD or an ISO timestamp: what the timeline sorts and shows. */
  at: string;
  dateOnly: boolean;
  label: string;
  text: string | null;
  byline: string | null;
  href: string | null;
}

/**
 * A person's page: who they are, their assignments to posts over time, and every move (each
 * assignment starting or ending, each case and each of its state changes) in one timeline. HR
 * officers and admins only, as the API's employee routes.
 */
@ApiExcludeController()
@Controller()
export class PersonPage {
  constructor(
    private readonly employees: EmployeesService,
    private readonly assignments: AssignmentsService,
    private readonly search: CaseSearchService,
    private readonly programmes: ProgrammesService,
  ) {}

  @Get('people/:id')
  @Roles(Role.Admin, Role.HrOfficer)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const asOf = viewAsOf(req);
    const person = EmployeeResponse.from(await this.employees.get(id));
    const [assignments, cases, organisations, programmes] = await Promise.all([
      this.assignments.list(id),
      this.search.forEmployee(user, id, asOf),
      this.search.organisations(),
      this.programmes.list(user),
    ]);
    const orgName = new Map(organisations.map((o) => [o.id, o.name]));
    const programmeName = new Map(programmes.map((p) => [p.id, p.name]));

    const events: Event[] = [];
    for (const a of assignments) {
      const where = `${a.postReference}, ${a.postTitle} (${orgName.get(a.organisationId) ?? 'unknown organisation'}), ${a.fte} FTE`;
      events.push({ at: a.startsOn, dateOnly: true, label: 'Started in a post', text: where, byline: null, href: null });
      if (a.endsOn) events.push({ at: a.endsOn, dateOnly: true, label: 'Left a post (last day)', text: where, byline: null, href: null });
    }
    for (const { case: c, transitions } of cases) {
      const caseHref = `/cases/${c.id}`;
      for (const t of transitions) {
        events.push({
          at: t.occurredAt,
          dateOnly: false,
          label: t.fromState ? `Case ${c.post.reference}: ${STATE_LABELS[t.fromState]} to ${STATE_LABELS[t.toState]}` : `Case ${c.post.reference} opened (${ROUTE_LABELS[c.route]})`,
          text: t.note ?? null,
          byline: t.actorLabel,
          href: caseHref,
        });
      }
      if (c.actualEffectiveDate) {
        const to = c.transfer.destinationOrganisationName ?? c.secondment.hostOrganisationName;
        events.push({ at: c.actualEffectiveDate, dateOnly: true, label: `${ROUTE_LABELS[c.route]} took effect${to ? `: to ${to}` : ''}`, text: null, byline: null, href: caseHref });
      }
    }
    // Newest first; a day's date-only events sort after the timestamps of that day.
    const key = (e: Event) => (e.dateOnly ? `${e.at}T23:59:59.999Z` : e.at);
    events.sort((a, b) => key(b).localeCompare(key(a)));

    await renderPage(req, reply, 'cases/views/person.njk', {
      pageTitle: `${person.firstName} ${person.lastName}`,
      person,
      employer: person.employerOrganisationId ? (orgName.get(person.employerOrganisationId) ?? null) : null,
      assignments: assignments.map((a) => ({ ...a, organisation: orgName.get(a.organisationId) ?? '', current: !a.endsOn || a.endsOn >= asOf })),
      cases: cases.map(({ case: c }) => ({
        id: c.id,
        programme: programmeName.get(c.programmeId) ?? '',
        postReference: c.post.reference,
        route: c.route,
        state: c.state,
        effectiveDate: c.actualEffectiveDate ?? c.proposedEffectiveDate,
        destination: c.transfer.destinationOrganisationName ?? c.secondment.hostOrganisationName,
      })),
      events,
      labels: LABELS,
    });
  }
}

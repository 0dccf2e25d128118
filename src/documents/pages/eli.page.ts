import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { todayInLondon } from '../../common/dates';
import { UuidParam } from '../../common/http/uuid-param';
import { partsOf, readDate } from '../../web/page-forms';
import { ProgrammesService } from '../../establishment/programmes.service';
import { fieldError, formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { EliBuildResponse } from '../eli/dto/eli.dto';
import { RecordEliReleaseDto, RequestEliBuildDto } from '../eli/dto/eli.dto';
import { EliService } from '../eli/eli.service';

export const ELI_KIND_LABELS: Record<string, string> = {
  draft: 'Draft (anonymised: staff references and age bands, no names)',
  final: 'Final (named)',
};

const RELEASE_LABELS = { recipientName: 'Recipient’s name', recipientEmail: 'Recipient’s email address', releasedOn: 'The date', buildId: 'The schedule' };

/**
 * A programme's ELI schedule (issue 15): its releases (version, kind, date, recipient, SHA-256),
 * building a draft or final (the worker makes the XLSX; the page says "being made" with a "Check
 * again" link, no JavaScript needed), recording a build's release, downloads. HR officers and
 * admins only, as the API.
 */
@ApiExcludeController()
@Controller()
@Roles(Role.Admin, Role.HrOfficer)
export class EliPage {
  constructor(
    private readonly eli: EliService,
    private readonly programmes: ProgrammesService,
  ) {}

  @Get('eli')
  async pick(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const programmes = await this.programmes.list(user);
    if (programmes.length === 1) return reply.redirect(`/programmes/${programmes[0].id}/eli`, 303);
    await renderPage(req, reply, 'cases/views/choose-programme.njk', {
      pageTitle: 'Employee liability information',
      heading: 'Choose a programme',
      programmes: programmes.map((p) => ({ name: p.name, goLiveDate: p.goLiveDate, href: `/programmes/${p.id}/eli` })),
    });
  }

  @Get('programmes/:id/eli')
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderOverview(req, reply, user, id);
  }

  private async renderOverview(req: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, extra: { errors?: FormErrors; values?: Record<string, unknown> } = {}): Promise<void> {
    const overview = await this.eli.overview(user, id);
    for (const b of overview.builds) await this.eli.ensureQueued(b);
    const programme = (await this.programmes.list(user)).find((p) => p.id === id);
    await renderPage(
      req,
      reply,
      'documents/views/eli.njk',
      {
        pageTitle: 'Employee liability information',
        programmeId: id,
        programmeName: programme?.name ?? '',
        releases: overview.releases,
        builds: overview.builds,
        pending: overview.builds.some((b) => b.status === 'queued'),
        // A link that differs from this page's address only by its #fragment only scrolls (the
        // browser does not load the page again), so "Check again" carries a query of its own.
        checkAgainHref: `/programmes/${id}/eli?checked=${Date.now()}#builds`,
        kindLabels: ELI_KIND_LABELS,
        values: extra.values ?? {},
        errors: extra.errors,
      },
      extra.errors?.status ?? 200,
    );
  }

  @Post('programmes/:id/eli')
  async requestBuild(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    if (!fields.kind) return this.renderOverview(req, reply, user, id, { values: fields, errors: fieldError('kind', 'Select a draft or the final schedule') });
    const form = await readForm(RequestEliBuildDto, { kind: fields.kind }, { kind: 'The kind of schedule' });
    if (form.errors) return this.renderOverview(req, reply, user, id, { values: fields, errors: form.errors });
    try {
      await this.eli.requestBuild(user, id, form.value);
    } catch (err) {
      return this.renderOverview(req, reply, user, id, { values: fields, errors: formErrors(err, { kind: 'The kind of schedule', caseIds: 'The cases' }, { caseIds: 'kind' }) });
    }
    await redirectTo(req, reply, `/programmes/${id}/eli#builds`, { kind: 'success', text: `The ${form.value.kind} schedule is being made: check it, then record its release` });
  }

  @Get('programmes/:id/eli/builds/:buildId/download')
  async buildFile(@Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @UuidParam('buildId') buildId: string): Promise<void> {
    const f = await this.eli.buildFile(user, id, buildId);
    await reply.header('content-type', f.mediaType).header('content-disposition', `attachment; filename="${f.name}"`).send(f.bytes);
  }

  @Get('programmes/:id/eli/:releaseId/download')
  async releaseFile(@Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @UuidParam('releaseId') releaseId: string): Promise<void> {
    const f = await this.eli.releaseFile(user, id, releaseId);
    await reply.header('content-type', f.mediaType).header('content-disposition', `attachment; filename="${f.name}"`).send(f.bytes);
  }

  @Get('programmes/:id/eli/builds/:buildId/release')
  async releaseForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @UuidParam('buildId') buildId: string): Promise<void> {
    const b = await this.eli.build(user, id, buildId);
    if (b.releaseId) return redirectTo(req, reply, `/programmes/${id}/eli`, { kind: 'important', text: 'This schedule has been released already' });
    await this.renderRelease(req, reply, id, b, { values: { releasedOn: partsOf(todayInLondon()) } });
  }

  @Post('programmes/:id/eli/builds/:buildId/release')
  async release(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @UuidParam('buildId') buildId: string, @Body() body: unknown): Promise<void> {
    const b = await this.eli.build(user, id, buildId);
    const fields = formFields(body);
    const date = readDate(fields, 'releasedOn', 'the date of release', false);
    const values = { ...fields, releasedOn: date.parts };
    const again = (errors: FormErrors) => this.renderRelease(req, reply, id, b, { values, errors });
    if (date.error) return again(fieldError('releasedOn-day', date.error));
    const form = await readForm(
      RecordEliReleaseDto,
      { buildId, recipientName: fields.recipientName ?? '', ...(fields.recipientEmail ? { recipientEmail: fields.recipientEmail } : {}), ...(date.value ? { releasedOn: date.value } : {}) },
      RELEASE_LABELS,
    );
    if (form.errors) return again(fixDateLink(form.errors));
    let released;
    try {
      released = await this.eli.release(user, id, form.value);
    } catch (err) {
      return again(fixDateLink(formErrors(err, RELEASE_LABELS, { releasedOn: 'releasedOn-day', buildId: 'main-content' })));
    }
    await redirectTo(req, reply, `/programmes/${id}/eli`, {
      kind: 'success',
      text: `Version ${released.version} (${released.kind}) recorded as released to ${released.recipientName} on ${released.releasedOn}`,
    });
  }

  private async renderRelease(req: FastifyRequest, reply: FastifyReply, id: string, b: EliBuildResponse, extra: { values: Record<string, unknown>; errors?: FormErrors }): Promise<void> {
    await renderPage(
      req,
      reply,
      'documents/views/eli-release.njk',
      { pageTitle: 'Record the release of the ELI schedule', programmeId: id, b, kindLabels: ELI_KIND_LABELS, values: extra.values, errors: extra.errors },
      extra.errors?.status ?? 200,
    );
  }
}

/** The date's error links to its day field and shows on the date input. */
function fixDateLink(errors: FormErrors): FormErrors {
  if (!errors.fields.releasedOn) return errors;
  const fields = { ...errors.fields, 'releasedOn-day': errors.fields.releasedOn };
  return { ...errors, fields, errorList: errors.errorList.map((e) => (e.href === '#releasedOn' ? { ...e, href: '#releasedOn-day' } : e)) };
}

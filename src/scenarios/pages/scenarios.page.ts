import { Body, Controller, Get, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { ALL_ROLES, Role } from '../../common/access/role.enum';
import { ApiException } from '../../common/errors/api-error';
import { ProgrammesService } from '../../establishment/programmes.service';
import { Scope } from '../../establishment/establishment.constants';
import { UUID_RE } from '../../establishment/establishment-errors';
import { UuidParam } from '../../common/http/uuid-param';
import { fieldError, formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage, viewAsOf } from '../../web/page-context';
import { AddChangeDto, ChangeKind, CreateScenarioDto, ScenarioResponse, ScenarioStatusDto } from '../dto/scenario.dto';
import { ScenariosService } from '../scenarios.service';
import { STATUS_MOVES, StatusMove } from '../scenario-status';
import { MOVE_LABELS, ROUTE_LABELS, STATUS_COLOURS, STATUS_LABELS } from './labels';

const EDITORS = [Role.Admin, Role.HrOfficer, Role.Manager];
const STAFF = [Role.Admin, Role.HrOfficer];
const CREATE_LABELS = { name: 'Name', description: 'Description' };
const CHANGE_LABELS = {
  kind: 'What to do',
  postId: 'Post reference',
  reference: 'Post reference',
  title: 'Title',
  organisationId: 'Employing organisation',
  scope: 'Scope',
  thematicAreaId: 'Thematic area',
  gradeId: 'Grade',
  fte: 'FTE',
  destinationOrganisationId: 'Goes to',
  reason: 'Reason',
};
const KINDS: string[] = Object.values(ChangeKind);
/** Several fields wrong at once, written by the page itself (the error summary lists each). */
const fieldErrors = (list: [string, string][], status = 400): FormErrors => ({
  errorList: list.map(([field, text]) => ({ text, href: `#${field}` })),
  fields: Object.fromEntries(list.map(([field, text]) => [field, { text }])),
  stale: false,
  status,
});
const SCOPE_ITEMS = [
  { value: Scope.InScope, text: 'In scope' },
  { value: Scope.OutOfScope, text: 'Out of scope' },
  { value: Scope.UnderReview, text: 'Under review' },
  { value: Scope.LaterPhase, text: 'Later phase' },
];

type Tab = 'changes' | 'matrix' | 'people' | 'consequences';

/** Pages for scope scenarios: a programme's list, create, a scenario's four tabs, changes, status, compare, merge. */
@ApiExcludeController()
@Controller()
export class ScenarioPages {
  constructor(
    private readonly scenarios: ScenariosService,
    private readonly programmes: ProgrammesService,
  ) {}

  @Get('scenarios')
  @Roles(...ALL_ROLES)
  async choose(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const programmes = await this.programmes.list(user);
    if (programmes.length === 1) return redirectTo(req, reply, `/programmes/${programmes[0].id}/scenarios`);
    await renderPage(req, reply, 'scenarios/views/choose-programme.njk', {
      pageTitle: 'Scope scenarios',
      programmes: programmes.map((p) => ({ name: p.name, goLiveDate: p.goLiveDate, href: `/programmes/${p.id}/scenarios` })),
    });
  }

  @Get('programmes/:id/scenarios')
  @Roles(...ALL_ROLES)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') programmeId: string): Promise<void> {
    await this.renderList(req, reply, user, programmeId);
  }

  private async renderList(req: FastifyRequest, reply: FastifyReply, user: AuthUser, programmeId: string, errors?: FormErrors, selected: string[] = []): Promise<void> {
    const programme = await this.programmes.get(user, programmeId);
    const items = await this.scenarios.list(user, programmeId);
    await renderPage(
      req,
      reply,
      'scenarios/views/list.njk',
      { pageTitle: `Scope scenarios: ${programme.name}`, programme, items, labels: STATUS_LABELS, colours: STATUS_COLOURS, canCreate: user.role !== Role.TuRep, errors, selected },
      errors?.status ?? 200,
    );
  }

  @Get('programmes/:id/scenarios/new')
  @Roles(...EDITORS)
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') programmeId: string): Promise<void> {
    const programme = await this.programmes.get(user, programmeId);
    await renderPage(req, reply, 'scenarios/views/create.njk', { pageTitle: 'Create a scenario', programme, values: {} });
  }

  @Post('programmes/:id/scenarios')
  @Roles(...EDITORS)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') programmeId: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const programme = await this.programmes.get(user, programmeId);
    const again = (errors: FormErrors) => renderPage(req, reply, 'scenarios/views/create.njk', { pageTitle: 'Create a scenario', programme, values: fields, errors }, errors.status);
    if (!fields.name) return again(fieldError('name', 'Enter a name for the scenario'));
    const form = await readForm(CreateScenarioDto, fields, CREATE_LABELS);
    if (form.errors) return again(form.errors);
    let s: ScenarioResponse;
    try {
      s = await this.scenarios.create(user, programmeId, form.value);
    } catch (err) {
      return again(formErrors(err, CREATE_LABELS));
    }
    await redirectTo(req, reply, `/scenarios/${s.id}`, { kind: 'success', text: `Scenario "${s.name}" created: add its changes` });
  }

  @Get('scenarios/compare')
  @Roles(...ALL_ROLES)
  async compare(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Query() q: Record<string, unknown>): Promise<void> {
    const ids = [q?.ids ?? []].flat().filter((x): x is string => typeof x === 'string' && UUID_RE.test(x));
    const programmeId = typeof q?.programmeId === 'string' && UUID_RE.test(q.programmeId) ? q.programmeId : null;
    if (ids.length < 2 || ids.length > 3) {
      if (!programmeId) throw new ApiException(HttpStatus.BAD_REQUEST, 'Choose 2 or 3 scenarios', [{ field: 'ids', reason: 'must name 2 or 3 scenarios' }]);
      return this.renderList(req, reply, user, programmeId, fieldError('ids', 'Select 2 or 3 scenarios to compare'), ids);
    }
    const cmp = await this.scenarios.compare(user, ids, viewAsOf(req));
    await renderPage(req, reply, 'scenarios/views/compare.njk', { pageTitle: 'Compare scenarios', cmp, labels: STATUS_LABELS, colours: STATUS_COLOURS, routes: ROUTE_LABELS });
  }

  @Get('scenarios/:id')
  @Roles(...ALL_ROLES)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderTab(req, reply, user, id, 'changes');
  }

  @Get('scenarios/:id/matrix')
  @Roles(...ALL_ROLES)
  async matrix(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderTab(req, reply, user, id, 'matrix');
  }

  @Get('scenarios/:id/people')
  @Roles(...ALL_ROLES)
  async people(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderTab(req, reply, user, id, 'people');
  }

  @Get('scenarios/:id/consequences')
  @Roles(...ALL_ROLES)
  async consequences(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderTab(req, reply, user, id, 'consequences');
  }

  private async renderTab(req: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, tab: Tab, errors?: FormErrors): Promise<void> {
    const s = await this.scenarios.get(user, id);
    const asOf = viewAsOf(req);
    const model: Record<string, unknown> = {
      pageTitle: `${s.name}: ${{ changes: 'changes', matrix: 'matrix delta', people: 'people affected', consequences: 'consequences' }[tab]}`,
      s,
      tab,
      nav: (['changes', 'matrix', 'people', 'consequences'] as Tab[]).map((t) => ({
        text: { changes: 'Changes', matrix: 'Matrix delta', people: 'People affected', consequences: 'Consequences' }[t],
        href: t === 'changes' ? `/scenarios/${id}` : `/scenarios/${id}/${t}`,
        active: t === tab,
      })),
      labels: STATUS_LABELS,
      colours: STATUS_COLOURS,
      routes: ROUTE_LABELS,
      moves: s.actions.map((a) => ({ action: a, text: MOVE_LABELS[a as StatusMove], warning: a === 'discard' })),
      errors,
    };
    if (tab === 'matrix') model.m = await this.scenarios.matrix(user, id);
    if (tab === 'people') model.p = await this.scenarios.people(user, id, asOf);
    if (tab === 'consequences') model.c = await this.scenarios.consequences(user, id, asOf);
    await renderPage(req, reply, `scenarios/views/${tab}.njk`, model, errors?.status ?? 200);
  }

  @Get('scenarios/:id/changes/new')
  @Roles(...EDITORS)
  async changeForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderChangeForm(req, reply, user, id, { kind: ChangeKind.Change });
  }

  private async renderChangeForm(req: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, values: Record<string, unknown>, errors?: FormErrors): Promise<void> {
    const s = await this.scenarios.get(user, id);
    const [organisations, choices] = await Promise.all([this.scenarios.organisationChoices(), this.scenarios.changeChoices(user, id)]);
    const several = new Set(choices.grades.map((g) => g.organisationId)).size > 1;
    const none = (text: string) => ({ value: '', text });
    await renderPage(
      req,
      reply,
      'scenarios/views/change-form.njk',
      {
        pageTitle: 'Add a change',
        s,
        values,
        errors,
        kindItems: [
          { value: ChangeKind.Change, text: 'Change a post', hint: { text: 'Its scope, thematic area, grade, FTE or where it goes' } },
          { value: ChangeKind.Create, text: 'Add a new post', hint: { text: 'It starts vacant once the scenario is merged' } },
          { value: ChangeKind.Delete, text: 'Delete a post' },
        ].map((i) => ({ ...i, checked: (values.kind ?? ChangeKind.Change) === i.value })),
        scopeItems: SCOPE_ITEMS.map((i) => ({ ...i, checked: values.scope === i.value })),
        employerItems: [none('Not chosen'), ...choices.employers.map((o) => ({ value: o.id, text: o.name, selected: values.organisationId === o.id }))],
        areaItems: [none('No change'), ...choices.areas.map((a) => ({ value: a.id, text: a.name, selected: values.thematicAreaId === a.id }))],
        gradeItems: [none('No change'), ...choices.grades.map((g) => ({ value: g.id, text: several ? `${g.code} (${g.organisation})` : g.code, selected: values.gradeId === g.id }))],
        organisationItems: [none('No change'), ...organisations.map((o) => ({ value: o.id, text: o.name, selected: values.destinationOrganisationId === o.id }))],
      },
      errors?.status ?? 200,
    );
  }

  /**
   * Add a change: to a live post (found by its reference), a new post, or deleting a live post.
   * The page checks what it can say best itself (what is missing), then the API's DTO and service
   * check the rest (placement, a manager's areas, the reference being free) and name the field.
   */
  @Post('scenarios/:id/changes')
  @Roles(...EDITORS)
  async addChange(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const again = (errors: FormErrors) => this.renderChangeForm(req, reply, user, id, fields, errors);
    const kind = (fields.kind ?? ChangeKind.Change) as ChangeKind;
    if (!KINDS.includes(kind)) return again(fieldError('kind', 'Choose whether to change a post, add a new post or delete a post'));
    const text = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string) : undefined);
    const missing: [string, string][] = [];
    if (!text('reference')) missing.push(['reference', kind === ChangeKind.Create ? 'Enter a reference for the new post' : 'Enter the reference of the post']);
    const fte = text('fte') !== undefined ? Number(text('fte')) : undefined;
    if (text('fte') !== undefined && !Number.isFinite(fte)) missing.push(['fte', 'FTE must be a number, like 0.8']);
    if (kind === ChangeKind.Create) {
      if (!text('title')) missing.push(['title', 'Enter the title of the new post']);
      if (!text('organisationId')) missing.push(['organisationId', 'Choose the organisation that employs the new post']);
      if (!text('thematicAreaId')) missing.push(['thematicAreaId', 'Choose the thematic area of the new post']);
      if (!text('gradeId')) missing.push(['gradeId', 'Choose the grade of the new post']);
      if (fte === undefined) missing.push(['fte', 'Enter the FTE of the new post, like 1 or 0.6']);
    }
    if (!text('reason')) missing.push(['reason', 'Enter the reason for this change']);
    if (missing.length) return again(fieldErrors(missing.filter(([f], i) => missing.findIndex(([g]) => g === f) === i)));

    const dto: Record<string, unknown> = { kind, reason: text('reason') };
    if (kind === ChangeKind.Create) {
      Object.assign(dto, { reference: text('reference'), title: text('title'), organisationId: text('organisationId') });
    } else {
      const postId = await this.scenarios.postByReference(id, text('reference')!);
      if (!postId) return again(fieldError('reference', `There is no post ${text('reference')} in this programme`, 422));
      dto.postId = postId;
    }
    for (const k of ['scope', 'thematicAreaId', 'gradeId', 'destinationOrganisationId'] as const) if (text(k)) dto[k] = text(k);
    if (fte !== undefined) dto.fte = fte;
    if (kind === ChangeKind.Change && !dto.scope && dto.fte === undefined && !dto.destinationOrganisationId && !dto.thematicAreaId && !dto.gradeId) {
      return again(fieldError('scope', 'Choose what changes: a scope, a thematic area, a grade, an FTE or where the post goes'));
    }
    const form = await readForm(AddChangeDto, dto, CHANGE_LABELS);
    if (form.errors) return again(form.errors.fields.postId ? fieldError('reference', form.errors.fields.postId.text, form.errors.status) : form.errors);
    try {
      await this.scenarios.addChange(user, id, form.value);
    } catch (err) {
      const e = formErrors(err, CHANGE_LABELS, { postId: 'reference' });
      if (e.fields.postId) e.fields.reference = e.fields.postId;
      return again(e);
    }
    const what = kind === ChangeKind.Create ? `New post ${text('reference')}` : kind === ChangeKind.Delete ? `Deleting ${text('reference')}` : `Change to ${text('reference')}`;
    await redirectTo(req, reply, `/scenarios/${id}`, { kind: 'success', text: `${what} added` });
  }

  @Post('scenarios/:id/changes/:changeId/remove')
  @Roles(...EDITORS)
  async removeChange(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @UuidParam('changeId') changeId: string): Promise<void> {
    try {
      await this.scenarios.removeChange(user, id, changeId);
    } catch (err) {
      return this.renderTab(req, reply, user, id, 'changes', formErrors(err, {}, { status: 'changes', changeId: 'changes' }));
    }
    await redirectTo(req, reply, `/scenarios/${id}`, { kind: 'success', text: 'Change removed' });
  }

  @Post('scenarios/:id/status')
  @Roles(...EDITORS)
  async move(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const form = await readForm(ScenarioStatusDto, { action: fields.action ?? fields.move, version: Number(fields.version), reason: fields.reason }, { action: 'Action' });
    if (form.errors) return this.renderTab(req, reply, user, id, 'changes', { ...form.errors, errorList: form.errors.errorList.map((e) => ({ ...e, href: '#status-actions' })) });
    if (!STATUS_MOVES.includes(form.value.action)) return this.renderTab(req, reply, user, id, 'changes', fieldError('status-actions', 'Choose an action'));
    let s: ScenarioResponse;
    try {
      s = await this.scenarios.move(user, id, form.value);
    } catch (err) {
      const e = formErrors(err, { action: 'Action' });
      return this.renderTab(req, reply, user, id, 'changes', { ...e, errorList: e.errorList.map((x) => ({ ...x, href: '#status-actions' })) });
    }
    await redirectTo(req, reply, `/scenarios/${id}`, { kind: 'success', text: `Scenario ${STATUS_LABELS[s.status].toLowerCase()}` });
  }

  /** "Check your answers" before merging: every change, and what it does to the matrix. */
  @Get('scenarios/:id/merge')
  @Roles(...STAFF)
  async checkMerge(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.renderCheck(req, reply, user, id);
  }

  private async renderCheck(req: FastifyRequest, reply: FastifyReply, user: AuthUser, id: string, errors?: FormErrors): Promise<void> {
    const s = await this.scenarios.get(user, id);
    const conflicts = await this.scenarios.conflicts(user, id);
    if (conflicts.length) return this.renderConflicts(req, reply, s, conflicts, errors);
    const m = await this.scenarios.matrix(user, id);
    await renderPage(req, reply, 'scenarios/views/merge-check.njk', { pageTitle: 'Check the changes before merging', s, m, errors }, errors?.status ?? 200);
  }

  private async renderConflicts(req: FastifyRequest, reply: FastifyReply, s: ScenarioResponse, conflicts: Awaited<ReturnType<ScenariosService['conflicts']>>, errors?: FormErrors): Promise<void> {
    const list = errors ?? {
      errorList: [{ text: `The live establishment changed under this scenario: ${conflicts.length} ${conflicts.length === 1 ? 'post is' : 'posts are'} in conflict. Nothing was merged.`, href: '#conflicts' }],
      fields: {},
      stale: true,
      status: 409,
    };
    await renderPage(req, reply, 'scenarios/views/conflicts.njk', { pageTitle: 'The scenario cannot be merged', s, conflicts, errors: list }, 409);
  }

  @Post('scenarios/:id/merge')
  @Roles(...STAFF)
  async merge(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const version = Number(fields.version);
    if (!Number.isInteger(version) || version < 1) return this.renderCheck(req, reply, user, id, fieldError('merge', 'The form was incomplete: check the changes and merge again'));
    try {
      const r = await this.scenarios.merge(user, id, version);
      await redirectTo(req, reply, `/scenarios/${id}`, {
        kind: 'success',
        text: `Scenario merged into the live establishment: ${r.postsChanged} posts changed, ${r.postsCreated} created, ${r.postsDeleted} deleted`,
      });
    } catch (err) {
      const e = formErrors(err, {});
      if (e.status === HttpStatus.CONFLICT) {
        const conflicts = await this.scenarios.conflicts(user, id);
        const s = await this.scenarios.get(user, id);
        if (conflicts.length) return this.renderConflicts(req, reply, s, conflicts);
      }
      return this.renderCheck(req, reply, user, id, { ...e, errorList: e.errorList.map((x) => ({ ...x, href: '#merge' })) });
    }
  }

  @Post('scenarios/:id/rebase')
  @Roles(...EDITORS)
  async rebase(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    try {
      await this.scenarios.rebase(user, id, Number(fields.version));
    } catch (err) {
      const e = formErrors(err, {});
      return this.renderTab(req, reply, user, id, 'changes', { ...e, errorList: e.errorList.map((x) => ({ ...x, href: '#changes' })) });
    }
    await redirectTo(req, reply, `/scenarios/${id}`, { kind: 'success', text: 'Scenario rebased on the live establishment: it takes the posts as they are now' });
  }
}

import { Body, Controller, Get, HttpStatus, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { managedAreaIds, type AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { ApiException } from '../../common/errors/api-error';
import { flattenValidationErrors } from '../../common/errors/validation';
import { fieldError, formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { GradeResponse } from '../dto/grade.dto';
import { ListPostsQuery, PostResponse } from '../dto/post.dto';
import { CreateScopeProposalDto } from '../dto/scope-proposal.dto';
import { ESTABLISHMENT_STATUSES, ScopeProposalKind, ScopeProposalStatus, SCOPES } from '../establishment.constants';
import { GradesService } from '../grades.service';
import { PostsExportService } from '../posts-export.service';
import { PostsService } from '../posts.service';
import { ProgrammesService } from '../programmes.service';
import { ScopeProposalsService } from '../scope-proposals.service';
import { ThematicAreasService } from '../thematic-areas.service';
import { UuidParam } from '../../common/http/uuid-param';
import { SCOPE_LABELS, scopeItems } from './scope-labels';

/** The posts list's filters, as the query string carries them (and the API's ListPostsQuery names them). */
const FILTER_KEYS = ['programmeId', 'organisationId', 'thematicAreaId', 'gradeId', 'scope', 'status', 'q'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
const FILTER_HEADINGS: Record<FilterKey, string> = {
  programmeId: 'Programme',
  organisationId: 'Organisation',
  thematicAreaId: 'Thematic area',
  gradeId: 'Grade',
  scope: 'Scope',
  status: 'Establishment status',
  q: 'Reference or title',
};

const PAGE_SIZE = 50;

const PROPOSE_LABELS = { scope: 'Proposed scope', reason: 'Reason', postId: 'This post' };
const PROPOSE_IDS = { postId: 'scope', kind: 'scope' };

interface Option {
  value: string;
  text: string;
}

/** The posts list, a post's page and a manager's propose or challenge form. */
@ApiExcludeController()
@Controller()
export class PostPages {
  constructor(
    private readonly posts: PostsService,
    private readonly proposals: ScopeProposalsService,
    private readonly programmes: ProgrammesService,
    private readonly areas: ThematicAreasService,
    private readonly grades: GradesService,
    private readonly exporter: PostsExportService,
  ) {}

  @Get('posts')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>): Promise<void> {
    const filters: Partial<Record<FilterKey, string>> = {};
    for (const k of FILTER_KEYS) {
      const v = query?.[k];
      if (typeof v === 'string' && v.trim() !== '') filters[k] = v.trim();
    }
    const cursor = typeof query?.cursor === 'string' && query.cursor ? query.cursor : undefined;
    const options = await this.filterOptions(user);

    let errors: FormErrors | undefined;
    let items: PostResponse[] = [];
    let nextCursor: string | null = null;
    const q = plainToInstance(ListPostsQuery, { ...filters, ...(cursor ? { cursor } : {}) });
    const invalid = await validate(q, { whitelist: true, stopAtFirstError: true });
    if (invalid.length) {
      errors = formErrors(ApiException.validation(flattenValidationErrors(invalid)), FILTER_HEADINGS);
    } else {
      try {
        const page = await this.posts.list(user, { ...q, limit: PAGE_SIZE });
        items = page.items;
        nextCursor = page.nextCursor;
      } catch (err) {
        errors = formErrors(err, { ...FILTER_HEADINGS, cursor: 'The page link' }, { cursor: 'posts' });
      }
    }

    const href = (f: Partial<Record<FilterKey, string>>, extra: Record<string, string> = {}) => {
      const params = new URLSearchParams();
      for (const k of FILTER_KEYS) if (f[k]) params.set(k, f[k]!);
      for (const [k, v] of Object.entries(extra)) params.set(k, v);
      const s = params.toString();
      return `/posts${s ? `?${s}` : ''}`;
    };
    const labelOf = (k: FilterKey, v: string): string => {
      if (k === 'q') return `“${v}”`;
      const list = options[k] as Option[];
      return list.find((o) => o.value === v)?.text ?? v;
    };
    const selected = FILTER_KEYS.filter((k) => filters[k]).map((k) => ({
      heading: { text: FILTER_HEADINGS[k] },
      items: [{ href: href({ ...filters, [k]: undefined }), text: labelOf(k, filters[k]!) }],
    }));

    await renderPage(
      req,
      reply,
      'establishment/views/posts.njk',
      {
        pageTitle: 'Posts',
        errors,
        filters,
        options,
        selected,
        clearHref: '/posts',
        posts: items.map((p) => ({
          id: p.id,
          reference: p.reference,
          title: p.title,
          organisation: p.organisation.shortName ?? p.organisation.name,
          area: p.thematicArea.name,
          grade: p.grade.code,
          fte: p.fte,
          status: p.establishmentStatus,
          scope: p.scope,
        })),
        nextHref: nextCursor ? href(filters, { cursor: nextCursor }) : null,
        firstHref: cursor ? href(filters) : null,
        canImport: user.role === Role.Admin || user.role === Role.HrOfficer,
        importProgrammes: options.programmeId,
      },
      errors ? errors.status : HttpStatus.OK,
    );
  }

  /** The import template, as the API serves it at /api/v1/posts/import-template, for a signed-in HR officer. */
  @Get('posts/import-template.csv')
  @Roles(Role.Admin, Role.HrOfficer)
  templateCsv(): Promise<StreamableFile> {
    return this.exporter.template('csv');
  }

  @Get('posts/import-template.xlsx')
  @Roles(Role.Admin, Role.HrOfficer)
  templateXlsx(): Promise<StreamableFile> {
    return this.exporter.template('xlsx');
  }

  @Get('posts/:id')
  @Roles(Role.Admin, Role.HrOfficer, Role.Manager)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const post = await this.posts.get(user, id); // 404 outside a manager's areas
    const [history, proposals] = await Promise.all([this.posts.scopeHistory(user, id), this.proposals.list(user, { postId: id })]);
    const open = proposals.filter((p) => p.status === ScopeProposalStatus.Open);
    const mine = user.role === Role.Manager ? open.find((p) => p.proposedBy.id === user.id) : undefined;
    await renderPage(req, reply, 'establishment/views/post.njk', {
      pageTitle: `${post.reference}: ${post.title}`,
      post,
      history: [...history].reverse(),
      openProposals: open,
      myOpenProposal: mine ?? null,
      canPropose: user.role === Role.Manager && !mine && post.establishmentStatus !== 'deleted',
      isStaff: user.role === Role.Admin || user.role === Role.HrOfficer,
    });
  }

  @Get('posts/:id/propose')
  @Roles(Role.Manager)
  async proposeForm(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @CurrentUser() user: AuthUser,
    @UuidParam('id') id: string,
    @Query('kind') kind?: string,
  ): Promise<void> {
    const post = await this.posts.get(user, id);
    await this.renderPropose(req, reply, post, { kind: kind === ScopeProposalKind.Challenge ? ScopeProposalKind.Challenge : ScopeProposalKind.Proposal });
  }

  @Post('posts/:id/propose')
  @Roles(Role.Manager)
  async propose(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const fields = formFields(body);
    const values = {
      scope: typeof fields.scope === 'string' ? fields.scope : undefined,
      reason: typeof fields.reason === 'string' ? fields.reason : undefined,
      kind: fields.kind === ScopeProposalKind.Challenge ? ScopeProposalKind.Challenge : ScopeProposalKind.Proposal,
    };
    const post = await this.posts.get(user, id);
    // The form shows the scope as it was read: if the post changed since, the proposal would be about
    // a scope the manager has not seen. Show the form again with the current values.
    const seenVersion = Number(fields.postVersion);
    if (Number.isInteger(seenVersion) && seenVersion !== post.version) {
      const errors: FormErrors = {
        errorList: [{ text: `Someone else changed this post: its scope is now ${SCOPE_LABELS[post.scope].toLowerCase()}. Check your proposal and send it again.`, href: '#scope' }],
        fields: {},
        stale: true,
        status: HttpStatus.CONFLICT,
      };
      return this.renderPropose(req, reply, post, { ...values, scope: values.scope === post.scope ? undefined : values.scope }, errors);
    }
    if (!values.scope) return this.renderPropose(req, reply, post, values, fieldError('scope', 'Select the scope you propose'));
    if (!values.reason) return this.renderPropose(req, reply, post, values, fieldError('reason', 'Enter the reason for your proposal'));
    const form = await readForm(CreateScopeProposalDto, values, PROPOSE_LABELS);
    if (form.errors) return this.renderPropose(req, reply, post, values, form.errors);
    try {
      await this.proposals.create(user, id, form.value);
    } catch (err) {
      const errors = formErrors(err, PROPOSE_LABELS, PROPOSE_IDS);
      return this.renderPropose(req, reply, await this.posts.get(user, id), values, errors);
    }
    await redirectTo(req, reply, `/posts/${id}`, {
      kind: 'success',
      text: `Your ${values.kind === ScopeProposalKind.Challenge ? 'challenge' : 'proposal'} has been sent to HR: ${post.reference} ${SCOPE_LABELS[post.scope].toLowerCase()} → ${SCOPE_LABELS[form.value.scope].toLowerCase()}, pending a decision`,
    });
  }

  private async renderPropose(req: FastifyRequest, reply: FastifyReply, post: PostResponse, values: Record<string, string | undefined>, errors?: FormErrors): Promise<void> {
    const challenge = values.kind === ScopeProposalKind.Challenge;
    await renderPage(
      req,
      reply,
      'establishment/views/propose.njk',
      {
        pageTitle: challenge ? 'Challenge this scope' : 'Propose a change of scope',
        challenge,
        post,
        values,
        errors,
        scopeItems: scopeItems(SCOPES.filter((s) => s !== post.scope), values.scope),
      },
      errors ? errors.status : HttpStatus.OK,
    );
  }

  /** Choices for the filters: what the caller may see (a manager: their areas). */
  private async filterOptions(user: AuthUser): Promise<Record<FilterKey, Option[]>> {
    const programmes = await this.programmes.list(user);
    const orgs = new Map<string, { id: string; name: string; shortName: string | null }>();
    for (const p of programmes) for (const o of [...p.sourceOrganisations, p.destinationOrganisation]) orgs.set(o.id, o);
    const managed = user.role === Role.Manager ? new Set(managedAreaIds(user)) : null;
    const areaLists = await Promise.all(programmes.map((p) => this.areas.list(user, p.id)));
    const areas = areaLists
      .flat()
      .filter((a) => !managed || managed.has(a.id))
      .map((a) => ({ value: a.id, text: programmes.length > 1 ? `${a.name} (${programmes.find((p) => p.id === a.programmeId)?.name ?? ''})` : a.name }));
    const gradeLists = await Promise.all([...orgs.values()].map(async (o) => ({ org: o, grades: (await this.grades.listForOrganisation(o.id)).map((g) => GradeResponse.from(g)) })));
    const withGrades = gradeLists.filter((l) => l.grades.length);
    const grades = withGrades.flatMap((l) =>
      [...l.grades].sort((a, b) => b.rank - a.rank).map((g) => ({ value: g.id, text: withGrades.length > 1 ? `${g.code} (${l.org.shortName ?? l.org.name})` : g.code })),
    );
    return {
      programmeId: programmes.map((p) => ({ value: p.id, text: p.name })),
      organisationId: [...orgs.values()].map((o) => ({ value: o.id, text: o.name })),
      thematicAreaId: areas,
      gradeId: grades,
      scope: SCOPES.map((s) => ({ value: s, text: SCOPE_LABELS[s] })),
      status: ESTABLISHMENT_STATUSES.map((s) => ({ value: s, text: s.charAt(0).toUpperCase() + s.slice(1) })),
      q: [],
    };
  }
}


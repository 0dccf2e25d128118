import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { Role } from '../../common/access/role.enum';
import { Fields, int, isStale, list, mergeErrors, pageErrors, staleErrors, text } from '../../web/page-forms';
import { UuidParam } from '../../common/http/uuid-param';
import { QUEUE_DASHBOARD_PATH } from '../../metrics/queue-dashboard';
import { formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { CreateUserDto, UpdateUserDto, UserResponse } from '../dto/user.dto';
import { UsersService } from '../users.service';
import { keepShownOnce, takeShownOnce } from '../../web/shown-once';

const ROLE_LABELS: Record<Role, string> = { [Role.Admin]: 'Admin', [Role.HrOfficer]: 'HR officer', [Role.Manager]: 'Manager', [Role.TuRep]: 'Trade union rep' };
const ROLE_HINTS: Record<Role, string> = {
  [Role.Admin]: 'Users, notifications and reference data; sees everything',
  [Role.HrOfficer]: 'Runs the establishment, cases and consultation; sees everything',
  [Role.Manager]: 'Reviews the posts in their thematic areas',
  [Role.TuRep]: 'Follows the consultation of their programmes; never sees personal data',
};
const LABELS = { email: 'Email address', displayName: 'Name', role: 'Role', password: 'Password', scopes: 'Scope' };

type Choices = Awaited<ReturnType<UsersService['scopeChoices']>>;

/** Scopes from the form: managers tick areas (`programme:area`), reps tick programmes. */
function scopesOf(f: Fields, role: string | undefined): { programmeId: string; thematicAreaId: string | null }[] {
  if (role === Role.Manager) return list(f, 'areas').map((v) => ({ programmeId: v.split(':')[0], thematicAreaId: v.split(':')[1] ?? null }));
  if (role === Role.TuRep) return list(f, 'programmes').map((p) => ({ programmeId: p, thematicAreaId: null }));
  return [];
}

/** Admin pages: the landing page, and users (create, change role and scope, deactivate, reactivate). */
@ApiExcludeController()
@Controller()
export class AdminPages {
  constructor(private readonly users: UsersService) {}

  @Get('admin')
  @Roles(Role.Admin)
  async home(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await renderPage(req, reply, 'users/views/admin.njk', { pageTitle: 'Admin', queueDashboard: QUEUE_DASHBOARD_PATH });
  }

  @Get('admin/users')
  @Roles(Role.Admin)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const users = (await this.users.list({})).map(UserResponse.from);
    const choices = await this.users.scopeChoices();
    await renderPage(req, reply, 'users/views/users.njk', { pageTitle: 'Users', users: users.map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role], scopeText: this.scopeText(u, choices) })) });
  }

  @Get('admin/users/new')
  @Roles(Role.Admin)
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.renderForm(req, reply, null, {});
  }

  @Post('admin/users/new')
  @Roles(Role.Admin)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    const f = formFields(body);
    const role = text(f, 'role');
    const own = pageErrors({ email: !text(f, 'email') ? 'Enter their email address' : undefined, displayName: !text(f, 'displayName') ? 'Enter their name' : undefined, role: !role ? 'Select a role' : undefined }, { role: 'role' });
    const password = typeof (body as Record<string, unknown>)?.password === 'string' && (body as Record<string, string>).password !== '' ? (body as Record<string, string>).password : undefined;
    const form = await readForm(CreateUserDto, { email: text(f, 'email'), displayName: text(f, 'displayName'), role, password, scopes: scopesOf(f, role) }, LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, null, { ...f, password: undefined }, errors, 400);
    try {
      const { user, initialPassword } = await this.users.create(form.value);
      if (initialPassword) keepShownOnce(req, `user:${user.id}`, initialPassword);
      await redirectTo(req, reply, `/admin/users/${user.id}`, { kind: 'success', text: `User ${user.email} created.${initialPassword ? ' Give them the password below: it is shown only once.' : ''}` });
    } catch (err) {
      const e = formErrors(err, LABELS);
      return this.renderForm(req, reply, null, { ...f, password: undefined }, e, e.status);
    }
  }

  @Get('admin/users/:id')
  @Roles(Role.Admin)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const u = UserResponse.from(await this.users.get(caller, id));
    await this.renderForm(req, reply, u, this.valuesOf(u), undefined, 200, takeShownOnce(req, `user:${id}`));
  }

  @Post('admin/users/:id')
  @Roles(Role.Admin)
  async update(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() caller: AuthUser, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    const current = UserResponse.from(await this.users.get(caller, id));
    const f = formFields(body);
    const role = text(f, 'role') ?? current.role;
    const own = pageErrors({ displayName: !text(f, 'displayName') ? 'Enter their name' : undefined });
    const form = await readForm(UpdateUserDto, { version: int(text(f, 'version')), displayName: text(f, 'displayName'), role, scopes: scopesOf(f, role) }, LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, current, f, errors, 400);
    try {
      const u = await this.users.update(caller, id, form.value);
      await redirectTo(req, reply, `/admin/users/${id}`, { kind: 'success', text: `Changes to ${u.email} saved: ${ROLE_LABELS[u.role].toLowerCase()}.` });
    } catch (err) {
      const e = formErrors(err, LABELS);
      if (isStale(e)) {
        const fresh = UserResponse.from(await this.users.get(caller, id));
        return this.renderForm(req, reply, fresh, this.valuesOf(fresh), staleErrors(e, 'user'), 409);
      }
      return this.renderForm(req, reply, current, f, e, e.status);
    }
  }

  @Post('admin/users/:id/deactivate')
  @Roles(Role.Admin)
  async deactivate(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.setActive(req, reply, caller, id, false);
  }

  @Post('admin/users/:id/reactivate')
  @Roles(Role.Admin)
  async reactivate(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() caller: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.setActive(req, reply, caller, id, true);
  }

  private async setActive(req: FastifyRequest, reply: FastifyReply, caller: AuthUser, id: string, active: boolean): Promise<void> {
    try {
      const u = await this.users.setActive(caller, id, active);
      await redirectTo(req, reply, `/admin/users/${id}`, {
        kind: 'success',
        text: active ? `${u.email} is active again: they can sign in.` : `${u.email} is deactivated: they are signed out everywhere and cannot sign in.`,
      });
    } catch (err) {
      const e = formErrors(err, LABELS);
      const u = UserResponse.from(await this.users.get(caller, id));
      return this.renderForm(req, reply, u, this.valuesOf(u), { ...e, errorList: [{ text: e.errorList[0]?.text ?? 'That could not be done', href: '#main-content' }], fields: {} }, e.status);
    }
  }

  private valuesOf(u: UserResponse): Record<string, unknown> {
    return {
      displayName: u.displayName,
      role: u.role,
      version: String(u.version),
      areas: u.scopes.filter((s) => s.thematicAreaId).map((s) => `${s.programmeId}:${s.thematicAreaId}`),
      programmes: u.role === Role.TuRep ? u.scopes.map((s) => s.programmeId) : [],
    };
  }

  private scopeText(u: UserResponse, choices: Choices): string {
    if (u.role === Role.Admin || u.role === Role.HrOfficer) return 'Everything';
    const names = u.scopes.map((s) => {
      const p = choices.find((c) => c.id === s.programmeId);
      const a = s.thematicAreaId ? p?.areas.find((x) => x.id === s.thematicAreaId) : null;
      return a ? a.name : (p?.name ?? 'Unknown programme');
    });
    return names.length ? names.join(', ') : 'None yet';
  }

  private async renderForm(req: FastifyRequest, reply: FastifyReply, current: UserResponse | null, values: Record<string, unknown>, errors?: FormErrors, status = 200, initialPassword?: string | null): Promise<void> {
    const choices = await this.users.scopeChoices();
    const arr = (v: unknown) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);
    const areas = arr(values.areas);
    const programmes = arr(values.programmes);
    await renderPage(
      req,
      reply,
      'users/views/user-form.njk',
      {
        pageTitle: current ? `User ${current.email}` : 'Add a user',
        current,
        values,
        errors,
        initialPassword,
        roleLabel: current ? ROLE_LABELS[current.role] : null,
        roles: Object.values(Role).map((r) => ({ value: r, text: ROLE_LABELS[r], hint: ROLE_HINTS[r], checked: values.role === r })),
        areaItems: choices.flatMap((p) => p.areas.map((a) => ({ value: `${p.id}:${a.id}`, text: choices.length > 1 ? `${a.name} (${p.name})` : a.name, checked: areas.includes(`${p.id}:${a.id}`) }))),
        programmeItems: choices.map((p) => ({ value: p.id, text: p.name, checked: programmes.includes(p.id) })),
      },
      status,
    );
  }
}

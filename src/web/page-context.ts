import { isStaleVersion } from '../common/errors/stale-version';
import { HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { ApiException, ErrorDetail } from '../common/errors/api-error';
import { todayInLondon } from '../common/dates';
import { addFlash, Flash, takeFlash } from '../common/http/web-session';
import { navigationFor } from './navigation';

export const SERVICE_NAME = 'Workforce transition tracker';

const ROLE_LABELS: Record<Role, string> = {
  [Role.Admin]: 'Admin',
  [Role.HrOfficer]: 'HR officer',
  [Role.Manager]: 'Manager',
  [Role.TuRep]: 'Trade union rep',
};

let layout = { assetPath: '/assets', idleSeconds: 1800 };

/** Set once at boot by configureWeb (the hashed assets folder, the idle timeout). */
export function configureLayout(l: typeof layout): void {
  layout = l;
}


/** The date the signed-in user views the service "as at": their session's choice, else today. */
export function viewAsOf(request: FastifyRequest): string {
  return request.session?.get('asOf') ?? todayInLondon();
}

type PageRequest = FastifyRequest & { user?: AuthUser };

/** What every page's layout needs, built from the request (never from an entity). */
export function layoutContext(request: PageRequest, reply: FastifyReply): Record<string, unknown> {
  const user = request.user;
  const path = request.url.split('?')[0];
  const asOf = viewAsOf(request);
  const today = todayInLondon();
  return {
    serviceName: SERVICE_NAME,
    assetPath: layout.assetPath,
    requestId: String(request.id ?? ''),
    currentPath: request.url,
    user: user ? { displayName: user.displayName, role: user.role, roleLabel: ROLE_LABELS[user.role] } : null,
    navigation: user ? navigationFor(user.role, path) : [],
    csrfToken: request.session ? reply.generateCsrf() : '',
    flash: request.session && user ? takeFlash(request) : [],
    asOf,
    asOfIsToday: asOf === today,
    idleSeconds: user ? layout.idleSeconds : 0,
  };
}

/**
 * Something every signed-in page shows that a feature owns (the unread notifications count in the
 * header). A feature registers it at module init; a failing contributor never breaks a page.
 */
export type LayoutContributor = (user: AuthUser) => Promise<Record<string, unknown>>;
const contributors: LayoutContributor[] = [];
export function registerLayoutContributor(c: LayoutContributor): void {
  if (!contributors.includes(c)) contributors.push(c);
}

async function contributed(user: AuthUser | undefined): Promise<Record<string, unknown>> {
  if (!user || !contributors.length) return {};
  const parts = await Promise.all(contributors.map((c) => c(user).catch(() => ({}))));
  return Object.assign({}, ...parts);
}

/** Render a page: the view model plus the layout context, as HTML with the given status. */
export async function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  model: Record<string, unknown> = {},
  status: number = HttpStatus.OK,
): Promise<void> {
  const extra = await contributed((request as PageRequest).user);
  const html = await reply.viewAsync(template, { ...layoutContext(request as PageRequest, reply), ...extra, ...model });
  await reply.status(status).type('text/html; charset=utf-8').send(html);
}

/** POST-redirect-GET: a 303 to the next page, with a banner to show there. */
export async function redirectTo(request: FastifyRequest, reply: FastifyReply, location: string, flash?: Flash): Promise<void> {
  if (flash) addFlash(request, flash);
  await reply.redirect(location, HttpStatus.SEE_OTHER);
}

export interface FormErrors {
  /** For govukErrorSummary: text and the link to the field. */
  errorList: { text: string; href: string }[];
  /** For each field's errorMessage: `{ text }`. */
  fields: Record<string, { text: string }>;
  /** A version conflict: someone else changed the record. */
  stale: boolean;
  status: number;
}

const LABEL_FALLBACK = (field: string) => field.replace(/\[\d+\]/g, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[._]/g, ' ').toLowerCase();

/**
 * The one error shape, as the GOV.UK error summary and inline messages. `labels` gives each
 * field the words its label uses ("Reason" for `reason`); `ids` the element id to link to
 * when it is not the field name. Anything that is not a client error is rethrown.
 */
export function formErrors(err: unknown, labels: Record<string, string> = {}, ids: Record<string, string> = {}): FormErrors {
  if (!(err instanceof ApiException) && !(err instanceof Error && 'getStatus' in err)) throw err;
  const status = (err as ApiException).getStatus();
  if (status >= 500 || status === HttpStatus.UNAUTHORIZED || status === HttpStatus.FORBIDDEN || status === HttpStatus.NOT_FOUND) throw err;
  const details: ErrorDetail[] = err instanceof ApiException && err.details?.length ? err.details : [];
  // Keyed on the detail every stale-version 409 carries (common/errors/stale-version), never on the wording.
  const stale = status === HttpStatus.CONFLICT && isStaleVersion(details);
  const fields: Record<string, { text: string }> = {};
  const errorList: { text: string; href: string }[] = [];
  for (const d of details) {
    const key = d.field.split('.')[0].replace(/\[\d+\]$/, '');
    if (fields[key]) continue;
    const label = labels[key] ?? LABEL_FALLBACK(key);
    const text = /^[A-Z]/.test(d.reason) ? d.reason : `${label.charAt(0).toUpperCase()}${label.slice(1)} ${d.reason}`;
    fields[key] = { text };
    errorList.push({ text, href: `#${ids[key] ?? key}` });
  }
  if (!errorList.length) errorList.push({ text: stale ? 'Someone else changed this while you were working on it. Check the current values and try again.' : err.message, href: '#main-content' });
  return { errorList, fields, stale, status };
}

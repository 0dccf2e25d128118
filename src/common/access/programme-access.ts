import { HttpStatus, NotFoundException } from '@nestjs/common';
import { type AuthUser, visibleProgrammeIds } from './auth-user';
import { Role } from './role.enum';
import { ApiException } from '../errors/api-error';

/**
 * Who may do what with consultations and the forum:
 * HR officers and admins manage everything; tu_reps read their programmes' consultations and
 * forum and may record representations; managers read their programmes'. Anything outside the
 * caller's programmes is 404, exactly as if it did not exist.
 */
export const READ_ROLES: Role[] = [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep];
export const MANAGE_ROLES: Role[] = [Role.Admin, Role.HrOfficer];
export const REPRESENT_ROLES: Role[] = [Role.Admin, Role.HrOfficer, Role.TuRep];

export function isStaff(user: Pick<AuthUser, 'role'>): boolean {
  return user.role === Role.Admin || user.role === Role.HrOfficer;
}

export function canSeeProgramme(user: AuthUser, programmeId: string): boolean {
  const visible = visibleProgrammeIds(user);
  return visible === 'all' || visible.includes(programmeId);
}

/** Programme ids to filter lists by, or null for every programme. */
export function programmeFilter(user: AuthUser): string[] | null {
  const visible = visibleProgrammeIds(user);
  return visible === 'all' ? null : visible;
}

export function notFound(what: string): NotFoundException {
  return new NotFoundException(`${what} not found`);
}

/** A request that is well formed but breaks a rule of the domain: 422 naming the field. */
export function unprocessable(field: string, reason: string, message?: string): ApiException {
  return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, message ?? `${field} ${reason}`, [{ field, reason }]);
}

/** The record is in a state that does not allow this: 409. */
export function wrongState(message: string, field = 'status'): ApiException {
  return new ApiException(HttpStatus.CONFLICT, message, [{ field, reason: message }]);
}

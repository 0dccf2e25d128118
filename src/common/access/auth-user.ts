import { Role } from './role.enum';

/**
 * A manager's scope is a thematic area of a programme; a tu_rep's scope is a
 * programme (thematicAreaId null): the programmes whose forum they sit on.
 */
export interface UserScope {
  programmeId: string;
  thematicAreaId: string | null;
}

/** The signed-in caller, as guards and services see it (loaded fresh on every request). */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  scopes: UserScope[];
  /** How the caller authenticated. */
  via: 'access_token' | 'api_token' | 'session';
}

/** Programme ids the user may see at all (managers and tu_reps), or 'all' for admin and hr_officer. */
export function visibleProgrammeIds(user: AuthUser): 'all' | string[] {
  if (user.role === Role.Admin || user.role === Role.HrOfficer) return 'all';
  return [...new Set(user.scopes.map((s) => s.programmeId))];
}

/** Thematic area ids a manager covers (empty for other roles). */
export function managedAreaIds(user: AuthUser): string[] {
  if (user.role !== Role.Manager) return [];
  return user.scopes.filter((s) => s.thematicAreaId).map((s) => s.thematicAreaId as string);
}

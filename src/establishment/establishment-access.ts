import { managedAreaIds, visibleProgrammeIds, type AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';

/**
 * Who sees what of the establishment. HR officers and admins: everything. Managers: the
 * programmes they have an area in (for reference data and the matrix) and the posts of their own
 * areas. Trade union reps: their programmes' reference data and matrix (counts), never a post.
 * Anything else is answered 404, as if it did not exist.
 */
export function isStaff(user: AuthUser): boolean {
  return user.role === Role.Admin || user.role === Role.HrOfficer;
}

export function canSeeProgramme(user: AuthUser, programmeId: string): boolean {
  const visible = visibleProgrammeIds(user);
  return visible === 'all' || visible.includes(programmeId);
}

/** null: no restriction; else the thematic area ids whose posts the user may see (maybe none). */
export function postAreaFilter(user: AuthUser): string[] | null {
  if (isStaff(user)) return null;
  if (user.role === Role.Manager) return managedAreaIds(user);
  return [];
}

export function canSeePostInArea(user: AuthUser, thematicAreaId: string): boolean {
  const areas = postAreaFilter(user);
  return areas === null || areas.includes(thematicAreaId);
}

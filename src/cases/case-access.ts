import { NotFoundException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuthUser, managedAreaIds, visibleProgrammeIds } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';

export const isStaff = (user: AuthUser) => user.role === Role.Admin || user.role === Role.HrOfficer;

/**
 * The programme exists and the caller may see it: admins and HR officers any; a manager one where
 * they cover an area; a tu_rep one whose forum they sit on. Anything else is 404, as if absent.
 */
export async function assertProgrammeVisible(em: EntityManager, user: AuthUser, programmeId: string): Promise<void> {
  const visible = visibleProgrammeIds(user);
  if (visible !== 'all' && !visible.includes(programmeId)) throw new NotFoundException('Programme not found');
  if (user.role === Role.Manager && !user.scopes.some((s) => s.programmeId === programmeId && s.thematicAreaId)) {
    throw new NotFoundException('Programme not found');
  }
  const rows = await em.query(`SELECT 1 FROM programmes WHERE id = $1`, [programmeId]);
  if (!rows.length) throw new NotFoundException('Programme not found');
}

/** The thematic areas whose cases the caller may read: 'all' for staff, a manager's areas, none for others. */
export function readableAreas(user: AuthUser): 'all' | string[] {
  if (isStaff(user)) return 'all';
  return managedAreaIds(user);
}

export function canReadArea(user: AuthUser, thematicAreaId: string): boolean {
  const areas = readableAreas(user);
  return areas === 'all' || areas.includes(thematicAreaId);
}

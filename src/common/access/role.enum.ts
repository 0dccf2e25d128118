/** One role per user. */
export enum Role {
  Admin = 'admin',
  HrOfficer = 'hr_officer',
  Manager = 'manager',
  TuRep = 'tu_rep',
}

export const ALL_ROLES: readonly Role[] = [Role.Admin, Role.HrOfficer, Role.Manager, Role.TuRep];
/** HR officers and admins may change everything in the establishment and cases. */
export const STAFF_ROLES: readonly Role[] = [Role.Admin, Role.HrOfficer];

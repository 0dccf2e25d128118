import { Role } from '../auth/role.enum';

export interface NavItem {
  text: string;
  href: string;
  /** The item is current when the path starts with one of these. */
  match: string[];
}

const HOME: NavItem = { text: 'Home', href: '/', match: [] };
const ESTABLISHMENT: NavItem = { text: 'Establishment', href: '/establishment', match: ['/establishment', '/programmes', '/organisations'] };
const POSTS: NavItem = { text: 'Posts', href: '/posts', match: ['/posts'] };
const DECISIONS: NavItem = { text: 'Scope decisions', href: '/scope-proposals', match: ['/scope-proposals'] };
const PROPOSALS: NavItem = { text: 'Your proposals', href: '/scope-proposals', match: ['/scope-proposals'] };
const CASES: NavItem = { text: 'Cases', href: '/cases', match: ['/cases', '/people', '/pipeline'] };
const CONSULTATIONS: NavItem = { text: 'Consultation', href: '/consultations', match: ['/consultations', '/forum', '/representations', '/meetings'] };
const ADMIN: NavItem = { text: 'Admin', href: '/admin', match: ['/admin'] };

/** What each role's service navigation offers (pages beyond it are reached from these). */
export const NAVIGATION: Record<Role, NavItem[]> = {
  [Role.Admin]: [HOME, ESTABLISHMENT, POSTS, DECISIONS, CASES, CONSULTATIONS, ADMIN],
  [Role.HrOfficer]: [HOME, ESTABLISHMENT, POSTS, DECISIONS, CASES, CONSULTATIONS],
  [Role.Manager]: [HOME, ESTABLISHMENT, POSTS, PROPOSALS, CASES],
  [Role.TuRep]: [HOME, CONSULTATIONS, ESTABLISHMENT],
};

export function navigationFor(role: Role, path: string): { text: string; href: string; active: boolean }[] {
  const items = NAVIGATION[role];
  const current = items.filter((i) => (i.href === '/' ? path === '/' : i.match.some((m) => path === m || path.startsWith(`${m}/`) || path.startsWith(`${m}?`))));
  return items.map((i) => ({ text: i.text, href: i.href, active: current.includes(i) }));
}

import { Role } from '../common/access/role.enum';

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
const CASES: NavItem = { text: 'Cases', href: '/cases', match: ['/cases', '/people', '/pipeline', '/programmes/*/cases', '/programmes/*/pipeline'] };
const CONSULTATIONS: NavItem = { text: 'Consultation', href: '/consultations', match: ['/consultations', '/forum', '/representations', '/meetings'] };
const SCENARIOS: NavItem = { text: 'Scenarios', href: '/scenarios', match: ['/scenarios', '/programmes/*/scenarios'] };
const ELI: NavItem = { text: 'ELI', href: '/eli', match: ['/eli', '/programmes/*/eli'] };
const LETTERS: NavItem = { text: 'Documents', href: '/documents', match: ['/documents', '/document-templates', '/programmes/*/documents'] };
const ADMIN: NavItem = { text: 'Admin', href: '/admin', match: ['/admin'] };

/** What each role's service navigation offers (pages beyond it are reached from these). */
export const NAVIGATION: Record<Role, NavItem[]> = {
  [Role.Admin]: [HOME, ESTABLISHMENT, POSTS, DECISIONS, SCENARIOS, CASES, ELI, CONSULTATIONS, LETTERS, ADMIN],
  [Role.HrOfficer]: [HOME, ESTABLISHMENT, POSTS, DECISIONS, SCENARIOS, CASES, ELI, CONSULTATIONS, LETTERS],
  [Role.Manager]: [HOME, ESTABLISHMENT, POSTS, PROPOSALS, SCENARIOS, CASES],
  [Role.TuRep]: [HOME, CONSULTATIONS, ESTABLISHMENT, SCENARIOS],
};

/** How well a match pattern fits the path (its number of segments), or 0. A `*` segment matches any one segment. */
function fit(pattern: string, path: string): number {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('?')[0].split('/').filter(Boolean);
  if (got.length < want.length) return 0;
  return want.every((w, i) => w === '*' || w === got[i]) ? want.length : 0;
}

export function navigationFor(role: Role, path: string): { text: string; href: string; active: boolean }[] {
  const items = NAVIGATION[role];
  // The most specific match wins: /programmes/:id/cases is under Cases, /programmes/:id/establishment under Establishment.
  const score = (i: NavItem) => (i.href === '/' ? (path === '/' ? 1 : 0) : Math.max(0, ...i.match.map((m) => fit(m, path))));
  const best = Math.max(0, ...items.map(score));
  return items.map((i) => ({ text: i.text, href: i.href, active: best > 0 && score(i) === best }));
}

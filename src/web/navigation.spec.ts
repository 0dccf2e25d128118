import { Role } from '../common/access/role.enum';
import { navigationFor } from './navigation';

const active = (role: Role, path: string) => navigationFor(role, path).filter((i) => i.active).map((i) => i.text);

describe('navigation: the current item', () => {
  it('is the most specific match: a programme’s cases and pipeline are under Cases, its establishment under Establishment', () => {
    expect(active(Role.HrOfficer, '/programmes/1b2c/cases')).toEqual(['Cases']);
    expect(active(Role.HrOfficer, '/programmes/1b2c/cases/bulk/check?caseIds=x')).toEqual(['Cases']);
    expect(active(Role.HrOfficer, '/programmes/1b2c/pipeline')).toEqual(['Cases']);
    expect(active(Role.HrOfficer, '/programmes/1b2c/establishment')).toEqual(['Establishment']);
    expect(active(Role.HrOfficer, '/cases/abc')).toEqual(['Cases']);
    expect(active(Role.HrOfficer, '/people/abc')).toEqual(['Cases']);
    expect(active(Role.HrOfficer, '/posts?scope=in_scope')).toEqual(['Posts']);
    expect(active(Role.HrOfficer, '/')).toEqual(['Home']);
    expect(active(Role.HrOfficer, '/casesx')).toEqual([]);
  });

  it('falls back to a broader item when the role has no such item (a rep’s pipeline is under Establishment)', () => {
    expect(active(Role.TuRep, '/programmes/1b2c/pipeline')).toEqual(['Establishment']);
  });
});

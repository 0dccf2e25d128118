import { deadlineStatus, DeadlineStatus, missingForStage } from './case-rules';
import { CaseRoute, CaseState } from './case-state';

describe('deadline status', () => {
  const today = '2017-03-01';
  it('is done once recorded, whatever the date', () => {
    expect(deadlineStatus('2017-02-01', '2017-02-20', today)).toBe(DeadlineStatus.Done);
  });
  it('is overdue the day after its date', () => {
    expect(deadlineStatus('2017-02-28', null, today)).toBe(DeadlineStatus.Overdue);
  });
  it('is due from 7 days before until the day itself', () => {
    expect(deadlineStatus('2017-03-01', null, today)).toBe(DeadlineStatus.Due);
    expect(deadlineStatus('2017-03-08', null, today)).toBe(DeadlineStatus.Due);
  });
  it('is upcoming further away', () => {
    expect(deadlineStatus('2017-03-09', null, today)).toBe(DeadlineStatus.Upcoming);
  });
});

describe('what a case needs at its stage', () => {
  const base = {
    route: CaseRoute.TupeTransfer,
    state: CaseState.InConsultation,
    heldFromState: null,
    proposedEffectiveDate: null,
    actualEffectiveDate: null,
    destinationOrganisationId: null,
    destinationPostId: null,
    legalBasis: null,
    hostOrganisationId: null,
    secondmentStartDate: null,
    secondmentEndDate: null,
  };
  it('asks nothing while in consultation', () => {
    expect(missingForStage(base)).toEqual([]);
  });
  it('names what a transfer lacks once agreed, also while held from agreed', () => {
    const fields = ['destinationOrganisationId', 'legalBasis', 'proposedEffectiveDate'];
    expect(missingForStage({ ...base, state: CaseState.Agreed }).map((d) => d.field)).toEqual(fields);
    expect(missingForStage({ ...base, state: CaseState.OnHold, heldFromState: CaseState.Agreed }).map((d) => d.field)).toEqual(fields);
  });
  it('wants the route decided and an actual date once effective', () => {
    expect(missingForStage({ ...base, route: CaseRoute.Undecided, state: CaseState.Agreed }).map((d) => d.field)).toEqual(['route']);
    expect(missingForStage({ ...base, route: CaseRoute.RemainsWithCouncil, state: CaseState.Effective }).map((d) => d.field)).toEqual(['actualEffectiveDate']);
  });
});

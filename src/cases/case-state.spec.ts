import { allowedNextStates, CASE_STATE_EDGES, CaseState, FINAL_STATES, OPEN_STATES } from './case-state';

describe('case state machine', () => {
  it('walks the main line proposed -> completed', () => {
    const line = [CaseState.Proposed, CaseState.InConsultation, CaseState.Agreed, CaseState.LettersIssued, CaseState.Effective, CaseState.Completed];
    for (let i = 0; i < line.length - 1; i++) expect(allowedNextStates(line[i], null)).toContain(line[i + 1]);
  });

  it('puts any open state on hold and returns it exactly where it was', () => {
    for (const s of OPEN_STATES) {
      expect(allowedNextStates(s, null)).toContain(CaseState.OnHold);
      expect(allowedNextStates(CaseState.OnHold, s)).toEqual([s, CaseState.Withdrawn]);
    }
  });

  it('withdraws from any open state or hold, never after the move took effect', () => {
    for (const s of [...OPEN_STATES, CaseState.OnHold]) expect(CASE_STATE_EDGES[s]).toContain(CaseState.Withdrawn);
    expect(allowedNextStates(CaseState.Effective, null)).toEqual([CaseState.Completed]);
  });

  it('has no way out of a final state', () => {
    for (const s of FINAL_STATES) expect(allowedNextStates(s, null)).toEqual([]);
  });

  it('does not skip steps', () => {
    expect(allowedNextStates(CaseState.Proposed, null)).not.toContain(CaseState.Agreed);
    expect(allowedNextStates(CaseState.Agreed, null)).not.toContain(CaseState.Effective);
  });
});

/**
 * The case state machine:
 *
 *   proposed -> in_consultation -> agreed -> letters_issued -> effective -> completed
 *                       ^-----------'   (an agreement can fall through: back to consultation)
 *
 * - on_hold from any open state (proposed … letters_issued); leaving it goes back to exactly the
 *   state it was held from (or to withdrawn);
 * - withdrawn from any open state or on_hold. Once effective the move has happened: it can only
 *   be completed, not withdrawn or held. completed and withdrawn are final.
 *
 * The database keeps the same edges (table case_state_edges, trigger transition_cases_guard_state);
 * an integration test checks the two lists are identical.
 */
export enum CaseState {
  Proposed = 'proposed',
  InConsultation = 'in_consultation',
  Agreed = 'agreed',
  LettersIssued = 'letters_issued',
  Effective = 'effective',
  Completed = 'completed',
  OnHold = 'on_hold',
  Withdrawn = 'withdrawn',
}

export enum CaseRoute {
  Undecided = 'undecided',
  Secondment = 'secondment',
  TupeTransfer = 'tupe_transfer',
  CosopTransfer = 'cosop_transfer',
  RemainsWithCouncil = 'remains_with_council',
  Redeployment = 'redeployment',
  Leaves = 'leaves',
}

/** Display and CSV order. */
export const CASE_STATES: readonly CaseState[] = Object.values(CaseState);
export const CASE_ROUTES: readonly CaseRoute[] = Object.values(CaseRoute);

export const OPEN_STATES: readonly CaseState[] = [CaseState.Proposed, CaseState.InConsultation, CaseState.Agreed, CaseState.LettersIssued];
export const FINAL_STATES: readonly CaseState[] = [CaseState.Completed, CaseState.Withdrawn];
/** Stages at which the route's arrangements must be complete (a case on hold counts at the stage it was held from). */
export const COMMITTED_STATES: readonly CaseState[] = [CaseState.Agreed, CaseState.LettersIssued, CaseState.Effective, CaseState.Completed];
export const TRANSFER_ROUTES: readonly CaseRoute[] = [CaseRoute.TupeTransfer, CaseRoute.CosopTransfer];

export const CASE_STATE_EDGES: Readonly<Record<CaseState, readonly CaseState[]>> = {
  [CaseState.Proposed]: [CaseState.InConsultation, CaseState.OnHold, CaseState.Withdrawn],
  [CaseState.InConsultation]: [CaseState.Agreed, CaseState.OnHold, CaseState.Withdrawn],
  [CaseState.Agreed]: [CaseState.LettersIssued, CaseState.InConsultation, CaseState.OnHold, CaseState.Withdrawn],
  [CaseState.LettersIssued]: [CaseState.Effective, CaseState.OnHold, CaseState.Withdrawn],
  [CaseState.Effective]: [CaseState.Completed],
  [CaseState.Completed]: [],
  [CaseState.OnHold]: [CaseState.Proposed, CaseState.InConsultation, CaseState.Agreed, CaseState.LettersIssued, CaseState.Withdrawn],
  [CaseState.Withdrawn]: [],
};

/** Where a case may go next. On hold: back where it was, or withdrawn. */
export function allowedNextStates(state: CaseState, heldFrom: CaseState | null): CaseState[] {
  if (state === CaseState.OnHold) return heldFrom ? [heldFrom, CaseState.Withdrawn] : [CaseState.Withdrawn];
  return [...CASE_STATE_EDGES[state]];
}

/** The stage whose requirements apply: a held case keeps those of the state it was held from. */
export function stageOf(state: CaseState, heldFrom: CaseState | null): CaseState {
  return state === CaseState.OnHold && heldFrom ? heldFrom : state;
}

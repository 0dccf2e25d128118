/**
 * A scenario's life:
 *
 *   draft -> shared -> proposed -> approved -> merged
 *     ^--------'          |  ^        |
 *     ^-------------------'  '--------'  (sent back; an approved scenario rebased goes back to proposed)
 *
 * - draft: private to its author (and HR and admins); shared: the programme's managers, HR and
 *   reps (as counts) can see it; proposed: waiting for HR or an admin to approve it;
 * - discarded from any status but merged; merged and discarded are final.
 *
 * The database keeps the same edges (table scenario_status_edges, trigger scenarios_guard_status);
 * an integration test checks the two lists are identical.
 */
export enum ScenarioStatus {
  Draft = 'draft',
  Shared = 'shared',
  Proposed = 'proposed',
  Approved = 'approved',
  Merged = 'merged',
  Discarded = 'discarded',
}

export const SCENARIO_STATUSES: readonly ScenarioStatus[] = Object.values(ScenarioStatus);

export const SCENARIO_STATUS_EDGES: Readonly<Record<ScenarioStatus, readonly ScenarioStatus[]>> = {
  [ScenarioStatus.Draft]: [ScenarioStatus.Shared, ScenarioStatus.Proposed, ScenarioStatus.Discarded],
  [ScenarioStatus.Shared]: [ScenarioStatus.Draft, ScenarioStatus.Proposed, ScenarioStatus.Discarded],
  [ScenarioStatus.Proposed]: [ScenarioStatus.Approved, ScenarioStatus.Draft, ScenarioStatus.Discarded],
  [ScenarioStatus.Approved]: [ScenarioStatus.Merged, ScenarioStatus.Proposed, ScenarioStatus.Discarded],
  [ScenarioStatus.Merged]: [],
  [ScenarioStatus.Discarded]: [],
};

/** Statuses whose changes may still be edited. */
export const EDITABLE_STATUSES: readonly ScenarioStatus[] = [ScenarioStatus.Draft, ScenarioStatus.Shared];

/** The status moves a person asks for by name (merging has its own journey). */
export type StatusMove = 'share' | 'unshare' | 'propose' | 'approve' | 'send_back' | 'discard';

export const MOVE_TARGET: Record<StatusMove, ScenarioStatus> = {
  share: ScenarioStatus.Shared,
  unshare: ScenarioStatus.Draft,
  propose: ScenarioStatus.Proposed,
  approve: ScenarioStatus.Approved,
  send_back: ScenarioStatus.Draft,
  discard: ScenarioStatus.Discarded,
};

export const STATUS_MOVES = Object.keys(MOVE_TARGET) as StatusMove[];

/** Which moves are open from a status: the edge must exist, and the move must name it (send_back only from proposed or approved). */
export function movesFrom(status: ScenarioStatus): StatusMove[] {
  return STATUS_MOVES.filter((m) => {
    if (!SCENARIO_STATUS_EDGES[status].includes(MOVE_TARGET[m])) return false;
    if (m === 'unshare') return status === ScenarioStatus.Shared;
    if (m === 'send_back') return status === ScenarioStatus.Proposed;
    return true;
  });
}

/** Moves only HR officers and admins make. */
export const STAFF_MOVES: readonly StatusMove[] = ['approve', 'send_back'];

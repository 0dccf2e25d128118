import { CaseRoute } from '../../cases/case-state';
import { ScenarioStatus, StatusMove } from '../scenario-status';

export const STATUS_LABELS: Record<ScenarioStatus, string> = {
  [ScenarioStatus.Draft]: 'Draft',
  [ScenarioStatus.Shared]: 'Shared',
  [ScenarioStatus.Proposed]: 'Proposed',
  [ScenarioStatus.Approved]: 'Approved',
  [ScenarioStatus.Merged]: 'Merged',
  [ScenarioStatus.Discarded]: 'Discarded',
};

export const STATUS_COLOURS: Record<ScenarioStatus, string> = {
  [ScenarioStatus.Draft]: 'govuk-tag--grey',
  [ScenarioStatus.Shared]: 'govuk-tag--light-blue',
  [ScenarioStatus.Proposed]: 'govuk-tag--yellow',
  [ScenarioStatus.Approved]: 'govuk-tag--green',
  [ScenarioStatus.Merged]: 'govuk-tag--purple',
  [ScenarioStatus.Discarded]: 'govuk-tag--red',
};

export const MOVE_LABELS: Record<StatusMove, string> = {
  share: 'Share with the programme',
  unshare: 'Make it a private draft again',
  propose: 'Propose for approval',
  approve: 'Approve',
  send_back: 'Send back to the author',
  discard: 'Discard the scenario',
};

export const ROUTE_LABELS: Record<CaseRoute, string> = {
  [CaseRoute.Undecided]: 'Undecided',
  [CaseRoute.Secondment]: 'Secondment',
  [CaseRoute.TupeTransfer]: 'TUPE transfer',
  [CaseRoute.CosopTransfer]: 'COSOP transfer',
  [CaseRoute.RemainsWithCouncil]: 'Remains with the council',
  [CaseRoute.Redeployment]: 'Redeployment (or redundancy)',
  [CaseRoute.Leaves]: 'Leaves',
};

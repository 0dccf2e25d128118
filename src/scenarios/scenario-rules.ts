import { addDays, daysBetween } from '../common/dates';
import { bandFor, describeBand, RuleVersion, versionInForce } from '../consultations/collective-redundancy';
import { CaseRoute } from '../cases/case-state';
import { Scope } from '../establishment/establishment.constants';
import { aggregateProposals, DismissalProposal, eliDue, reg13InformationDue, RULES, RuleId } from '../statutory/rules';

/** Organisation kinds that are public administrative authorities (TUPE reg. 3(5)). */
const PUBLIC_ADMINISTRATION = ['council', 'ccg', 'merged_ccg'];

export interface PostState {
  scope: Scope;
  deleted: boolean;
  destinationOrganisationId: string | null;
}

export interface RouteFacts {
  before: PostState;
  after: PostState;
  /** The organisation employing the post now, and its kind. */
  sourceKind: string;
  /** Where the post would go: the change's destination, else the post's, else the programme's. */
  destinationKind: string;
  destinationName: string;
  /** The route of the person's live case, if one is decided. */
  caseRoute: CaseRoute | null;
  gradeChanged: boolean;
  fteReducedBelowHolder: boolean;
}

export interface LikelyRoute {
  route: CaseRoute;
  /** The post's holder would be proposed for dismissal (s.188 counts them) unless redeployed. */
  proposedDismissal: boolean;
  /** Moves at go-live (a transfer or secondment), so the TUPE deadlines apply. */
  transfers: boolean;
  basis: string;
}

const moves = (s: PostState) => !s.deleted && s.scope === Scope.InScope;

/**
 * The route a post holder would likely take under a scenario, from the case rules' routes
 * (src/cases/case-state.ts). A decided live case keeps its route when the person still moves. A
 * post that comes into scope moves to its destination: between public administrative authorities
 * (council to CCG) TUPE does not strictly apply (reg. 3(5)) and the transfer is run under COSOP;
 * to any other body (the Local Care Organisation) it is a TUPE transfer. A deleted filled post is
 * a proposed dismissal (redeployment first).
 */
export function likelyRoute(f: RouteFacts): LikelyRoute {
  if (f.after.deleted) {
    return { route: CaseRoute.Redeployment, proposedDismissal: true, transfers: false, basis: 'The post would be deleted: redeployment is sought first; otherwise a proposed dismissal for redundancy (TULRCA 1992 s.188 counts it)' };
  }
  if (moves(f.after)) {
    if (f.caseRoute && [CaseRoute.TupeTransfer, CaseRoute.CosopTransfer, CaseRoute.Secondment].includes(f.caseRoute)) {
      return { route: f.caseRoute, proposedDismissal: false, transfers: true, basis: `The route already decided on the person's case, to ${f.destinationName}` };
    }
    const cosop = PUBLIC_ADMINISTRATION.includes(f.sourceKind) && PUBLIC_ADMINISTRATION.includes(f.destinationKind);
    return cosop
      ? { route: CaseRoute.CosopTransfer, proposedDismissal: false, transfers: true, basis: `A transfer between public bodies to ${f.destinationName}: run under COSOP as if TUPE applied (TUPE 2006 reg. 3(5))` }
      : { route: CaseRoute.TupeTransfer, proposedDismissal: false, transfers: true, basis: `A relevant transfer to ${f.destinationName} (TUPE 2006 reg. 3)` };
  }
  if (moves(f.before)) {
    return {
      route: CaseRoute.RemainsWithCouncil,
      proposedDismissal: false,
      transfers: false,
      basis: f.after.scope === Scope.LaterPhase ? 'Comes in at a later phase: stays with its employer until then' : 'No longer in scope: stays with its employer',
    };
  }
  const why = f.gradeChanged ? 'Re-graded in post: consult on the change; pay protection may apply' : f.fteReducedBelowHolder ? 'Fewer hours than the holder works: a change to terms to consult on' : 'Stays with its employer';
  return { route: CaseRoute.RemainsWithCouncil, proposedDismissal: false, transfers: false, basis: why };
}

export interface CollectiveConsequence {
  establishment: string;
  proposedDismissals: number;
  /** With the earlier proposals at the same establishment within 90 days (s.188(1)). */
  totalWithinNinetyDays: number;
  explanation: string;
  band: string | null;
  minimumPeriodDays: number | null;
  firstDismissalDate: string;
  consultationMustBeginBy: string | null;
  hr1DueDate: string | null;
  hr1DaysBefore: number | null;
  late: boolean;
  citation: string;
  rulesAppliedFrom: string | null;
  summary: string;
}

/**
 * s.188 and s.193 for the dismissals a scenario proposes at one establishment, if it were proposed
 * on `asOf` with the first dismissal on `firstDismissalDate` (the programme's go-live): the band,
 * when consultation must begin and when HR1 is due, adding up earlier proposals (s.188(1), (3)).
 */
export function collectiveConsequence(
  versions: RuleVersion[],
  existing: DismissalProposal[],
  c: { establishment: string; proposedDismissals: number; asOf: string; firstDismissalDate: string; title: string },
): CollectiveConsequence {
  const self: DismissalProposal = {
    id: 'scenario',
    title: c.title,
    establishment: c.establishment,
    proposedDismissals: c.proposedDismissals,
    startDate: c.asOf,
    plannedEndDate: addDays(c.firstDismissalDate, -1),
    firstDismissalDate: c.firstDismissalDate,
    consultationBegun: false,
    openedAt: null,
    createdAt: '9999-12-31T00:00:00.000Z',
  };
  const agg = aggregateProposals(self, existing);
  const version = versionInForce(versions, c.asOf);
  const band = version ? bandFor(version, agg.total) : null;
  const citation = RULES[RuleId.S188Aggregation].citation;
  if (!band) {
    return {
      establishment: c.establishment,
      proposedDismissals: c.proposedDismissals,
      totalWithinNinetyDays: agg.total,
      explanation: agg.explanation,
      band: null,
      minimumPeriodDays: null,
      firstDismissalDate: c.firstDismissalDate,
      consultationMustBeginBy: null,
      hr1DueDate: null,
      hr1DaysBefore: null,
      late: false,
      citation,
      rulesAppliedFrom: version?.appliesFrom ?? null,
      summary: `${agg.total} proposed dismissals within 90 days: below the collective consultation threshold (no statutory minimum; individual consultation still applies)`,
    };
  }
  const mustBeginBy = addDays(c.firstDismissalDate, -band.minimumPeriodDays);
  const hr1 = addDays(c.firstDismissalDate, -band.hr1DaysBefore);
  const late = c.asOf > mustBeginBy;
  return {
    establishment: c.establishment,
    proposedDismissals: c.proposedDismissals,
    totalWithinNinetyDays: agg.total,
    explanation: agg.explanation,
    band: describeBand(band),
    minimumPeriodDays: band.minimumPeriodDays,
    firstDismissalDate: c.firstDismissalDate,
    consultationMustBeginBy: mustBeginBy,
    hr1DueDate: hr1,
    hr1DaysBefore: band.hr1DaysBefore,
    late,
    citation: band.citation,
    rulesAppliedFrom: version!.appliesFrom,
    summary:
      `${agg.total} proposed dismissals (${describeBand(band)}): consultation must begin at least ${band.minimumPeriodDays} days before the first dismissal on ` +
      `${c.firstDismissalDate}, so by ${mustBeginBy}; HR1 to the Secretary of State by ${hr1} (s.193)` +
      (late ? `. As at ${c.asOf} that is ${daysBetween(mustBeginBy, c.asOf)} days too late: the first dismissal would have to move to ${addDays(c.asOf, band.minimumPeriodDays)} or later` : ''),
  };
}

export interface TransferDeadline {
  transferDate: string;
  people: number;
  eliDueOn: string;
  eliCitation: string;
  informationDueOn: string;
  informationCitation: string;
  /** The ELI date has passed as at the date viewed. */
  eliPassed: boolean;
  summary: string;
}

/** TUPE reg. 11 and reg. 13 deadlines for the transfers a scenario implies, one line per transfer date. */
export function transferDeadlines(byDate: Map<string, number>, asOf: string, reg13Days: number): TransferDeadline[] {
  return [...byDate.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([transferDate, people]) => {
      const eli = eliDue(transferDate);
      const info = reg13InformationDue(transferDate, null, reg13Days);
      return {
        transferDate,
        people,
        eliDueOn: eli.dueOn,
        eliCitation: eli.rule.citation,
        informationDueOn: info.dueOn,
        informationCitation: info.rule.citation,
        eliPassed: eli.dueOn < asOf,
        summary: eli.note,
      };
    });
}

import { addDays, daysBetween } from '../common/dates';

/** One band of a version of the collective redundancy rules (see CollectiveRedundancyRule). */
export interface RuleBand {
  id: string;
  appliesFrom: string;
  minDismissals: number;
  maxDismissals: number | null;
  minimumPeriodDays: number;
  hr1DaysBefore: number;
  citation: string;
}

export interface RuleVersion {
  appliesFrom: string;
  bands: RuleBand[];
}

/** What the rules say for one consultation: frozen on the consultation once it opens. */
export interface Deadlines {
  rulesAppliedFrom: string;
  /** The band applied, or null: fewer dismissals than the lowest band have no statutory minimum. */
  rule: RuleBand | null;
  minimumPeriodDays: number | null;
  /** The earliest planned end date: day N of the consultation, counting the start date as day 1. */
  minimumEndDate: string | null;
  /** HR1 to the Secretary of State: at least hr1DaysBefore days before the first dismissal takes effect. */
  hr1DueDate: string | null;
}

export function groupVersions(bands: RuleBand[]): RuleVersion[] {
  const byDate = new Map<string, RuleBand[]>();
  for (const b of bands) byDate.set(b.appliesFrom, [...(byDate.get(b.appliesFrom) ?? []), b]);
  return [...byDate.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([appliesFrom, bs]) => ({ appliesFrom, bands: bs.sort((x, y) => x.minDismissals - y.minDismissals) }));
}

/** The version in force on a date: the latest one that applies from that date or earlier. */
export function versionInForce(versions: RuleVersion[], date: string): RuleVersion | null {
  let found: RuleVersion | null = null;
  for (const v of versions) if (v.appliesFrom <= date && (!found || v.appliesFrom > found.appliesFrom)) found = v;
  return found;
}

export function bandFor(version: RuleVersion, dismissals: number): RuleBand | null {
  return version.bands.find((b) => dismissals >= b.minDismissals && (b.maxDismissals === null || dismissals <= b.maxDismissals)) ?? null;
}

/**
 * The first dismissal may take effect the day after the consultation's planned end at the
 * earliest; when HR has not planned a later date, that day is the one the HR1 deadline counts back from.
 */
export function effectiveFirstDismissal(plannedEndDate: string, firstDismissalDate: string | null): string {
  return firstDismissalDate ?? addDays(plannedEndDate, 1);
}

export function deriveDeadlines(
  version: RuleVersion,
  c: { startDate: string; plannedEndDate: string; proposedDismissals: number; firstDismissalDate: string | null },
): Deadlines {
  const rule = bandFor(version, c.proposedDismissals);
  if (!rule) return { rulesAppliedFrom: version.appliesFrom, rule: null, minimumPeriodDays: null, minimumEndDate: null, hr1DueDate: null };
  return {
    rulesAppliedFrom: version.appliesFrom,
    rule,
    minimumPeriodDays: rule.minimumPeriodDays,
    minimumEndDate: addDays(c.startDate, rule.minimumPeriodDays - 1),
    hr1DueDate: addDays(effectiveFirstDismissal(c.plannedEndDate, c.firstDismissalDate), -rule.hr1DaysBefore),
  };
}

export function describeBand(b: Pick<RuleBand, 'minDismissals' | 'maxDismissals'>): string {
  return b.maxDismissals === null ? `${b.minDismissals} or more` : `${b.minDismissals} to ${b.maxDismissals}`;
}

/** Why a planned end date is too early, in words a user can act on; null when it is not. */
export function minimumPeriodProblem(d: Deadlines, c: { startDate: string; plannedEndDate: string; proposedDismissals: number }): string | null {
  if (!d.rule || !d.minimumEndDate || c.plannedEndDate >= d.minimumEndDate) return null;
  const day = daysBetween(c.startDate, c.plannedEndDate) + 1;
  return (
    `${c.proposedDismissals} proposed dismissals at one establishment within 90 days (${describeBand(d.rule)}) need at least ` +
    `${d.rule.minimumPeriodDays} days of consultation before the first dismissal takes effect (${d.rule.citation}; ` +
    `rules applying from ${d.rulesAppliedFrom}): starting on ${c.startDate}, the planned end date must be on or after ` +
    `${d.minimumEndDate} (day ${d.rule.minimumPeriodDays}), but ${c.plannedEndDate} is day ${day}`
  );
}

/** Problems with a new version of the rules (bands must not overlap; the top band may be open-ended). */
export function versionProblems(bands: Pick<RuleBand, 'minDismissals' | 'maxDismissals'>[]): { field: string; reason: string }[] {
  const out: { field: string; reason: string }[] = [];
  const sorted = bands.map((b, i) => ({ ...b, i })).sort((a, b) => a.minDismissals - b.minDismissals);
  sorted.forEach((b, k) => {
    if (b.maxDismissals !== null && b.maxDismissals < b.minDismissals) {
      out.push({ field: `bands[${b.i}].maxDismissals`, reason: 'must not be less than minDismissals' });
    }
    const next = sorted[k + 1];
    if (next && (b.maxDismissals === null || b.maxDismissals >= next.minDismissals)) {
      out.push({ field: `bands[${next.i}].minDismissals`, reason: `overlaps the band starting at ${b.minDismissals}` });
    }
  });
  return out;
}

import { Scope } from '../establishment.constants';

/** The words for each scope, as the report and the pages use them. */
export const SCOPE_LABELS: Record<Scope, string> = {
  [Scope.InScope]: 'In scope',
  [Scope.OutOfScope]: 'Out of scope',
  [Scope.UnderReview]: 'Under review',
  [Scope.LaterPhase]: 'Later phase',
};

/** govukRadios items for a choice of scope. */
export function scopeItems(scopes: Scope[], selected?: string): { value: string; text: string; checked: boolean }[] {
  return scopes.map((s) => ({ value: s, text: SCOPE_LABELS[s], checked: s === selected }));
}

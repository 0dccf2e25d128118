/** The values the establishment's columns take (the database CHECKs hold the same lists). */

export enum Scope {
  InScope = 'in_scope',
  OutOfScope = 'out_of_scope',
  UnderReview = 'under_review',
  LaterPhase = 'later_phase',
}
export const SCOPES = Object.values(Scope);

export enum EstablishmentStatus {
  Filled = 'filled',
  Vacant = 'vacant',
  Frozen = 'frozen',
  Deleted = 'deleted',
}
export const ESTABLISHMENT_STATUSES = Object.values(EstablishmentStatus);

export enum OrganisationKind {
  Council = 'council',
  Ccg = 'ccg',
  MergedCcg = 'merged_ccg',
  LocalCareOrganisation = 'local_care_organisation',
  Other = 'other',
}

export enum OrganisationStatus {
  Active = 'active',
  ToBeDisestablished = 'to_be_disestablished',
  Disestablished = 'disestablished',
  Proposed = 'proposed',
}

export enum ProgrammeStatus {
  Planning = 'planning',
  Consultation = 'consultation',
  Implementation = 'implementation',
  Live = 'live',
  Closed = 'closed',
}

export enum ScopeProposalKind {
  /** A manager suggests a scope for a post. */
  Proposal = 'proposal',
  /** A manager disputes the scope already decided. */
  Challenge = 'challenge',
}

export enum ScopeProposalStatus {
  Open = 'open',
  Accepted = 'accepted',
  Rejected = 'rejected',
  Withdrawn = 'withdrawn',
}

/** Import caps: a bigger upload is refused with 413, more rows with 400 (defaults of the IMPORT_MAX_BYTES and IMPORT_MAX_ROWS settings). */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 100_000;
/** At most this many row errors are returned (the total is always given). */
export const IMPORT_MAX_ERRORS = 1000;

export const POSTS_PAGE_DEFAULT = 50;
export const POSTS_PAGE_MAX = 500;

export const MIME = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json',
} as const;

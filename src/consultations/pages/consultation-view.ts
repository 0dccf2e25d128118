import { MilestoneStatus } from '../entities/milestone.entity';

/** A GOV.UK tag for a milestone's status, as at the session's date. */
export function milestoneTag(m: { status: MilestoneStatus; overdue?: boolean; daysUntilDue?: number | null }): { text: string; classes: string } {
  switch (m.status) {
    case MilestoneStatus.Done:
      return { text: 'Done', classes: 'govuk-tag--green' };
    case MilestoneStatus.Missed:
      return { text: 'Missed', classes: 'govuk-tag--red' };
    case MilestoneStatus.Cancelled:
      return { text: 'Cancelled', classes: 'govuk-tag--grey' };
    default:
      if (m.overdue) return { text: 'Overdue', classes: 'govuk-tag--red' };
      if (m.daysUntilDue === 0) return { text: 'Due today', classes: 'govuk-tag--orange' };
      if (m.daysUntilDue !== null && m.daysUntilDue !== undefined && m.daysUntilDue <= 7) return { text: `Due in ${m.daysUntilDue} day${m.daysUntilDue === 1 ? '' : 's'}`, classes: 'govuk-tag--yellow' };
      return { text: 'Upcoming', classes: 'govuk-tag--blue' };
  }
}

export const PHASE_TAGS: Record<string, { text: string; classes: string }> = {
  planned: { text: 'Planned', classes: 'govuk-tag--grey' },
  not_started: { text: 'Not started', classes: 'govuk-tag--grey' },
  open: { text: 'Open', classes: 'govuk-tag--green' },
  extended: { text: 'Extended', classes: 'govuk-tag--yellow' },
  period_ended: { text: 'Period ended', classes: 'govuk-tag--orange' },
  closed: { text: 'Closed', classes: 'govuk-tag--blue' },
};

export const STATUS_TAGS: Record<string, { text: string; classes: string }> = {
  planned: { text: 'Planned', classes: 'govuk-tag--grey' },
  open: { text: 'Open', classes: 'govuk-tag--green' },
  extended: { text: 'Extended', classes: 'govuk-tag--yellow' },
  closed: { text: 'Closed', classes: 'govuk-tag--blue' },
};

/**
 * A version conflict, told apart from other 409s (a closed record, a wrong state): the service's
 * stale-version error names the `version` field.
 */

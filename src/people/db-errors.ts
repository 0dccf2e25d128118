import { HttpStatus } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ApiException } from '../common/errors/api-error';

export interface ConstraintError {
  status: HttpStatus;
  field: string;
  message: string;
}

/**
 * Turn the refusal of a named database rule into the one error shape, naming the request field it
 * concerns; the database's own sentence (e.g. which date is over-full) becomes the reason.
 * Anything else is rethrown for the global filter.
 */
export function rethrowConstraint(err: unknown, rules: Record<string, ConstraintError>): never {
  if (err instanceof QueryFailedError) {
    const driver = (err as QueryFailedError & { driverError?: { constraint?: string; message?: string } }).driverError;
    const rule = driver?.constraint ? rules[driver.constraint] : undefined;
    if (rule) throw new ApiException(rule.status, rule.message, [{ field: rule.field, reason: driver?.message ?? rule.message }]);
  }
  throw err;
}

/** Rules on assignments the database keeps (migration 1763800400000). */
export const ASSIGNMENT_RULES: Record<string, ConstraintError> = {
  post_assignments_within_post_fte: { status: HttpStatus.CONFLICT, field: 'fte', message: 'The post would have more FTE assigned than it has' },
  post_assignments_within_contracted_fte: {
    status: HttpStatus.CONFLICT,
    field: 'fte',
    message: "The employee would be assigned more FTE than their contracted FTE",
  },
  post_assignments_no_double_booking: { status: HttpStatus.CONFLICT, field: 'startsOn', message: 'The employee already holds this post on some of these dates' },
  post_assignments_check: { status: HttpStatus.UNPROCESSABLE_ENTITY, field: 'endsOn', message: 'An assignment cannot end before it starts' },
};

export const EMPLOYEE_RULES: Record<string, ConstraintError> = {
  employees_staff_number_key: { status: HttpStatus.CONFLICT, field: 'staffNumber', message: 'Another employee has this staff number' },
  employees_work_email_key: { status: HttpStatus.CONFLICT, field: 'workEmail', message: 'Another employee has this work email' },
  employees_continuity_never_reset: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    field: 'continuousServiceDate',
    message: 'Continuity of service is never reset: the continuous service date cannot move later or be cleared',
  },
  employees_continuity_not_after_start: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    field: 'continuousServiceDate',
    message: 'The continuous service date cannot be after the start date',
  },
  employees_contract_end_check: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    field: 'contractEndsOn',
    message: 'Only a fixed-term or temporary contract has an end date, on or after its start',
  },
  post_assignments_within_contracted_fte: {
    status: HttpStatus.CONFLICT,
    field: 'contractedFte',
    message: 'The employee is assigned more FTE than this contracted FTE',
  },
  employees_employer_organisation_id_fkey: { status: HttpStatus.UNPROCESSABLE_ENTITY, field: 'employerOrganisationId', message: 'No such organisation' },
};

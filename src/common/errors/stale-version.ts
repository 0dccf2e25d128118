import { HttpStatus } from '@nestjs/common';
import { ApiException } from './api-error';

/**
 * Optimistic concurrency, one error for every record: an update carries the `version` it read; if
 * the record has moved on, the answer is 409 on `version` with the version now stored, and one
 * wording. Pages key on the detail (field `version` with `currentVersion`), never on the message.
 */
export function staleVersion(what: string, current: number): ApiException {
  const name = what.charAt(0).toUpperCase() + what.slice(1);
  return new ApiException(HttpStatus.CONFLICT, `${name} was changed by someone else since you read it (now version ${current}): reload and try again`, [
    { field: 'version', reason: 'is stale', currentVersion: current },
  ]);
}

/** Throws staleVersion when a version was given and it is not the current one. */
export function assertVersion(what: string, v: { given: number | null | undefined; current: number }): void {
  if (v.given !== undefined && v.given !== null && v.given !== v.current) throw staleVersion(what, v.current);
}

/** True for the error staleVersion makes (wherever it came from). */
export function isStaleVersion(details: { field: string; currentVersion?: number }[] | undefined): boolean {
  return !!details?.some((d) => d.field === 'version' && typeof d.currentVersion === 'number');
}

import { HttpStatus, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ApiException } from '../common/errors/api-error';

/** 404 exactly as for something that does not exist (also what a caller outside their scope gets). */
export function notFound(what: string, id: string): NotFoundException {
  return new NotFoundException(`${what} ${id} not found`);
}

/** A reference to something that does not exist or does not fit: 422 naming the field. */
export function unprocessable(field: string, reason: string, message = 'The request refers to something that does not fit'): ApiException {
  return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, message, [{ field, reason }]);
}

/**
 * Run a write; a unique or foreign-key violation on a known constraint becomes a 409 naming the
 * request field instead of the constraint.
 */
export async function withConstraintFields<T>(fields: Record<string, { field: string; reason: string }>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const driver = e instanceof QueryFailedError ? (e as QueryFailedError & { driverError?: { constraint?: string } }).driverError : undefined;
    const known = driver?.constraint ? fields[driver.constraint] : undefined;
    if (known) throw new ApiException(HttpStatus.CONFLICT, `Conflict: ${known.field} ${known.reason}`, [known]);
    throw e;
  }
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A delete refused by a foreign key (something still refers to the row): 409 naming what refers to it. */
export async function rethrowStillReferenced<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const driver = e instanceof QueryFailedError ? (e as QueryFailedError & { driverError?: { code?: string; table?: string; detail?: string } }).driverError : undefined;
    if (driver?.code === '23503') {
      const by = /referenced from table "([^"]+)"/.exec(driver.detail ?? '')?.[1];
      throw new ApiException(HttpStatus.CONFLICT, 'It is still in use: remove or move what refers to it first', [
        { field: 'id', reason: `is still referenced${by ? ` by ${by.replace(/_/g, ' ')}` : ''}` },
      ]);
    }
    throw e;
  }
}

/** Validation decorators every feature's DTOs share. Put a type check last: class-validator runs bottom-up. */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Min, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { isDateOnly } from './dates';

/** A calendar date written YYYY-MM-DD (a real date: 2017-02-29 is refused). */
export function IsDateOnly(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isDateOnly', validator: { validate: (v: unknown) => isDateOnly(v), defaultMessage: () => 'must be a date written YYYY-MM-DD' } }, options);
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A moment in time, ISO 8601 with a UTC offset (2017-01-18T10:00:00Z, 2017-06-21T10:00:00+01:00). */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && INSTANT.test(v) && isDateOnly(v.slice(0, 10)) && !Number.isNaN(Date.parse(v)),
        defaultMessage: () => 'must be a date and time with a UTC offset, e.g. 2017-01-18T10:00:00Z',
      },
    },
    options,
  );
}

/** FTE and similar: a number with at most two decimals. */
export function IsTwoDecimals(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTwoDecimals',
      validator: {
        validate: (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(Math.round(v * 100) - v * 100) < 1e-9,
        defaultMessage: () => 'must be a number with at most two decimals',
      },
    },
    options,
  );
}

/** May be left out, but not sent as null (for fields that cannot be cleared). */
export const OptionalNotNull = () => ValidateIf((_: object, v: unknown) => v !== undefined);

/** Query strings: `?state=a&state=b` and `?state=a,b` both become ['a', 'b']. */
export const ToArray = () =>
  Transform(({ value }) => {
    if (value === undefined || value === null || value === '') return undefined;
    const list = Array.isArray(value) ? value : [value];
    return list.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
  });

/** Query strings: digits become an integer; anything else stays as given, for the validator to refuse. */
export const ToInt = () => Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));

/** The `version` an update must carry (optimistic concurrency: a stale one gets 409). */
export const VersionField = () =>
  applyDecorators(ApiProperty({ description: 'The version you read; a stale one gets 409' }), Min(1), IsInt());

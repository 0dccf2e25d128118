/** Validation decorators every feature's DTOs share. Put a type check last: class-validator runs bottom-up. */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
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

/**
 * A finite number with at most `places` decimals. Never throws, whatever the double
 * (class-validator's maxDecimalPlaces threw on 1e-7 and 5e-324: "1e-7" has no ".").
 */
export function hasAtMostDecimals(v: unknown, places: number): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Number(v.toFixed(places)) === v;
}

/** A number with at most `places` decimals (a safe replacement for IsNumber({ maxDecimalPlaces })). */
export function IsDecimalNumber(places: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isDecimalNumber', validator: { validate: (v: unknown) => hasAtMostDecimals(v, places), defaultMessage: () => `must be a number with at most ${places} decimals` } },
    options,
  );
}

/** A date of birth: a real date, not in the future and not before 1900-01-01. */
export function IsBirthDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBirthDate',
      validator: {
        validate: (v: unknown) => isDateOnly(v) && v >= '1900-01-01' && v <= new Date().toISOString().slice(0, 10),
        defaultMessage: () => 'must be a date written YYYY-MM-DD, from 1900-01-01 up to today',
      },
    },
    options,
  );
}

const STRICT_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Query strings: an ISO 8601 date (2017-02-01) or date-time becomes a Date only when it names a real
 * day (2017-02-30 stays a string, for @IsDate to refuse; `new Date()` would roll it to 2 March).
 */
export const ToStrictDate = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string' || !STRICT_INSTANT.test(value) || !isDateOnly(value.slice(0, 10))) return value;
    const t = value.length === 10 ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
    return Number.isNaN(t) ? value : new Date(t);
  });

/** FTE and similar: a number with at most two decimals. */
export function IsTwoDecimals(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTwoDecimals',
      validator: {
        validate: (v) => hasAtMostDecimals(v, 2),
        defaultMessage: () => 'must be a number with at most two decimals',
      },
    },
    options,
  );
}

/** May be left out, but not sent as null (for fields that cannot be cleared). */
export const OptionalNotNull = () => ValidateIf((_: object, v: unknown) => v !== undefined);

/**
 * Query strings: `?state=a&state=b` and `?state=a,b` both become ['a', 'b']. A filter given with no
 * value (`?state=`) is not "no filter": it stays [''] for the validator to refuse, naming the field.
 */
export const ToArray = () =>
  Transform(({ value }) => {
    if (value === undefined || value === null) return undefined;
    const list = Array.isArray(value) ? value : [value];
    const items = list.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
    return items.length > 0 ? items : [''];
  });

/** Query strings: digits become an integer; anything else stays as given, for the validator to refuse. */
export const ToInt = () => Transform(({ value }) => (typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value));

/** The `version` an update must carry (optimistic concurrency: a stale one gets 409). */
export const VersionField = () =>
  applyDecorators(ApiProperty({ description: 'The version you read; a stale one gets 409' }), Max(2_147_483_647), Min(1), IsInt());

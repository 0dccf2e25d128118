import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { isIsoDate } from '../iso-date';

/** A calendar date, exactly YYYY-MM-DD (no time, no zone). */
export function IsIsoDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isIsoDate', validator: { validate: (v) => isIsoDate(v), defaultMessage: () => 'must be a date as YYYY-MM-DD' } }, options);
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

/** Query strings: `?state=a&state=b` and `?state=a,b` both become ['a', 'b']. */
export const ToArray = () =>
  Transform(({ value }) => {
    if (value === undefined || value === null || value === '') return undefined;
    const list = Array.isArray(value) ? value : [value];
    return list.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
  });

/** Query strings: digits become an integer; anything else stays as given, for the validator to refuse. */
export const ToInt = () => Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));

/** May be absent, but not null (for fields that cannot be empty). */
export const IsOptionalNotNull = () => ValidateIf((_: object, v: unknown) => v !== undefined);

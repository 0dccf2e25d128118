import { ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { isDateOnly } from '../dates';

/** A calendar date written YYYY-MM-DD (a real date: 2017-02-29 is refused). */
export function IsDateOnly(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isDateOnly', validator: { validate: (v: unknown) => isDateOnly(v), defaultMessage: () => 'must be a date written YYYY-MM-DD' } }, options);
}

/** May be left out, but not sent as null (for fields that cannot be cleared). */
export function OptionalNotNull(): PropertyDecorator {
  return ValidateIf((_o: object, v: unknown) => v !== undefined);
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

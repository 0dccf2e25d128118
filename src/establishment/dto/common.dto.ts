import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsNumber, IsPositive, Matches, Max, Min, ValidateIf, ValidationOptions } from 'class-validator';

/** A calendar date `YYYY-MM-DD` that exists (2017-02-30 is refused). Type check last: it runs first. */
export function IsCalendarDate(opts?: ValidationOptions) {
  // applyDecorators registers in list order, and class-validator runs them in registration order.
  return applyDecorators(
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD', ...opts }),
    IsISO8601({ strict: true, strictSeparator: true }, { message: 'must be a real calendar date', ...opts }),
  );
}

/** May be left out, but not sent as null (for fields the database requires). */
export const IsOptionalNotNull = () => ValidateIf((_o: object, v: unknown) => v !== undefined);

/** FTE: 0 < fte <= 1, at most two decimals. */
export function IsFte() {
  return applyDecorators(
    IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }, { message: 'must be a number with at most two decimals' }),
    IsPositive({ message: 'must be greater than 0' }),
    Max(1, { message: 'must not be greater than 1' }),
  );
}

/** The version the client last read: a stale one gets 409 with the current version. */
export class VersionedDto {
  @ApiProperty({ example: 3, description: 'The version you last read; a stale one gets 409 with currentVersion' })
  @Min(1)
  @IsInt()
  version: number;
}

/** `?version=` for a DELETE: the version you last read. */
export class VersionQuery {
  @ApiProperty({ description: 'The version you last read; a stale one gets 409 with currentVersion' })
  @Type(() => Number)
  @Min(1)
  @IsInt()
  version: number;
}

export class RefResponse {
  @ApiProperty() id: string;
}

export class UserRefResponse {
  @ApiProperty() id: string;
  @ApiProperty() displayName: string;
}

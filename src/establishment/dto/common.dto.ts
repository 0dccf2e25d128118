import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsPositive, Max, Min } from 'class-validator';
import { IsDecimalNumber, ToInt, VersionField } from '../../common/validation';

// Shared with every feature: dates, optional-not-null and the version field live in src/common/validation.ts.
export { IsDateOnly, OptionalNotNull } from '../../common/validation';

/** FTE: 0 < fte <= 1, at most two decimals. */
export function IsFte() {
  return applyDecorators(
    IsDecimalNumber(2, { message: 'must be a number with at most two decimals' }),
    IsPositive({ message: 'must be greater than 0' }),
    Max(1, { message: 'must not be greater than 1' }),
  );
}

/** The version the client last read: a stale one gets 409 with the current version. */
export class VersionedDto {
  @VersionField()
  version: number;
}

/** `?version=` for a DELETE: the version you last read. */
export class VersionQuery {
  @ApiProperty({ description: 'The version you last read; a stale one gets 409 with currentVersion' })
  @Max(2_147_483_647)
  @Min(1)
  @IsInt()
  @ToInt()
  version: number;
}

export class RefResponse {
  @ApiProperty() id: string;
}

export class UserRefResponse {
  @ApiProperty() id: string;
  @ApiProperty() displayName: string;
}

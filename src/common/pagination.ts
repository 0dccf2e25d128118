import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ToInt } from './validation';

// TypeScript requires mixin base constructors to take `any[]`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor<T = object> = new (...args: any[]) => T;
class Base {}

/**
 * `?limit=&cursor=` for lists paged newest first by a bigint id (audit, notifications):
 * the cursor is the last id of the previous page. Extend it: `class Q extends KeysetPageQuery(500)`.
 */
export function KeysetPageQuery<B extends Constructor>(maxLimit: number, base: B = Base as B) {
  class KeysetPage extends base {
    @ApiPropertyOptional({ default: 50, minimum: 1, maximum: maxLimit })
    @IsOptional()
    @Max(maxLimit)
    @Min(1)
    @IsInt()
    @ToInt() // digits only: `Number()` read 0x10 as 16 and 1e1 as 10
    limit: number = 50;

    @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
    @IsOptional()
    @Matches(/^\d{1,19}$/, { message: 'is not a cursor this API gave out' })
    @IsString()
    cursor?: string;
  }
  return KeysetPage;
}

/** `?limit=&offset=` for short lists (a programme's cases, employees). */
export function OffsetPageQuery<B extends Constructor>(base: B = Base as B) {
  class OffsetPage extends base {
    @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
    @IsOptional()
    @Max(500)
    @Min(1)
    @IsInt()
    @ToInt()
    limit?: number;

    @ApiPropertyOptional({ default: 0, minimum: 0 })
    @IsOptional()
    @Min(0)
    @IsInt()
    @ToInt()
    offset?: number;
  }
  return OffsetPage;
}

import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiException } from '../errors/api-error';

/** A path parameter that must be a UUID: anything else is 400 naming the parameter. */
export const UuidParam = (name: string) =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => ApiException.validation([{ field: name, reason: 'must be a UUID' }]) }));

import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiException, ErrorDetail } from './api-error';

/** Flatten class-validator errors into `{ field, reason }` with full paths (`a.b[0].c`). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    const path = /^\d+$/.test(e.property) ? `${parent}[${e.property}]` : parent ? `${parent}.${e.property}` : e.property;
    for (const [rule, text] of Object.entries(e.constraints ?? {})) {
      const reason = rule === 'whitelistValidation' ? 'is not an allowed field' : text.startsWith(`${e.property} `) ? text.slice(e.property.length + 1) : text;
      out.push({ field: path, reason });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, path));
  }
  return out;
}

/** A query DTO that can recognise a plainly valid query itself: it returns what the pipe would, or undefined to be validated. */
interface ValidQueryFastPath {
  fromValidQuery(value: unknown): object | undefined;
}

/** The ValidationPipe, first asking a query DTO with a fromValidQuery fast path (e.g. ListPostsQuery); errors always come from the pipe. */
class FastPathValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' && typeof (metadata.metatype as Partial<ValidQueryFastPath> | undefined)?.fromValidQuery === 'function') {
      const fast = (metadata.metatype as unknown as ValidQueryFastPath).fromValidQuery(value);
      if (fast) return fast;
    }
    return super.transform(value, metadata);
  }
}

/** Global pipe: unknown fields are rejected, types are converted, every failure names its field. */
export function createValidationPipe(): ValidationPipe {
  return new FastPathValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: true, // one reason per field: the first rule it breaks
    exceptionFactory: (errors) => ApiException.validation(flattenValidationErrors(errors)),
  });
}

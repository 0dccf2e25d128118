import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiException, ErrorDetail } from './errors/api-error';

/**
 * Input PostgreSQL would refuse, or that would exhaust the validation layer, stopped at the door
 * with a 400 naming the field, before class-transformer or class-validator see it:
 * - text PostgreSQL cannot store: NUL (22021 in text, 22P05 in jsonb) and unpaired UTF-16
 *   surrogates (invalid in jsonb and replaced silently in text);
 * - JSON nested deeper than MAX_INPUT_DEPTH (1,500 nested arrays overflowed the validator's stack);
 * - more than MAX_INPUT_NODES values in one body.
 */
export const MAX_INPUT_DEPTH = 32;
export const MAX_INPUT_NODES = 100_000;

// eslint-disable-next-line no-control-regex
const REFUSED_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The text with every character PostgreSQL refuses replaced by U+FFFD (for names the client gave that we only record). */
export function storableText(text: string): string {
  return text.replace(new RegExp(REFUSED_TEXT.source, 'g'), '\ufffd');
}

/** Why PostgreSQL would refuse this text, or null when it can store it. */
export function refusedTextReason(text: string): string | null {
  const m = REFUSED_TEXT.exec(text);
  if (!m) return null;
  return m[0] === '\u0000' ? 'must not contain a NUL character (\\u0000)' : 'must not contain an unpaired UTF-16 surrogate';
}

const join = (parent: string, key: string | number) =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/**
 * The first problem in a parsed value, as `{ field, reason }`, or null. Iterative, so no input
 * can overflow the stack here; keys are checked as well as values.
 */
export function findUnsafeInput(value: unknown, root = ''): ErrorDetail | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  let nodes = 0;
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (++nodes > MAX_INPUT_NODES) return { field: root || 'body', reason: `must hold at most ${MAX_INPUT_NODES} values` };
    if (typeof v === 'string') {
      const reason = refusedTextReason(v);
      if (reason) return { field: path || root || 'body', reason };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return { field: path || root || 'body', reason: `is nested more than ${MAX_INPUT_DEPTH} levels deep` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: join(path, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      const reason = refusedTextReason(k);
      if (reason) return { field: join(path, k.split('\u0000').join('\\u0000')), reason: `(a field name) ${reason}` };
      stack.push({ v: (v as Record<string, unknown>)[k], path: join(path, k), depth: depth + 1 });
    }
  }
  return null;
}

/** Throws the 400 for the first unsafe value. `where` names the field when the value is a bare string (a path parameter). */
export function assertSafeInput(value: unknown, where = ''): void {
  const problem = findUnsafeInput(value, where);
  if (problem) throw ApiException.validation([problem], problem.reason.includes('nested') ? 'The request is nested too deeply' : 'The request holds text that cannot be stored');
}

/**
 * The first global pipe: every @Body, @Query and @Param value is checked before it is
 * transformed or validated. Query and body fields are named by their path (`bands[0].citation`).
 */
@Injectable()
export class SafeInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const root = metadata.data ?? (metadata.type === 'body' ? '' : '');
    assertSafeInput(value, root);
    return value;
  }
}

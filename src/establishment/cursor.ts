import { ApiException } from '../common/errors/api-error';
import { refusedTextReason } from '../common/input-safety';

/**
 * Keyset cursor for the posts list: the (reference, id) of the last row served, as base64url
 * JSON. The list continues strictly after it in (reference, id) order, so page 20,000 costs what
 * page 1 does, and rows inserted meanwhile never shift a page.
 */
export interface PostCursor {
  reference: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(c: PostCursor): string {
  return Buffer.from(JSON.stringify([c.reference, c.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): PostCursor {
  const invalid = () => ApiException.validation([{ field: 'cursor', reason: 'is not a cursor this API issued' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [reference, id] = parsed as unknown[];
  if (typeof reference !== 'string' || reference.length > 50 || refusedTextReason(reference) !== null || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  return { reference, id };
}

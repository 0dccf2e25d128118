import type { EntityManager } from 'typeorm';
import { caseLetterKind, DocumentKind } from './document-kinds';

/**
 * For the "letters issued" guard in src/cases: the letter a case of this route must have issued
 * before it may move to letters_issued (secondment agreement, transfer letter), when it has not.
 */
export async function missingCaseLetter(em: EntityManager, caseId: string, route: string): Promise<DocumentKind | null> {
  const kind = caseLetterKind(route);
  if (!kind) return null;
  const [row] = await em.query(`SELECT 1 FROM documents WHERE case_id = $1 AND kind = $2 AND issued_at IS NOT NULL`, [caseId, kind]);
  return row ? null : kind;
}

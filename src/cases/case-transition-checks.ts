import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ErrorDetail } from '../common/errors/api-error';

/** What a check needs to know about the move it is asked about. */
export interface CaseMove {
  caseId: string;
  route: string;
  toState: string;
}

/** A reason the move may not happen (409 with these details), or null. */
export type CaseMoveRefusal = { message: string; details: ErrorDetail[] } | null;

export type CaseMoveCheck = (em: EntityManager, move: CaseMove) => Promise<CaseMoveRefusal>;

/**
 * Rules other features add to a case's moves without cases importing them: a feature above cases
 * (documents: "letters issued" needs the issued letter) registers its check here when its module
 * starts. Checks run inside the transition's transaction, after the case's own rules.
 */
@Injectable()
export class CaseTransitionChecks {
  private readonly checks: { name: string; check: CaseMoveCheck }[] = [];

  register(name: string, check: CaseMoveCheck): void {
    if (!this.checks.some((c) => c.name === name)) this.checks.push({ name, check });
  }

  async refusals(em: EntityManager, move: CaseMove): Promise<NonNullable<CaseMoveRefusal>[]> {
    const out: NonNullable<CaseMoveRefusal>[] = [];
    for (const { check } of this.checks) {
      const refusal = await check(em, move);
      if (refusal) out.push(refusal);
    }
    return out;
  }
}

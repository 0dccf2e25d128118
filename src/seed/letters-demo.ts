import { AuditService } from '../audit/audit.service';
import { documentStoreFromEnv } from '../documents/configured-store';
import { ensureDefaultTemplates, issueHistoricCaseLetter } from '../documents/documents.service';
import type { SeedContext, SeedStep } from './seed-step';

const SEED_ACTOR = 'seed (demo data)';
/** Letters were handed over the Friday before the cases moved to "letters issued" (6 February 2017). */
const ISSUED_AT = '2017-02-03T10:00:00Z';

/**
 * The demo cases that reached "letters issued" (and beyond) get the letter that state means:
 * generated from the shipped template through the documents service's own path and recorded as
 * issued (handed over) on 3 February 2017. Their PDFs are made by the worker afterwards.
 */
export const lettersDemoStep: SeedStep = {
  name: 'letters of the demo cases',
  async run(ctx: SeedContext) {
    const { em, log, demo } = ctx;
    if (!demo.programmeId) return;
    const store = documentStoreFromEnv();
    await ensureDefaultTemplates(em, store);
    const audit = new AuditService(em.connection);
    const cases: { id: string }[] = await em.query(
      `SELECT c.id FROM transition_cases c
        WHERE c.programme_id = $1 AND c.route IN ('secondment', 'tupe_transfer', 'cosop_transfer')
          AND EXISTS (SELECT 1 FROM case_transitions t WHERE t.case_id = c.id AND t.to_state = 'letters_issued')
        ORDER BY c.id`,
      [demo.programmeId],
    );
    let issued = 0;
    for (const c of cases) {
      const id = await issueHistoricCaseLetter(em, audit, store, { caseId: c.id, issuedAt: ISSUED_AT, actorLabel: SEED_ACTOR, today: ISSUED_AT.slice(0, 10), signatory: 'HR Business Partner, Manchester City Council' });
      if (id) issued++;
    }
    log(`Letters: ${issued} issued (handed over on 3 February 2017) for the cases past "letters issued"; their PDFs are made by the worker`);
  },
};

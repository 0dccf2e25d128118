import { AuditService } from '../audit/audit.service';
import { documentStoreFromEnv } from '../documents/configured-store';
import { makeEliFile } from '../documents/eli/eli-build.service';
import { recordRelease } from '../documents/eli/eli.service';
import { EliKind, eligibleCaseIds } from '../documents/eli/eli-schedule';
import type { SeedContext, SeedStep } from './seed-step';

const SEED_ACTOR = 'seed (demo data)';
/** The merged CCG's named contact for ELI (invented). */
const RECIPIENT = { name: 'Joanne Whitfield, HR Business Partner, NHS Manchester CCG', email: 'joanne.whitfield@manchester-ccg.example' };
/** The anonymised draft went early (13 January 2017); the named final on 24 February 2017, before the T-28 deadline of 4 March for 1 April. */
const DRAFT_ON = '2017-01-13';
const FINAL_ON = '2017-02-24';

/**
 * The demo programme's ELI releases, made by the ELI feature's own functions: the anonymised draft
 * for every secondment and transfer (13 January 2017), then the named final (24 February 2017) for
 * the cases whose "ELI sent" is recorded (the transfers past "letters issued"). The agreed
 * transfers with no ELI sent stay without a final release, so their ELI deadline is overdue as at
 * 10 March 2017, as the cases pages show.
 */
export const eliDemoStep: SeedStep = {
  name: 'ELI releases of the demo programme',
  async run(ctx: SeedContext) {
    const { em, log, demo } = ctx;
    if (!demo.programmeId) return;
    const programmeId = demo.programmeId as string;
    const store = documentStoreFromEnv();
    const audit = new AuditService(em.connection);
    const [{ destination_organisation_id: recipientOrganisationId }]: { destination_organisation_id: string }[] = await em.query(
      `SELECT destination_organisation_id FROM programmes WHERE id = $1`,
      [programmeId],
    );
    const all = await eligibleCaseIds(em, programmeId);
    const sent: { id: string }[] = await em.query(
      `SELECT c.id FROM transition_cases c JOIN case_checklist_items i ON i.case_id = c.id AND i.item = 'eli_sent' AND i.done_on IS NOT NULL
        WHERE c.id = ANY($1::uuid[])`,
      [all],
    );
    const release = async (kind: EliKind, caseIds: string[], on: string) => {
      const { file, rows } = await makeEliFile(em, store, { programmeId, kind, caseIds, requestedBy: SEED_ACTOR, builtOn: on });
      const at = `${on}T09:00:00Z`;
      const [b]: { id: string }[] = await em.query(
        `INSERT INTO eli_builds (programme_id, kind, case_ids, status, file_id, rows, requested_by_label, created_at, finished_at)
         VALUES ($1, $2, $3::uuid[], 'ready', $4, $5, $6, $7, $7) RETURNING id`,
        [programmeId, kind, caseIds, file.id, rows, SEED_ACTOR, at],
      );
      const id = await recordRelease(em, audit, {
        programmeId,
        build: { id: b.id, kind, fileId: file.id, caseIds },
        recipientOrganisationId,
        recipientName: RECIPIENT.name,
        recipientEmail: RECIPIENT.email,
        releasedOn: on,
        actor: { id: null, email: SEED_ACTOR },
      });
      return id;
    };
    if (!all.length) return;
    await release('draft', all, DRAFT_ON);
    if (sent.length) await release('final', sent.map((s) => s.id), FINAL_ON);
    log(`ELI: draft (anonymised, ${all.length} people) released on 13 January 2017, final (named, ${sent.length} people) on 24 February 2017`);
  },
};

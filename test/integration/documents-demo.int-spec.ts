import { DataSource } from 'typeorm';
import { Role } from '../../src/common/access/role.enum';
import { AppConfig } from '../../src/config/app-config';
import { DocumentPdfService } from '../../src/documents/document-pdf.service';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser } from '../support/auth';
import { startTestApp, TestContext } from '../support/test-app';

/**
 * The demo seed (issue 15): every demo case that reached "letters issued" has its letter issued
 * through the documents service's path (template, data, hash, audit), handed over in February
 * 2017; the worker makes its PDF afterwards (the only change an issued letter accepts); and the
 * demo still reloads.
 */
describe('documents: the demo cases past "letters issued" have their letters', () => {
  let ctx: TestContext;
  let programmeId: string;

  const pastLetters = async () =>
    (
      await ctx.sql.query(
        `SELECT c.id, c.route FROM transition_cases c
          WHERE c.programme_id = $1 AND c.route IN ('secondment', 'tupe_transfer', 'cosop_transfer')
            AND EXISTS (SELECT 1 FROM case_transitions t WHERE t.case_id = c.id AND t.to_state = 'letters_issued')`,
        [programmeId],
      )
    ).rows as { id: string; route: string }[];

  beforeAll(async () => {
    ctx = await startTestApp();
    expect((await seedDemo(ctx.db.url)).skipped).toBe(false);
    programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
  });
  afterAll(async () => ctx?.close());

  it('issues one letter of the right kind for each, from the shipped template, audited, PDF pending', async () => {
    const cases = await pastLetters();
    expect(cases.length).toBeGreaterThan(3);
    const { rows: docs } = await ctx.sql.query(
      `SELECT d.case_id, d.kind, d.template_version, d.delivery, d.issued_at, d.pdf_status, d.recipients, d.data, f.sha256
         FROM documents d JOIN stored_files f ON f.id = d.docx_file_id WHERE d.programme_id = $1`,
      [programmeId],
    );
    expect(docs).toHaveLength(cases.length);
    for (const c of cases) {
      const mine = docs.filter((d) => d.case_id === c.id);
      expect(mine).toHaveLength(1);
      expect(mine[0].kind).toBe(c.route === 'secondment' ? 'secondment_agreement' : 'transfer_letter');
      expect(mine[0]).toMatchObject({ template_version: 1, delivery: 'handed_over', pdf_status: 'pending' });
      expect(mine[0].issued_at.toISOString()).toBe('2017-02-03T10:00:00.000Z');
      expect(mine[0].recipients[0].role).toBe('employee');
    }
    const { rows: audit } = await ctx.sql.query(
      `SELECT action, count(*)::int AS n FROM audit_log WHERE entity_type = 'document' AND actor_label = 'seed (demo data)' GROUP BY action ORDER BY action`,
    );
    expect(audit).toEqual([
      { action: 'document.generate', n: cases.length },
      { action: 'document.issue', n: cases.length },
    ]);
  });

  it('the register lists them, and moving such a case onwards needs nothing more', async () => {
    const hr = await createUser(ctx, Role.HrOfficer);
    const res = await ctx.api.get(`/api/v1/programmes/${programmeId}/documents`, { headers: hr.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).toHaveLength((await pastLetters()).length);
    expect(res.body.every((d: { status: string }) => d.status === 'issued')).toBe(true);
  });

  it('the worker makes the PDF of an issued demo letter; nothing else of it can change', async () => {
    const [{ id, docx_file_id }] = (await ctx.sql.query(`SELECT id, docx_file_id FROM documents WHERE programme_id = $1 ORDER BY id LIMIT 1`, [programmeId])).rows;
    const pdf = new DocumentPdfService(ctx.app.get(DataSource), ctx.app.get(AppConfig));
    try {
      const made = await pdf.makePdf(id);
      expect('pdfSha256' in made).toBe(true);
    } finally {
      await pdf.onApplicationShutdown();
    }
    const [after] = (await ctx.sql.query(`SELECT pdf_status, docx_file_id, issued_at FROM documents WHERE id = $1`, [id])).rows;
    expect(after.pdf_status).toBe('ready');
    expect(after.docx_file_id).toBe(docx_file_id);
    await expect(ctx.sql.query(`UPDATE documents SET title = 'changed' WHERE id = $1`, [id])).rejects.toThrow(/issued document cannot be changed/);
    await expect(ctx.sql.query(`UPDATE documents SET pdf_file_id = NULL, pdf_status = 'pending' WHERE id = $1`, [id])).rejects.toThrow(/issued document cannot be changed/);
    await expect(ctx.sql.query(`DELETE FROM documents WHERE id = $1`, [id])).rejects.toThrow(/issued document cannot be changed/);
  });

  it('reloads (make seed): the old letters go with the old programme, the new cases get theirs', async () => {
    const before = (await pastLetters()).length;
    expect((await seedDemo(ctx.db.url, { reload: true })).skipped).toBe(false);
    programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
    const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE programme_id = $1)::int AS mine FROM documents`, [programmeId]);
    expect(rows[0]).toEqual({ n: before, mine: before });
  });
});

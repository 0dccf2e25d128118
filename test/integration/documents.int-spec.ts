import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import PizZip from 'pizzip';
import { Role } from '../../src/common/access/role.enum';
import { defaultTemplatesDir } from '../../src/documents/documents.service';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, TestUser } from '../support/auth';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';
import { download, upload } from './establishment-fixtures';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The text of a PDF, by poppler's pdftotext (the real file, as a reader would get it). */
function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, ' ');
}

function docxText(docx: Buffer): string {
  const xml = new PizZip(docx).file('word/document.xml')!.asText();
  return xml
    .replace(/<\/w:p>/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ');
}

/** The shipped transfer letter with its document.xml changed (a new version as HR would upload it). */
function editedTransferTemplate(edit: (xml: string) => string): Buffer {
  const zip = new PizZip(readFileSync(`${defaultTemplatesDir()}/transfer_letter.docx`));
  zip.file('word/document.xml', edit(zip.file('word/document.xml')!.asText()));
  return zip.generate({ type: 'nodebuffer' }) as Buffer;
}

describe('documents: letters from templates, PDF by LibreOffice in the worker, issued once and immutable', () => {
  let ctx: TestContext;
  let hr: TestUser;
  let programmeId: string;
  let kase: { id: string; old_grade: string; new_grade: string; destination: string; version: number; employee: string };

  const waitForPdf = (id: string) =>
    eventually(
      () => ctx.api.get(`/api/v1/documents/${id}`, { headers: hr.headers }),
      (r) => r.body.pdfStatus !== 'pending',
      90_000,
      250,
    );

  beforeAll(async () => {
    ctx = await startTestApp({ worker: true });
    await seedDemo(ctx.db.url);
    programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
    hr = await createUser(ctx, Role.HrOfficer);
    const { rows } = await ctx.sql.query(
      `SELECT c.id, c.version, g.code AS old_grade, ng.code AS new_grade, o.name AS destination, e.first_name || ' ' || e.last_name AS employee
         FROM transition_cases c JOIN posts p ON p.id = c.post_id JOIN grades g ON g.id = p.grade_id JOIN grades ng ON ng.id = c.new_grade_id
         JOIN organisations o ON o.id = c.destination_organisation_id JOIN employees e ON e.id = c.employee_id
        WHERE c.programme_id = $1 AND c.route = 'tupe_transfer' AND c.state = 'agreed' AND c.pension_arrangement IS NOT NULL
        ORDER BY p.reference LIMIT 1`,
      [programmeId],
    );
    expect(rows).toHaveLength(1);
    kase = rows[0];
  }, 120_000);
  afterAll(async () => ctx?.close());

  let issuedId: string;
  let issuedPdfSha: string;

  it('renders a demo transfer letter to DOCX, and the worker to a tagged PDF, naming old and new grade, destination and pension', async () => {
    const res = await ctx.api.post(`/api/v1/cases/${kase.id}/documents`, { kind: 'transfer_letter' }, { headers: hr.headers });
    expect(res.statusCode).toBe(201);
    expect(res.body).toMatchObject({ kind: 'transfer_letter', status: 'draft', templateVersion: 1, caseId: kase.id });
    const docx = await download(ctx, hr, `/api/v1/documents/${res.body.id}/file?format=docx`);
    expect(docx.statusCode).toBe(200);
    expect(docx.headers['content-type']).toContain(DOCX);
    const text = docxText(docx.raw);
    for (const s of [kase.employee, `grade ${kase.old_grade}`, `grade with ${kase.destination}: ${kase.new_grade}`, 'Transfer of Undertakings']) expect(text).toContain(s);
    expect(text).toMatch(/Arrangement agreed: [a-z]/);
    expect(text).not.toMatch(/\{[a-zA-Z.#^/]+\}/);

    const done = await waitForPdf(res.body.id);
    expect(done.body.pdfStatus).toBe('ready');
    const pdf = await download(ctx, hr, `/api/v1/documents/${res.body.id}/file?format=pdf`);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    expect(sha(pdf.raw)).toBe(done.body.pdfSha256);
    const pdfTxt = pdfText(pdf.raw);
    for (const s of [kase.employee, kase.old_grade, kase.new_grade, kase.destination, 'Arrangement agreed:']) expect(pdfTxt).toContain(s);
    expect(pdf.raw.toString('latin1')).toContain('/StructTreeRoot'); // tagged PDF
    expect(pdfTxt).toMatch(/Page 1 of [1-9]/); // the shipped templates number their pages (the footer's fields, filled in by LibreOffice)
    issuedId = res.body.id;
  }, 120_000);

  it('refuses "letters issued" while the letter is not issued: 409 naming what is missing', async () => {
    const res = await ctx.api.post(`/api/v1/cases/${kase.id}/transitions`, { to: 'letters_issued', version: kase.version }, { headers: hr.headers });
    expectErrorShape(res, 409);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'documents.transfer_letter' })]);
    expect((await ctx.sql.query(`SELECT state FROM transition_cases WHERE id = $1`, [kase.id])).rows[0].state).toBe('agreed');
  });

  it('issues once: a second draft issued returns the first, and the database holds one issued letter', async () => {
    const first = await ctx.api.post(`/api/v1/documents/${issuedId}/issue`, { delivery: 'handed_over', note: 'given at the 1:1' }, { headers: hr.headers });
    expect(first.statusCode).toBe(200);
    expect(first.body).toMatchObject({ id: issuedId, status: 'issued', delivery: 'handed_over', issuedBy: hr.email });
    expect(first.body.recipients).toEqual([expect.objectContaining({ name: kase.employee, role: 'employee' })]);
    issuedPdfSha = first.body.pdfSha256;

    const again = await ctx.api.post(`/api/v1/documents/${issuedId}/issue`, { delivery: 'handed_over' }, { headers: hr.headers });
    expect(again.body.id).toBe(issuedId);
    const second = await ctx.api.post(`/api/v1/cases/${kase.id}/documents`, { kind: 'transfer_letter' }, { headers: hr.headers });
    await waitForPdf(second.body.id);
    const issuedSecond = await ctx.api.post(`/api/v1/documents/${second.body.id}/issue`, { delivery: 'handed_over' }, { headers: hr.headers });
    expect(issuedSecond.statusCode).toBe(200);
    expect(issuedSecond.body.id).toBe(issuedId);
    const { rows } = await ctx.sql.query(`SELECT id FROM documents WHERE case_id = $1 AND issued_at IS NOT NULL`, [kase.id]);
    expect(rows).toEqual([{ id: issuedId }]);
    const audit = await ctx.sql.query(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [issuedId]);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['document.generate', 'document.download', 'document.issue']));
  }, 120_000);

  it('the database refuses to change or delete an issued document', async () => {
    await expect(ctx.sql.query(`UPDATE documents SET title = 'changed' WHERE id = $1`, [issuedId])).rejects.toThrow(/issued document cannot be changed/);
    await expect(ctx.sql.query(`DELETE FROM documents WHERE id = $1`, [issuedId])).rejects.toThrow(/issued document cannot be changed/);
    await expect(ctx.sql.query(`UPDATE stored_files SET filename = 'x' WHERE id = (SELECT pdf_file_id FROM documents WHERE id = $1)`, [issuedId])).rejects.toThrow(/cannot be changed/);
  });

  it('a new template version changes new letters only: the issued one stays byte-identical', async () => {
    const v2 = editedTransferTemplate((xml) => xml.replace('Yours sincerely,', 'With best wishes,'));
    const up = await upload(ctx, hr, `/api/v1/document-templates/transfer_letter?note=warmer%20sign-off`, v2, 'transfer_letter.docx', DOCX);
    expect(up.statusCode).toBe(201);
    expect(up.body).toMatchObject({ kind: 'transfer_letter', version: 2, current: true });
    expect(up.body.fields).toEqual(expect.arrayContaining(['newGrade', 'oldGrade', 'pensionArrangement', 'destination']));

    const issued = await ctx.api.get(`/api/v1/documents/${issuedId}`, { headers: hr.headers });
    expect(issued.body).toMatchObject({ templateVersion: 1, pdfSha256: issuedPdfSha });
    const pdf = await download(ctx, hr, `/api/v1/documents/${issuedId}/file?format=pdf`);
    expect(sha(pdf.raw)).toBe(issuedPdfSha);

    const fresh = await ctx.api.post(`/api/v1/cases/${kase.id}/documents`, { kind: 'transfer_letter' }, { headers: hr.headers });
    expect(fresh.body.templateVersion).toBe(2);
    const docx = await download(ctx, hr, `/api/v1/documents/${fresh.body.id}/file?format=docx`);
    expect(docxText(docx.raw)).toContain('With best wishes,');
  });

  it('refuses a broken template with 422 naming the part or the field, on upload and keeps no version', async () => {
    const before = (await ctx.sql.query(`SELECT count(*)::int AS n FROM document_templates`)).rows[0].n;
    const garbage = await upload(ctx, hr, `/api/v1/document-templates/transfer_letter`, Buffer.from('not a word file'), 'letter.docx', DOCX);
    expectErrorShape(garbage, 422);
    expect(garbage.body.details).toEqual([expect.objectContaining({ field: 'file' })]);

    const unknown = editedTransferTemplate((xml) => xml.replace('Yours sincerely,', 'Yours sincerely, {employee.niNumber}'));
    const res = await upload(ctx, hr, `/api/v1/document-templates/transfer_letter`, unknown, 'transfer_letter.docx', DOCX);
    expectErrorShape(res, 422);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'tag:employee.niNumber' })]);

    const unclosed = editedTransferTemplate((xml) => xml.replace('Yours sincerely,', 'Yours sincerely, {#isTupe}'));
    const res2 = await upload(ctx, hr, `/api/v1/document-templates/transfer_letter`, unclosed, 'transfer_letter.docx', DOCX);
    expectErrorShape(res2, 422);
    expect(res2.body.details[0].field).toMatch(/^(tag|part):/);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM document_templates`)).rows[0].n).toBe(before);
  });

  it('moves the case to "letters issued" once its letter is issued, and the register lists the letter', async () => {
    const version = (await ctx.sql.query(`SELECT version FROM transition_cases WHERE id = $1`, [kase.id])).rows[0].version;
    const res = await ctx.api.post(`/api/v1/cases/${kase.id}/transitions`, { to: 'letters_issued', version }, { headers: hr.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body.state).toBe('letters_issued');
    const register = await ctx.api.get(`/api/v1/programmes/${programmeId}/documents`, { headers: hr.headers });
    expect(register.statusCode).toBe(200);
    // The demo's own letters (issued by the seed, 3 February 2017) come first, by date of issue; this one last.
    const { rows: seeded } = await ctx.sql.query(`SELECT id FROM documents WHERE programme_id = $1 AND issued_at IS NOT NULL AND id <> $2 ORDER BY issued_at, id`, [programmeId, issuedId]);
    expect(seeded.length).toBeGreaterThan(0);
    expect(register.body.map((d: { id: string }) => d.id)).toEqual([...seeded.map((r) => r.id), issuedId]);
  });

  it('is for staff: a trade union rep or a manager gets 403', async () => {
    const rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId, thematicAreaId: null }] });
    expect((await ctx.api.get(`/api/v1/documents/${issuedId}`, { headers: rep.headers })).statusCode).toBe(403);
    expect((await ctx.api.get(`/api/v1/programmes/${programmeId}/documents`, { headers: rep.headers })).statusCode).toBe(403);
  });
});

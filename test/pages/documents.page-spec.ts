import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, WebApp } from '../support/browser';
import { issueCaseLetterByKeyboard, waitForPdf } from '../support/letters-pages';

/**
 * The letters pages (issue 15) in Chromium on the demo data, with the real worker making the PDFs
 * by LibreOffice: an HR officer generates a case's transfer letter, checks the draft DOCX and PDF,
 * issues it (question, check your answers, confirmation) with and without JavaScript and by
 * keyboard alone; every page accessible; managers and reps have no letters pages.
 */
const LONG = 240_000;

describe('pages: a case’s letters', () => {
  let web: WebApp;
  let programmeId: string;
  const sql = async <T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> => (await web.ctx.sql.query(text, params)).rows as T[];
  const agreedTransfers = () =>
    sql<{ id: string; reference: string }>(
      `SELECT c.id, p.reference FROM transition_cases c JOIN posts p ON p.id = c.post_id
        WHERE c.programme_id = $1 AND c.route IN ('tupe_transfer', 'cosop_transfer') AND c.state = 'agreed'
          AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id) ORDER BY p.reference`,
      [programmeId],
    );

  beforeAll(async () => {
    web = await startWebApp({ worker: true });
    [{ id: programmeId }] = await sql<{ id: string }>(`SELECT id FROM programmes ORDER BY created_at LIMIT 1`);
  });
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('an HR officer generates a transfer letter, checks the draft DOCX and PDF, and issues it; every page accessible', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    const [c] = await agreedTransfers();
    await page.goto(`/cases/${c.id}`);
    await page.getByRole('link', { name: 'Letters', exact: true }).click();
    expect(await page.locator('h1').textContent()).toBe('Letters');
    expect(await page.locator('main').textContent()).toContain('No letter has been generated for this case yet');
    await expectAccessible(page, 'case-letters-empty');

    await page.getByRole('button', { name: 'Generate the transfer letter' }).click();
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain('Transfer letter generated as a draft');
    const documentId = new URL(page.url()).pathname.split('/')[2];
    expect(await page.locator('.govuk-caption-l').textContent()).toContain('Draft');
    // While the worker makes the PDF, the draft DOCX can be checked already; no issue yet.
    const docx = await page.request.get(`/documents/${documentId}/file?format=docx`);
    expect(docx.status()).toBe(200);
    expect(docx.headers()['content-type']).toContain('wordprocessingml');
    expect((await docx.body()).subarray(0, 2).toString()).toBe('PK');
    await waitForPdf(page);
    await expectAccessible(page, 'document-draft');
    const pdf = await page.request.get(`/documents/${documentId}/file?format=pdf`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    const downloads = await sql(`SELECT metadata->>'format' AS format, actor_label FROM audit_log WHERE entity_id = $1 AND action = 'document.download' ORDER BY id`, [documentId]);
    expect(downloads).toEqual([{ format: 'docx', actor_label: DEMO.hr }, { format: 'pdf', actor_label: DEMO.hr }]);

    // The question: nothing chosen is an error in the summary, and nothing is issued.
    await page.getByRole('button', { name: 'Issue this letter' }).click();
    await expectAccessible(page, 'document-issue');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('Select how the letter reaches the employee');
    expect(await page.locator('#delivery-error').textContent()).toContain('Select how');
    await expectAccessible(page, 'document-issue-error');
    const [{ issued: notYet }] = await sql(`SELECT issued_at IS NOT NULL AS issued FROM documents WHERE id = $1`, [documentId]);
    expect(notYet).toBe(false);

    await page.getByLabel(/Handed over/).check();
    await page.getByLabel('Note (optional)').fill('Given to them at the 1:1 on 9 March');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await page.locator('h1').textContent()).toContain('Check your answers');
    expect(await page.locator('main').textContent()).toContain('Given to them at the 1:1 on 9 March');
    await expectAccessible(page, 'document-issue-check');
    const [{ issued: stillNot }] = await sql(`SELECT issued_at IS NOT NULL AS issued FROM documents WHERE id = $1`, [documentId]);
    expect(stillNot).toBe(false);

    await page.getByRole('button', { name: 'Issue the letter' }).click();
    expect(await page.locator('.govuk-panel').textContent()).toContain('Letter issued');
    await expectAccessible(page, 'document-issued');
    const [row] = await sql(`SELECT issued_by_label, delivery, recipients FROM documents WHERE id = $1`, [documentId]);
    expect(row.issued_by_label).toBe(DEMO.hr);
    expect(row.delivery).toBe('handed_over');
    expect(row.recipients[0].role).toBe('employee');

    // The issued letter: its hashes and recipient; no issue button; the case's letters say so.
    await page.getByRole('link', { name: 'View the issued letter' }).click();
    expect(await page.locator('.app-document').textContent()).toContain('Handed over');
    expect(await page.getByRole('button', { name: 'Issue this letter' }).count()).toBe(0);
    await expectAccessible(page, 'document-issued-view');
    await page.goto(`/documents/${documentId}/issue`);
    expect(await page.locator('.govuk-notification-banner').textContent()).toContain('issued already');
    await page.goto(`/cases/${c.id}/documents`);
    expect(await page.locator('main').textContent()).toContain('was issued on');
    expect(await page.getByRole('button', { name: /^Generate/ }).count()).toBe(0);
    await expectAccessible(page, 'case-letters-issued');
  }, LONG);

  it('issues by keyboard alone with JavaScript off', async () => {
    const page = await web.page({ javaScript: false });
    await signIn(page, web, DEMO.hr);
    const [, c] = await agreedTransfers();
    await page.goto(`/cases/${c.id}`);
    const documentId = await issueCaseLetterByKeyboard(page, c.id, 'Handed over (no JS)');
    const [row] = await sql(`SELECT case_id, issued_at IS NOT NULL AS issued, kind FROM documents WHERE id = $1`, [documentId]);
    expect(row).toEqual({ case_id: c.id, issued: true, kind: 'transfer_letter' });
    const [audit] = await sql(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = 'document.issue'`, [documentId]);
    expect(audit.n).toBe(1);
  }, LONG);

  it('an admin reads a case’s letters; a manager and a rep have none (403)', async () => {
    const [c] = await sql<{ id: string }>(`SELECT id FROM transition_cases WHERE programme_id = $1 AND route = 'tupe_transfer' LIMIT 1`, [programmeId]);
    const admin = await web.page();
    await signIn(admin, web, DEMO.admin);
    await admin.goto(`/cases/${c.id}/documents`);
    expect(await admin.locator('h1').textContent()).toBe('Letters');
    await expectAccessible(admin, 'case-letters-admin');
    for (const who of [DEMO.manager, DEMO.rep]) {
      const page = await web.page();
      await signIn(page, web, who);
      expect((await page.goto(`/cases/${c.id}/documents`))?.status()).toBe(403);
    }
  }, LONG);
});

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import PizZip from 'pizzip';
import { defaultTemplatesDir } from '../../src/documents/documents.service';
import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, tabTo, WebApp } from '../support/browser';

/**
 * The letter templates pages (issue 15): the list, a kind's versions and fields, uploading a new
 * version (refusals as the GOV.UK error summary naming the field or part, nothing kept), download;
 * by keyboard, without JavaScript, zero axe violations; staff only.
 */
const LONG = 180_000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function transferTemplate(edit: (xml: string) => string): Buffer {
  const zip = new PizZip(readFileSync(`${defaultTemplatesDir()}/transfer_letter.docx`));
  zip.file('word/document.xml', edit(zip.file('word/document.xml')!.asText()));
  return zip.generate({ type: 'nodebuffer' }) as Buffer;
}
const withParagraph = (text: string) => (xml: string) => xml.replace(/<w:sectPr/, `<w:p><w:r><w:t>${text}</w:t></w:r></w:p><w:sectPr`);

describe('pages: letter templates', () => {
  let web: WebApp;
  const sql = async <T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> => (await web.ctx.sql.query(text, params)).rows as T[];
  const versions = async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM document_templates WHERE kind = 'transfer_letter'`))[0].n;

  beforeAll(async () => {
    web = await startWebApp();
  }, LONG);
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('an HR officer reaches a template by keyboard, sees its versions and fields, and downloads a version', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Documents');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/documents');
    await expectAccessible(page, 'letters-landing');
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Letter templates');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/document-templates');
    expect(await page.locator('h1').textContent()).toBe('Letter templates');
    expect(await page.locator('.app-templates tbody tr').count()).toBe(5);
    await expectAccessible(page, 'templates');
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Transfer letter');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/document-templates/transfer_letter');
    const uses = await page.locator('.app-template-uses').textContent();
    expect(uses).toContain('employee.name');
    expect(uses).toContain('Condition (shown when true)');
    const supplied = await page.locator('.app-template-supplied').textContent();
    expect(supplied).toContain('payProtectionUntil');
    await expectAccessible(page, 'template');
    const v1 = await page.request.get('/document-templates/transfer_letter/1/file');
    expect(v1.status()).toBe(200);
    const [stored] = await sql<{ sha256: string }>(`SELECT f.sha256 FROM document_templates t JOIN stored_files f ON f.id = t.file_id WHERE t.kind = 'transfer_letter' AND t.version = 1`);
    expect(sha(await v1.body())).toBe(stored.sha256);

    // A refusal (with JavaScript): the error summary, accessible, and nothing kept.
    const before = await versions();
    await page.locator('#file').setInputFiles({ name: 'letter.docx', mimeType: 'application/octet-stream', buffer: transferTemplate(withParagraph('{#isTupe}unclosed')) });
    await page.getByRole('button', { name: 'Upload the new version' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('isTupe');
    await expectAccessible(page, 'template-upload-refused');
    expect(await versions()).toBe(before);
  }, LONG);

  it('without JavaScript: a broken file and an unknown field are refused in the error summary, nothing kept; a good one becomes the next version, audited', async () => {
    const page = await web.page({ javaScript: false });
    await signIn(page, web, DEMO.hr);
    await page.goto('/document-templates/transfer_letter');
    const before = await versions();

    await page.locator('#file').setInputFiles({ name: 'letter.docx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a word document') });
    await page.getByRole('button', { name: 'Upload the new version' }).click();
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('is not a DOCX');
    expect(await page.locator('#file-error').textContent()).toContain('is not a DOCX');

    await page.locator('#file').setInputFiles({ name: 'letter.docx', mimeType: 'application/octet-stream', buffer: transferTemplate(withParagraph('{employee.niNumber}')) });
    await page.getByRole('button', { name: 'Upload the new version' }).click();
    const summary = await page.locator('.govuk-error-summary').textContent();
    expect(summary).toContain('{employee.niNumber}');
    expect(summary).toContain('is not a field of a transfer_letter template');
    await page.locator('.govuk-error-summary a').first().click();
    expect(new URL(page.url()).hash).toBe('#file');
    expect(await versions()).toBe(before);

    const good = transferTemplate(withParagraph('Please keep this letter safe.'));
    await page.locator('#file').setInputFiles({ name: 'transfer_letter-v2.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: good });
    await page.getByRole('button', { name: 'Upload the new version' }).click();
    expect(await page.locator('.govuk-notification-banner--success').textContent()).toContain(`Version ${before + 1}`);
    expect(await page.locator(`.app-template-versions tr[data-version="${before + 1}"]`).textContent()).toContain('Current');
    const [row] = await sql(`SELECT t.id, t.uploaded_by_label, f.sha256 FROM document_templates t JOIN stored_files f ON f.id = t.file_id WHERE t.kind = 'transfer_letter' AND t.version = $1`, [before + 1]);
    expect(row.uploaded_by_label).toBe(DEMO.hr);
    expect(row.sha256).toBe(sha(good));
    const [audit] = await sql(`SELECT actor_label FROM audit_log WHERE action = 'document_template.upload' AND entity_id = $1`, [row.id]);
    expect(audit.actor_label).toBe(DEMO.hr);
  }, LONG);

  it('an admin sees the templates; a manager and a rep get 403', async () => {
    const admin = await web.page();
    await signIn(admin, web, DEMO.admin);
    await admin.goto('/document-templates/reg13_information');
    expect(await admin.locator('.app-template-uses').textContent()).toContain('Loop (repeated for each)');
    await expectAccessible(admin, 'template-admin');
    for (const who of [DEMO.manager, DEMO.rep]) {
      const page = await web.page();
      await signIn(page, web, who);
      expect((await page.goto('/document-templates'))?.status()).toBe(403);
    }
  }, LONG);
});

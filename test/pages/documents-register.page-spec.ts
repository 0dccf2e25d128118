import { Role } from '../../src/common/access/role.enum';
import { createUser } from '../support/auth';
import { eventually } from '../support/test-app';
import { closeBrowser, DEMO, expectAccessible, signIn, startWebApp, tabTo, WebApp } from '../support/browser';

/**
 * The register of issued documents (issue 15) on the demo data: HR reaches it from the navigation
 * by keyboard, filters by kind and case without JavaScript, pages through it; a tu_rep sees the
 * reg. 13 information only, with no person, and cannot filter by case; zero axe violations.
 */
const LONG = 240_000;

describe('pages: the register of issued documents', () => {
  let web: WebApp;
  let programmeId: string;
  let reg13Id: string;
  const sql = async <T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> => (await web.ctx.sql.query(text, params)).rows as T[];

  beforeAll(async () => {
    web = await startWebApp({ worker: true });
    [{ id: programmeId }] = await sql<{ id: string }>(`SELECT id FROM programmes ORDER BY created_at LIMIT 1`);
    // The reg. 13 information, generated and issued through the API as HR does.
    const hr = await createUser(web.ctx, Role.HrOfficer);
    const [k] = await sql<{ id: string }>(`SELECT id FROM consultations WHERE programme_id = $1 ORDER BY created_at LIMIT 1`, [programmeId]);
    const gen = await web.ctx.api.post(
      `/api/v1/consultations/${k.id}/documents`,
      { kind: 'reg13_information', reasons: 'One commissioning function', legalImplications: 'TUPE applies', economicImplications: 'None', socialImplications: 'None', measures: [] },
      { headers: hr.headers },
    );
    expect(gen.statusCode).toBe(201);
    reg13Id = gen.body.id;
    await eventually(() => web.ctx.api.get(`/api/v1/documents/${reg13Id}`, { headers: hr.headers }), (r) => r.body.pdfStatus === 'ready', 150_000, 500);
    expect((await web.ctx.api.post(`/api/v1/documents/${reg13Id}/issue`, { delivery: 'handed_over' }, { headers: hr.headers })).statusCode).toBe(200);
  }, LONG);
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('an HR officer reaches the register by keyboard and sees each letter with its person, version, issuer, delivery and hash', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await tabTo(page, (el) => el.tag === 'a' && el.text === 'Documents');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/documents');
    await tabTo(page, (el) => el.tag === 'a' && el.text.length > 0 && el.text !== 'Documents' && el.text !== 'Letter templates' && /Manchester/.test(el.text));
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/programmes/${programmeId}/documents`);
    expect(await page.locator('h1').textContent()).toBe('Register of issued documents');
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE programme_id = $1 AND issued_at IS NOT NULL`, [programmeId]);
    expect(await page.locator('#results').textContent()).toContain(`${n} documents issued`);
    const [letter] = await sql(
      `SELECT d.id, e.first_name || ' ' || e.last_name AS person, fd.sha256 FROM documents d JOIN transition_cases c ON c.id = d.case_id JOIN employees e ON e.id = c.employee_id
         JOIN stored_files fd ON fd.id = d.docx_file_id WHERE d.programme_id = $1 AND d.issued_at IS NOT NULL ORDER BY d.issued_at DESC, d.id DESC LIMIT 1`,
      [programmeId],
    );
    const row = page.locator(`tr[data-document-id="${letter.id}"]`);
    if (await row.count()) expect(await row.textContent()).toContain(letter.person);
    expect(await page.locator(`tr[data-document-id="${reg13Id}"]`).textContent()).toContain('Reg. 13 information');
    await expectAccessible(page, 'register-hr');
  }, LONG);

  it('without JavaScript: filters by kind and by case, and pages with keyset cursors', async () => {
    const page = await web.page({ javaScript: false });
    await signIn(page, web, DEMO.hr);
    await page.goto(`/programmes/${programmeId}/documents`);
    await page.getByLabel('Transfer letter').check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const kinds = await page.locator('table.app-register tbody tr td:first-child').allTextContents();
    expect(kinds.length).toBeGreaterThan(0);
    for (const k of kinds) expect(k).toContain('Transfer letter');
    expect(await page.locator('.moj-filter__selected').textContent()).toContain('Transfer letter');

    const [c] = await sql<{ case_id: string }>(`SELECT case_id FROM documents WHERE programme_id = $1 AND issued_at IS NOT NULL AND kind = 'transfer_letter' LIMIT 1`, [programmeId]);
    await page.locator('#caseId').selectOption(c.case_id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await page.locator('table.app-register tbody tr').count()).toBe(1);
    expect(await page.locator('#results').textContent()).toContain('1 document issued');

    await page.goto(`/programmes/${programmeId}/documents?limit=2`);
    const first = await page.locator('table.app-register tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-document-id')));
    expect(first).toHaveLength(2);
    await page.getByRole('link', { name: /Next/ }).click();
    const second = await page.locator('table.app-register tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-document-id')));
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await page.getByRole('link', { name: /Previous/ }).click();
    expect(await page.locator('table.app-register tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-document-id')))).toEqual(first);

    await page.goto(`/programmes/${programmeId}/documents?after=nonsense`);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('not a cursor');
  }, LONG);

  it('a tu_rep sees the reg. 13 information only, no person, and a case filter is an error; a manager has no register', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.rep);
    await page.goto(`/programmes/${programmeId}/documents`);
    expect(await page.locator('h1').textContent()).toBe('Register of issued documents');
    const ids = await page.locator('table.app-register tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-document-id')));
    expect(ids).toEqual([reg13Id]);
    const text = (await page.locator('main').textContent()) ?? '';
    const people = await sql<{ name: string }>(`SELECT e.first_name || ' ' || e.last_name AS name FROM documents d JOIN transition_cases c ON c.id = d.case_id JOIN employees e ON e.id = c.employee_id WHERE d.programme_id = $1 AND d.issued_at IS NOT NULL`, [programmeId]);
    for (const p of people) expect(text).not.toContain(p.name);
    expect(await page.getByLabel('Transfer letter').count()).toBe(0);
    await expectAccessible(page, 'register-rep');
    const [c] = await sql<{ case_id: string }>(`SELECT case_id FROM documents WHERE programme_id = $1 AND case_id IS NOT NULL LIMIT 1`, [programmeId]);
    const res = await page.goto(`/programmes/${programmeId}/documents?caseId=${c.case_id}`);
    expect(res?.status()).toBe(400);
    expect(await page.locator('.govuk-error-summary').textContent()).toContain('not a filter a trade union rep can use');
    const api = await page.request.get(`/programmes/${programmeId}/documents?kind=transfer_letter`);
    expect(api.status()).toBe(400);

    const manager = await web.page();
    await signIn(manager, web, DEMO.manager);
    expect((await manager.goto(`/programmes/${programmeId}/documents`))?.status()).toBe(403);
  }, LONG);
});

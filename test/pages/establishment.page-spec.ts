import { closeBrowser, DEMO, expectAccessible, signIn, siteLinks, startWebApp, WebApp } from '../support/browser';

/** The report's figures (Executive report, 19 October 2016, para 4.8). */
const GROUPS = ['>G12', 'G12', 'G11', 'G10', 'G9', 'G8', 'G7', 'G5'];
const PER_GROUP = [2, 5, 2, 10, 3, 6, 31, 13];

describe('pages: the establishment matrix, programmes and organisations', () => {
  let web: WebApp;
  let programmeId: string;
  let people: string[];

  beforeAll(async () => {
    web = await startWebApp();
    programmeId = (await web.ctx.sql.query(`SELECT id FROM programmes ORDER BY created_at LIMIT 1`)).rows[0].id;
    people = (await web.ctx.sql.query(`SELECT first_name, last_name, staff_number, work_email FROM employees`)).rows.flatMap((r) =>
      [`${r.first_name} ${r.last_name}`, r.last_name, r.staff_number, r.work_email].filter((v) => v && String(v).length > 3),
    );
    expect(people.length).toBeGreaterThan(100);
  });
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  const totalsRow = async (page: import('playwright-core').Page) =>
    (await page.locator('[data-testid="matrix-totals"] td').allInnerTexts()).map((t) => t.trim().split(/\s+/)[0]);

  it('shows an HR officer 72 posts and 66.2 FTE, per grade 2, 5, 2, 10, 3, 6, 31, 13, and downloads it', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await page.getByRole('link', { name: 'Establishment', exact: true }).click();
    expect(new URL(page.url()).pathname).toBe(`/programmes/${programmeId}/establishment`);
    expect(await page.locator('[data-testid="matrix-total"]').textContent()).toBe('72 posts');
    expect(await page.locator('main').textContent()).toContain('66.2 FTE');
    expect(await page.locator('table caption').textContent()).toBe('Posts and FTE by thematic area and grade');
    expect((await page.locator('thead th').allTextContents()).slice(2, 10)).toEqual(GROUPS);
    expect(await totalsRow(page)).toEqual([...PER_GROUP.map(String), '72']);
    expect(await page.locator('tbody').first().locator('tr').count()).toBe(12);
    await expectAccessible(page, 'matrix-hr');
    const csv = await page.request.get(`/programmes/${programmeId}/establishment/download?format=csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-disposition']).toMatch(/attachment; filename="establishment-.*\.csv"/);
    const total = (await csv.text()).split(/\r?\n/).find((l) => l.startsWith('Total'))!;
    expect(total.split(',').slice(-2)).toEqual(['72', '66.2']);
    const xlsx = await page.request.get(`/programmes/${programmeId}/establishment/download?format=xlsx`);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');
  });

  it('shows a trade union rep the same table with "<5" where the status view would, and no exact count under 5', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.rep);
    await page.goto(`/programmes/${programmeId}/establishment`);
    const totals = await totalsRow(page);
    GROUPS.forEach((_, i) => {
      if (PER_GROUP[i] < 5) expect(totals[i]).toBe('<5');
      else expect([String(PER_GROUP[i]), '–']).toContain(totals[i]);
    });
    const cells = (await page.locator('table.app-matrix td.govuk-table__cell--numeric').allInnerTexts()).map((t) => t.trim().split(/\s+/)[0]);
    for (const c of cells) if (/^\d+$/.test(c)) expect(Number(c)).toBeGreaterThanOrEqual(5);
    expect(await page.locator('main').textContent()).toContain('fewer than 5 posts show as “<5”');
    await expectAccessible(page, 'matrix-rep');
    const csv = await (await page.request.get(`/programmes/${programmeId}/establishment/download?format=csv`)).text();
    expect(csv).toContain('<5');
  });

  it.each([
    ['manager', DEMO.manager],
    ['admin', DEMO.admin],
  ])('is accessible to a %s', async (name, email) => {
    const page = await web.page();
    await signIn(page, web, email);
    await page.goto(`/programmes/${programmeId}/establishment`);
    expect(await page.locator('[data-testid="matrix-total"]').textContent()).toBe('72 posts');
    await expectAccessible(page, `matrix-${name}`);
  });

  it('shows the programme with its sources, destination and successors (3 CCGs → 1)', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    await page.goto(`/programmes/${programmeId}`);
    const table = await page.locator('table').textContent();
    for (const ccg of ['NHS North Manchester CCG', 'NHS Central Manchester CCG', 'NHS South Manchester CCG']) expect(table).toContain(ccg);
    expect((table?.match(/NHS Manchester CCG/g) ?? []).length).toBeGreaterThanOrEqual(3);
    await expectAccessible(page, 'programme-hr');
    await page.getByRole('link', { name: 'NHS Manchester CCG', exact: true }).first().click();
    expect(await page.locator('h1').textContent()).toBe('NHS Manchester CCG');
    expect(await page.locator('main').textContent()).toContain('Succeeds 3 organisations');
    await expectAccessible(page, 'organisation-merged-ccg');
  });

  it("holds no employee's name, staff number or email on any page a trade union rep can reach", async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.rep);
    const seen = new Set<string>();
    const queue = ['/'];
    const leaks: string[] = [];
    while (queue.length && seen.size < 200) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await page.goto(path);
      if (!res || res.status() >= 400) continue;
      const html = await page.content();
      for (const p of people) if (html.includes(p)) leaks.push(`${path}: ${p}`);
      for (const link of await siteLinks(page)) if (!seen.has(link) && !link.startsWith('/sign-out')) queue.push(link);
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(leaks).toEqual([]);
  }, 180_000);
});

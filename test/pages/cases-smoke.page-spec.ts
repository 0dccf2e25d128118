import { closeBrowser, DEMO, screenshot, signIn, startWebApp, WebApp } from '../support/browser';

describe('smoke', () => {
  let web: WebApp;
  beforeAll(async () => { web = await startWebApp(); });
  afterAll(async () => { await web?.close(); await closeBrowser(); });
  it('renders', async () => {
    const page = await web.page();
    await signIn(page, web, DEMO.hr);
    const { rows: [c] } = await web.ctx.sql.query(`SELECT c.id, c.employee_id, c.programme_id FROM transition_cases c JOIN posts p ON p.id = c.post_id WHERE c.route='tupe_transfer' AND c.state='agreed' ORDER BY p.reference LIMIT 1`);
    for (const path of ['/cases', `/cases/${c.id}`, `/cases/${c.id}/checklist/eli_sent`, `/cases/${c.id}/move/letters_issued`, `/cases/${c.id}/eli-override`, `/people/${c.employee_id}`, `/programmes/${c.programme_id}/pipeline`, `/programmes/${c.programme_id}/cases?state=agreed&deadline=overdue`]) {
      const res = await page.goto(path);
      console.log(path, res?.status(), page.url());
      if (res!.status() >= 400) console.log((await page.content()).slice(0, 3000));
      await screenshot(page, `smoke${path.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`);
    }
  });
});

import type { Page } from 'playwright-core';
import { closeBrowser, DEMO, expectAccessible, signIn, siteLinks, startWebApp, tabTo, WebApp } from '../support/browser';
import { eventually } from '../support/test-app';

/**
 * The consultation and the joint TU forum as pages (issue 12), on the Manchester demo data with the
 * real worker: the reps' status view as at 1 March 2017, forum meetings and representations, HR's
 * forms, the calendar subscription, and the in-app notice a rep gets when HR responds.
 */
// Browser journeys on a shared 2-core machine, beside other suites: minutes, not seconds.
jest.setTimeout(300_000);

describe('pages: consultation and the joint trade union forum', () => {
  let web: WebApp;
  let consultationId: string;
  let forumId: string;
  let meetingId: string;

  const go = async (page: Page, path: string, status = 200) => {
    const res = await page.goto(path);
    expect(res?.status()).toBe(status);
    return res;
  };
  const main = async (page: Page) => ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');

  beforeAll(async () => {
    web = await startWebApp({ worker: true, env: { OUTBOX_POLL_MS: '50', OUTBOX_SWEEP_EVERY_MS: '1000' } });
    consultationId = (await web.ctx.sql.query(`SELECT id FROM consultations ORDER BY created_at LIMIT 1`)).rows[0].id;
    forumId = (await web.ctx.sql.query(`SELECT id FROM forums LIMIT 1`)).rows[0].id;
  }, 180_000);
  afterAll(async () => {
    await web?.close();
    await closeBrowser();
  });

  it('HR schedules a forum meeting for the consultation, with errors first, and the rep sees it as the next meeting', async () => {
    const hr = await web.page();
    await signIn(hr, web, DEMO.hr);
    await go(hr, `/consultations/${consultationId}`);
    await hr.getByRole('button', { name: 'Schedule a meeting' }).click();
    await expectAccessible(hr, 'meeting-new-hr');
    await hr.getByRole('button', { name: 'Schedule meeting' }).click();
    const summary = await hr.locator('.govuk-error-summary').textContent();
    expect(summary).toContain('Enter a title');
    expect(summary).toContain('Enter the date of the meeting');
    expect(summary).toContain('Enter where the meeting is');
    await expectAccessible(hr, 'meeting-new-errors-hr');
    await hr.getByLabel('Title').fill('Joint TU forum: consultation close-out');
    await hr.getByLabel('Day').fill('8');
    await hr.getByLabel('Month').fill('3');
    await hr.getByLabel('Year').fill('2017');
    await hr.getByLabel('Start time').fill('10:00');
    await hr.getByLabel('End time').fill('11:30');
    await hr.getByLabel('Location').fill('Committee Room 6, Town Hall Extension, Manchester');
    await hr.getByLabel('Agenda (optional)').fill('1. Representations outstanding\n2. Close-out');
    await hr.getByLabel('Papers (optional)').fill('Consultation tracker | https://intranet.example.org/tracker.pdf');
    await hr.getByRole('button', { name: 'Schedule meeting' }).click();
    expect(await hr.locator('.govuk-notification-banner').textContent()).toContain('Meeting scheduled');
    meetingId = new URL(hr.url()).pathname.split('/').pop()!;
    const row = (await web.ctx.sql.query(`SELECT starts_at, ends_at, consultation_id FROM forum_meetings WHERE id = $1`, [meetingId])).rows[0];
    expect(row.starts_at.toISOString()).toBe('2017-03-08T10:00:00.000Z'); // GMT in March before the clocks change
    expect(row.consultation_id).toBe(consultationId);
    await expectAccessible(hr, 'meeting-hr');
  });

  it('shows a rep where the consultation stands as at their date, by keyboard alone, and the next meeting', async () => {
    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    await tabTo(rep, (el) => el.tag === 'a' && el.text === 'Consultation');
    await rep.keyboard.press('Enter');
    await rep.waitForURL((u) => u.pathname === '/consultations');
    await expectAccessible(rep, 'consultations-rep');
    await tabTo(rep, (el) => el.tag === 'a' && el.text.startsWith('Single Commissioning Function'));
    await rep.keyboard.press('Enter');
    await rep.waitForURL((u) => u.pathname === `/consultations/${consultationId}`);
    const text = await main(rep);
    expect(text).toContain('As at 1 March 2017');
    expect(text).toContain('Milestones');
    expect(text).toContain('Measures letter to the recognised trade unions');
    expect(text).not.toContain('Employee liability information to NHS Manchester CCG'); // an HR-only milestone
    expect(text).toContain('Travel costs for staff now based at Parkway'); // awaiting, from the demo
    expect(text).toContain('Review pay protection arrangements six months after go-live'); // an open action
    // Affected posts by grade and area, small counts suppressed.
    expect(await rep.locator('table', { hasText: 'By grade' }).textContent()).toContain('<5');
    expect(await rep.locator('table', { hasText: 'By thematic area' }).textContent()).toContain('Mental Health');
    await expectAccessible(rep, 'consultation-status-rep');
    await tabTo(rep, (el) => el.tag === 'a' && el.text === 'Joint TU forum: consultation close-out');
    await rep.keyboard.press('Enter');
    await rep.waitForURL((u) => u.pathname === `/meetings/${meetingId}`);
    expect(await main(rep)).toContain('Representations outstanding');
    expect(await rep.getByRole('link', { name: 'Consultation tracker' }).getAttribute('href')).toBe('https://intranet.example.org/tracker.pdf');
    await expectAccessible(rep, 'meeting-rep');
  });

  /** The rep's journey from the next meeting to a recorded representation, then the status page. */
  async function repRecordsRepresentation(rep: Page, subject: string): Promise<string> {
    await go(rep, `/consultations/${consultationId}`);
    await tabTo(rep, (el) => el.tag === 'a' && el.text === 'Joint TU forum: consultation close-out');
    await rep.keyboard.press('Enter');
    await rep.waitForURL((u) => u.pathname === `/meetings/${meetingId}`);
    await tabTo(rep, (el) => el.tag === 'a' && el.text === 'Record a representation');
    await rep.keyboard.press('Enter');
    await rep.waitForURL((u) => u.pathname === `/forum/${forumId}/representations/new`);
    expect(await main(rep)).toContain('You are recording it for UNISON');
    // Nothing typed: the error summary, then the fields.
    await tabTo(rep, (el) => el.tag === 'button' && el.text === 'Record representation');
    await rep.keyboard.press('Enter');
    await rep.waitForLoadState('domcontentloaded');
    expect(await rep.locator('.govuk-error-summary').textContent()).toContain('Enter the subject');
    await tabTo(rep, (el) => el.label === 'Subject');
    await rep.keyboard.type(subject);
    await tabTo(rep, (el) => el.label === 'Representation');
    await rep.keyboard.type('UNISON asks that seconded staff keep their current car mileage allowance.');
    await tabTo(rep, (el) => el.tag === 'button' && el.text === 'Record representation');
    await rep.keyboard.press('Enter');
    await rep.waitForURL((u) => u.pathname.startsWith('/representations/'));
    expect(await rep.locator('.govuk-notification-banner').textContent()).toContain('Representation recorded');
    expect(await rep.locator('.app-representation-status').textContent()).toContain('Awaiting response');
    const id = new URL(rep.url()).pathname.split('/').pop()!;
    await tabTo(rep, (el) => el.tag === 'a' && el.text.startsWith('Single Commissioning Function'));
    await rep.keyboard.press('Enter');
    await rep.waitForURL((u) => u.pathname === `/consultations/${consultationId}`);
    expect(await rep.locator('#awaiting + table').textContent()).toContain(subject);
    return id;
  }

  /** HR responds from the status page, by keyboard. */
  async function hrResponds(hr: Page, subject: string): Promise<void> {
    await go(hr, `/consultations/${consultationId}`);
    await tabTo(hr, (el) => el.tag === 'a' && el.text === subject);
    await hr.keyboard.press('Enter');
    await hr.waitForURL((u) => u.pathname.startsWith('/representations/'));
    await tabTo(hr, (el) => el.tag === 'button' && el.text === 'Record response');
    await hr.keyboard.press('Enter');
    await hr.waitForLoadState('domcontentloaded');
    expect(await hr.locator('.govuk-error-summary').textContent()).toContain('Enter the response');
    await tabTo(hr, (el) => el.label === 'Response');
    await hr.keyboard.type('Mileage allowance continues at the council rate during secondment.');
    await tabTo(hr, (el) => el.label === 'Reasons');
    await hr.keyboard.type('Seconded staff remain council employees on council terms.');
    await tabTo(hr, (el) => el.tag === 'button' && el.text === 'Record response');
    await hr.keyboard.press('Enter');
    await hr.waitForLoadState('domcontentloaded');
    expect(await hr.locator('.govuk-notification-banner').textContent()).toContain('Response recorded');
  }

  async function repSeesResponseAndNotice(rep: Page, id: string, subject: string): Promise<void> {
    await go(rep, `/representations/${id}`);
    expect(await rep.locator('.app-representation-status').textContent()).toContain('Answered');
    expect(await main(rep)).toContain('Mileage allowance continues at the council rate');
    // The notice goes through the outbox and the worker to the rep's in-app feed.
    const { rows } = await web.ctx.sql.query(`SELECT id FROM users WHERE email = $1`, [DEMO.rep]);
    await eventually(
      async () => (await web.ctx.sql.query(`SELECT subject FROM notification_feed WHERE user_id = $1 AND subject = $2`, [rows[0].id, `Representation answered: ${subject}`])).rowCount,
      (n) => n === 1,
      20_000,
    );
    await go(rep, '/notifications');
    expect(await rep.locator('header').textContent()).toMatch(/Notifications\s*\d+\s*unread/);
    expect(await main(rep)).toContain(`Representation answered: ${subject}`);
  }

  it('a rep records a representation and HR responds, by keyboard alone; the rep sees the response and gets an in-app notice', async () => {
    const subject = 'Car mileage allowance for seconded staff';
    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    const id = await repRecordsRepresentation(rep, subject);
    await expectAccessible(rep, 'consultation-status-awaiting-rep');
    const hr = await web.page();
    await signIn(hr, web, DEMO.hr);
    await hrResponds(hr, subject);
    await expectAccessible(hr, 'representation-answered-hr');
    await repSeesResponseAndNotice(rep, id, subject);
    await expectAccessible(rep, 'notifications-rep');
    // Mark all read: the count goes.
    await rep.getByRole('button', { name: 'Mark all as read' }).click();
    expect(await rep.locator('.govuk-notification-banner').textContent()).toContain('marked as read');
    expect(await rep.locator('header').textContent()).not.toContain('unread');
  }, 120_000);

  it('the same journeys work with JavaScript off', async () => {
    const subject = 'Lease car scheme for seconded staff';
    const rep = await web.page({ javaScript: false });
    await signIn(rep, web, DEMO.rep);
    const id = await repRecordsRepresentation(rep, subject);
    const hr = await web.page({ javaScript: false });
    await signIn(hr, web, DEMO.hr);
    await hrResponds(hr, subject);
    await repSeesResponseAndNotice(rep, id, subject);
    await rep.locator('li', { hasText: `Representation answered: ${subject}` }).getByRole('button', { name: /Mark as read/ }).click();
    expect(await rep.locator('.govuk-notification-banner').textContent()).toContain('Marked as read');
  }, 120_000);

  it('a stale response shows the representation again with "Someone else changed this"', async () => {
    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    await go(rep, `/forum/${forumId}/representations/new?consultationId=${consultationId}`);
    await rep.getByLabel('Subject').fill('Parking at Parkway 3');
    await rep.getByLabel('Representation').fill('Unite asks for parking permits.');
    await rep.getByRole('button', { name: 'Record representation' }).click();
    const url = new URL(rep.url()).pathname;
    const a = await web.page();
    await signIn(a, web, DEMO.hr);
    await go(a, url);
    await web.ctx.sql.query(`UPDATE representations SET version = version + 1 WHERE id = $1`, [url.split('/').pop()]);
    await a.getByLabel('Response').fill('Permits will be offered.');
    await a.getByLabel('Reasons').fill('There is space.');
    await a.getByRole('button', { name: 'Record response' }).click();
    expect(await a.locator('.govuk-error-summary').textContent()).toContain('Someone else changed this representation');
    expect(await a.getByLabel('Response').inputValue()).toBe('');
    await expectAccessible(a, 'representation-stale-hr');
  });

  it('subscribes a rep to the calendar with a URL built from PUBLIC_BASE_URL, shown once, and revokes it', async () => {
    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    await go(rep, `/consultations/${consultationId}/calendar`);
    await expectAccessible(rep, 'calendar-none-rep');
    await rep.setExtraHTTPHeaders({ 'x-forwarded-host': 'evil.example' });
    await rep.getByRole('button', { name: 'Make my calendar link' }).click();
    const url = await rep.getByLabel('Your calendar link').inputValue();
    expect(url).toMatch(/^http:\/\/localhost:3000\/api\/v1\/calendar\/wttcal_[A-Za-z0-9_-]{43}\.ics$/);
    await expectAccessible(rep, 'calendar-link-rep');
    const ics = await rep.request.get(url.replace('http://localhost:3000', web.url));
    expect(ics.status()).toBe(200);
    expect(await ics.text()).toContain('BEGIN:VCALENDAR');
    await rep.reload();
    expect(await rep.getByLabel('Your calendar link').count()).toBe(0); // shown once
    expect(await main(rep)).toContain('it is not shown again');
    await rep.getByRole('button', { name: 'Stop my calendar link working' }).click();
    expect(await rep.locator('.govuk-notification-banner').textContent()).toContain('stopped working');
    expect((await rep.request.get(url.replace('http://localhost:3000', web.url))).status()).toBe(404);
  });

  it('HR plans an s.188 consultation: errors, then the statutory minimum and HR1 date; then edits it, and a stale edit shows the current values', async () => {
    const hr = await web.page();
    await signIn(hr, web, DEMO.hr);
    await go(hr, '/consultations');
    await hr.getByRole('button', { name: 'Plan a consultation' }).click();
    await expectAccessible(hr, 'consultation-new-hr');
    await hr.getByLabel('Collective redundancy consultation (TULRCA 1992 s.188)').check();
    await hr.getByRole('button', { name: 'Plan consultation' }).click();
    const summary = await hr.locator('.govuk-error-summary').textContent();
    expect(summary).toContain('Select the programme');
    expect(summary).toContain('Enter a title');
    expect(summary).toContain('Enter the start date');
    expect(summary).toContain('Enter the number of dismissals proposed');
    await expectAccessible(hr, 'consultation-new-errors-hr');
    await hr.getByLabel('Programme').selectOption({ index: 1 });
    await hr.getByLabel('Title').fill('Restructure of the commissioning support team');
    await hr.getByLabel('Establishment').fill('Town Hall Extension');
    await hr.getByLabel('Proposed dismissals').fill('120');
    const date = async (legend: string, d: string, m: string, y: string) => {
      const g = hr.getByRole('group', { name: legend });
      await g.getByLabel('Day').fill(d);
      await g.getByLabel('Month').fill(m);
      await g.getByLabel('Year').fill(y);
    };
    await date('Start date', '1', '3', '2017');
    await date('Planned end date', '31', '3', '2017');
    await date('First dismissal date (optional)', '1', '5', '2017');
    await hr.getByRole('button', { name: 'Plan consultation' }).click();
    const banner = await hr.locator('.govuk-notification-banner').textContent();
    expect(banner).toContain('Consultation planned');
    expect(banner).toContain('must begin at least 45 days before the first dismissal');
    // The statutory clock's reading (s.188(1A) start-by, s.193 HR1), as the service computes it.
    const st = (await web.ctx.sql.query(`SELECT minimum_period_days, hr1_due_date::text AS hr1 FROM consultations WHERE title = 'Restructure of the commissioning support team'`)).rows[0];
    expect(st.minimum_period_days).toBe(45);
    const text = await main(hr);
    expect(text).toContain('Statutory period 45 days');
    expect(text).toContain('Must begin by 17 March 2017');
    expect(text).toMatch(/HR1 due by \d+ \w+ 2017/);
    await expectAccessible(hr, 'consultation-s188-hr');
    const id = new URL(hr.url()).pathname.split('/').pop()!;

    await hr.getByRole('button', { name: 'Change consultation' }).click();
    await expectAccessible(hr, 'consultation-edit-hr');
    await web.ctx.sql.query(`UPDATE consultations SET title = 'Renamed elsewhere', version = version + 1 WHERE id = $1`, [id]);
    await hr.getByLabel('Title').fill('My new title');
    await hr.getByRole('button', { name: 'Save changes' }).click();
    expect(await hr.locator('.govuk-error-summary').textContent()).toContain('Someone else changed this consultation');
    expect(await hr.getByLabel('Title').inputValue()).toBe('Renamed elsewhere');
    await hr.getByLabel('Title').fill('My new title');
    await hr.getByRole('button', { name: 'Save changes' }).click();
    expect(await hr.locator('.govuk-notification-banner').textContent()).toContain('Consultation changed');
    expect(await hr.locator('h1').textContent()).toBe('My new title');
  });

  it('HR adds a milestone with reminder offsets and changes them', async () => {
    const hr = await web.page();
    await signIn(hr, web, DEMO.hr);
    await go(hr, `/consultations/${consultationId}/milestones`);
    await expectAccessible(hr, 'milestones-hr');
    await hr.getByRole('button', { name: 'Add a milestone' }).click();
    await hr.getByLabel('Reminders').fill('fourteen');
    await hr.getByRole('button', { name: 'Add milestone' }).click();
    const summary = await hr.locator('.govuk-error-summary').textContent();
    expect(summary).toContain('Enter a title');
    expect(summary).toContain('Enter reminders as days before the due date');
    await expectAccessible(hr, 'milestone-new-errors-hr');
    await hr.getByLabel('Title').fill('Post-transfer review with the unions');
    await hr.getByLabel('Kind').selectOption('forum');
    await hr.getByLabel('Day').fill('3');
    await hr.getByLabel('Month').fill('7');
    await hr.getByLabel('Year').fill('2017');
    await hr.getByLabel('Reminders').fill('21, 7');
    await hr.getByRole('button', { name: 'Add milestone' }).click();
    expect(await hr.locator('.govuk-notification-banner').textContent()).toContain('Milestone added');
    const row = hr.locator('tr', { hasText: 'Post-transfer review with the unions' });
    expect(await row.textContent()).toContain('21, 7');
    await row.getByRole('link', { name: /Change/ }).click();
    await expectAccessible(hr, 'milestone-edit-hr');
    await hr.getByLabel('Reminders').fill('30, 14, 1');
    await hr.getByRole('button', { name: 'Save changes' }).click();
    expect(await hr.locator('tr', { hasText: 'Post-transfer review with the unions' }).textContent()).toContain('30, 14, 1');
  });

  it('HR records that a meeting was held, drafts minutes the rep cannot see, then publishes them and adds an action', async () => {
    const hr = await web.page();
    await signIn(hr, web, DEMO.hr);
    await go(hr, `/meetings/${meetingId}`);
    await hr.getByRole('button', { name: 'Record that the meeting took place' }).click();
    await hr.getByLabel('Minutes (draft)').fill('Close-out agreed. No representations outstanding.');
    await hr.getByRole('button', { name: 'Save draft minutes' }).click();
    expect(await hr.locator('.govuk-notification-banner').textContent()).toContain('Draft minutes saved');
    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    await go(rep, `/meetings/${meetingId}`);
    expect(await main(rep)).not.toContain('Close-out agreed');
    await hr.getByRole('button', { name: 'Publish minutes' }).click();
    expect(await hr.locator('.govuk-notification-banner').textContent()).toContain('Minutes published');
    await hr.getByLabel('Action').fill('Send the close-out letter to the union side');
    await hr.getByLabel('Owner').fill('Management side: Head of HR/OD');
    await hr.getByRole('group', { name: 'Due date' }).getByLabel('Day').fill('15');
    await hr.getByRole('group', { name: 'Due date' }).getByLabel('Month').fill('3');
    await hr.getByRole('group', { name: 'Due date' }).getByLabel('Year').fill('2017');
    await hr.getByRole('button', { name: 'Add action' }).click();
    expect(await hr.locator('.govuk-notification-banner').textContent()).toContain('Action added');
    await expectAccessible(hr, 'meeting-minutes-hr');
    await go(rep, `/meetings/${meetingId}`);
    const text = await main(rep);
    expect(text).toContain('Close-out agreed');
    expect(text).toContain('Send the close-out letter to the union side');
    expect(text).toContain('Management side: Head of HR/OD');
  });

  it.each([
    [DEMO.rep, 'rep'],
    [DEMO.hr, 'hr'],
    [DEMO.manager, 'manager'],
    [DEMO.admin, 'admin'],
  ] as const)('every forum and consultation page is accessible to %s, and the members page shows names only to staff', async (email, role) => {
    const repId = (await web.ctx.sql.query(`SELECT id FROM representations ORDER BY received_at LIMIT 1`)).rows[0].id;
    const paths = [
      '/consultations',
      `/consultations/${consultationId}`,
      `/consultations/${consultationId}/calendar`,
      `/forum/${forumId}`,
      `/forum/${forumId}/members`,
      `/forum/${forumId}/meetings`,
      `/meetings/${meetingId}`,
      `/forum/${forumId}/representations`,
      `/representations/${repId}`,
    ];
    const page = await web.page();
    await signIn(page, web, email);
    for (const p of paths) {
      await go(page, p);
      await expectAccessible(page, `${role}${p.replace(/[0-9a-f-]{36}/g, 'id').replace(/\//g, '-')}`);
    }
    if (role !== 'manager') {
      await go(page, `/forum/${forumId}/representations/new`);
      await expectAccessible(page, `${role}-representation-new`);
    } else {
      await go(page, `/forum/${forumId}/representations/new`, 403);
      await go(page, '/consultations/new', 403);
    }
    await go(page, `/forum/${forumId}/members`);
    const members = await main(page);
    if (role === 'rep') {
      expect(members).not.toContain('Alex Ashworth');
      expect(members).not.toContain('sam.okafor@gmb.example.org');
      expect(members).toContain('Branch secretary, Manchester City UNISON');
      expect(members).toContain('You');
    } else expect(members).toContain('Alex Ashworth');
  }, 300_000);

  it('no page a rep can reach holds an employee’s name, staff number or email', async () => {
    const { rows: employees } = await web.ctx.sql.query(`SELECT first_name || ' ' || last_name AS name, staff_number, work_email FROM employees`);
    expect(employees.length).toBeGreaterThan(50);
    const rep = await web.page();
    await signIn(rep, web, DEMO.rep);
    const seen = new Set<string>();
    const queue = ['/', '/consultations', '/notifications'];
    const leaks: string[] = [];
    while (queue.length && seen.size < 120) {
      const path = queue.shift()!;
      if (seen.has(path) || /^\/(sign-out|api\/)/.test(path)) continue;
      seen.add(path);
      const res = await rep.goto(path);
      if (!res || res.status() >= 500) leaks.push(`${path}: ${res?.status()}`);
      const html = await rep.content();
      for (const e of employees) {
        for (const v of [e.name, e.staff_number, e.work_email].filter(Boolean)) if (html.includes(v)) leaks.push(`${path}: ${v}`);
      }
      for (const l of await siteLinks(rep)) if (!seen.has(l)) queue.push(l);
    }
    expect([...seen]).toEqual(expect.arrayContaining(['/consultations', `/consultations/${consultationId}`, `/forum/${forumId}/members`, `/meetings/${meetingId}`]));
    expect(leaks).toEqual([]);
  }, 400_000);
});

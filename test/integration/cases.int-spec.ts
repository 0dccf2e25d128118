import { issueCaseLetter } from '../support/documents';
import { Role } from '../../src/common/access/role.enum';
import { CASE_STATE_EDGES } from '../../src/cases/case-state';
import { addDays, todayInLondon } from '../../src/common/dates';
import { createUser, createUsersForAllRoles, expectInvisible, expectRouteAllows, TestUser } from '../support/auth';
import {
  createConsultation,
  createEstablishment,
  createHolder,
  createPost,
  insertCase,
  TestEstablishment,
  TestHolder,
  walkCase,
} from '../support/factories/cases-factory';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

describe('transition cases: routes, state machine, deadlines, checklist, access', () => {
  let ctx: TestContext;
  let est: TestEstablishment;
  let hr: TestUser;
  let admin: TestUser;
  let managerA: TestUser;
  let rep: TestUser;

  const url = (id: string) => `/api/v1/cases/${id}`;
  const programmeCases = () => `/api/v1/programmes/${est.programmeId}/cases`;

  beforeAll(async () => {
    ctx = await startTestApp();
    est = await createEstablishment(ctx.sql);
    hr = await createUser(ctx, Role.HrOfficer);
    admin = await createUser(ctx, Role.Admin);
    managerA = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: est.programmeId, thematicAreaId: est.areaIds.a }] });
    rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: est.programmeId, thematicAreaId: null }] });
  });
  afterAll(async () => ctx?.close());

  /** Open a case through the API. */
  async function openCase(holder: TestHolder, body: Record<string, unknown> = {}, user: TestUser = hr) {
    const res = await ctx.api.post(programmeCases(), { employeeId: holder.employee.id, postId: holder.postId, ...body }, { headers: user.headers });
    expect(res.statusCode).toBe(201);
    return res.body;
  }

  async function transition(id: string, to: string, version: number, extra: Record<string, unknown> = {}, user: TestUser = hr) {
    return ctx.api.post(`${url(id)}/transitions`, { to, version, ...extra }, { headers: user.headers });
  }

  async function checklist(id: string, item: string, version: number, body: Record<string, unknown> = { done: true }) {
    return ctx.api.put(`${url(id)}/checklist/${item}`, { version, ...body }, { headers: hr.headers });
  }

  const transfer = { route: 'tupe_transfer', legalBasis: 'tupe_2006', legalAdviceReference: 'Legal Services advice LS/2016/1187' };

  describe('opening a case', () => {
    it('opens one case per person per programme, proposed, with the six checklist items and its history', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h, { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' });
      expect(c).toMatchObject({
        programmeId: est.programmeId,
        state: 'proposed',
        version: 1,
        route: 'tupe_transfer',
        allowedTransitions: ['in_consultation', 'on_hold', 'withdrawn'],
        employee: { id: h.employee.id, staffNumber: h.employee.staffNumber },
        post: { id: h.postId, thematicAreaId: est.areaIds.a },
        fte: 1,
        oldGrade: { id: est.gradeIds.g7, code: 'G7' },
        transfer: { destinationOrganisationId: est.ccgId, legalBasis: 'tupe_2006', currentPensionScheme: 'lgps' },
      });
      expect(c.checklist.map((i: { item: string; done: boolean }) => [i.item, i.done])).toEqual([
        ['eli_sent', false],
        ['measures_letter_issued', false],
        ['one_to_one_held', false],
        ['agreement_signed', false],
        ['payroll_pension_notified', false],
        ['system_access_moved', false],
      ]);
      const again = await ctx.api.post(programmeCases(), { employeeId: h.employee.id, postId: h.postId }, { headers: hr.headers });
      expectErrorShape(again, 409);
      expect(again.body.details).toEqual([expect.objectContaining({ field: 'employeeId' })]);

      const history = await ctx.api.get(`${url(c.id)}/transitions`, { headers: hr.headers });
      expect(history.body).toEqual([expect.objectContaining({ fromState: null, toState: 'proposed', actorId: hr.id, actorLabel: hr.email })]);
      const { rows } = await ctx.sql.query(`SELECT action FROM audit_log WHERE entity_type = 'transition_case' AND entity_id = $1`, [c.id]);
      expect(rows.map((r) => r.action)).toEqual(['create']);
    });

    it('refuses a post outside the programme, a post the person does not hold, and unknown fields, naming the field', async () => {
      const h = await createHolder(ctx.sql, est);
      const other = await createEstablishment(ctx.sql);
      const foreignPost = await createPost(ctx.sql, other);
      const r1 = await ctx.api.post(programmeCases(), { employeeId: h.employee.id, postId: foreignPost }, { headers: hr.headers });
      expectErrorShape(r1, 400);
      expect(r1.body.details).toEqual([{ field: 'postId', reason: 'is not a post of this programme' }]);
      const notTheirs = await createPost(ctx.sql, est);
      const r2 = await ctx.api.post(programmeCases(), { employeeId: h.employee.id, postId: notTheirs }, { headers: hr.headers });
      expectErrorShape(r2, 400);
      expect(r2.body.details[0].field).toBe('postId');
      const r3 = await ctx.api.post(programmeCases(), { employeeId: h.employee.id, postId: h.postId, route: 'teleport' }, { headers: hr.headers });
      expectErrorShape(r3, 400);
      expect(r3.body.details).toEqual([expect.objectContaining({ field: 'route' })]);
      const r4 = await ctx.api.post(programmeCases(), { employeeId: h.employee.id, postId: h.postId, proposedEffectiveDate: '2017-02-30' }, { headers: hr.headers });
      expectErrorShape(r4, 400);
      expect(r4.body.details).toEqual([{ field: 'proposedEffectiveDate', reason: 'must be a date written YYYY-MM-DD' }]);
      const r5 = await ctx.api.post(programmeCases(), { employeeId: h.employee.id, postId: h.postId, legalBasis: 'tupe_2006' }, { headers: hr.headers });
      expectErrorShape(r5, 422);
      expect(r5.body.details).toEqual([expect.objectContaining({ field: 'legalAdviceReference' })]);
    });

    it("shows the new post's grade beside the old one: recorded, or the destination post's", async () => {
      const h = await createHolder(ctx.sql, est, { gradeId: est.gradeIds.g9 });
      const ccgPost = await createPost(ctx.sql, est, { organisationId: est.ccgId, gradeId: est.gradeIds.band7 });
      const c = await openCase(h, {
        ...transfer,
        destinationOrganisationId: est.ccgId,
        destinationPostId: ccgPost,
        pensionArrangement: 'nhs_pension_scheme',
        payProtectionUntil: '2019-03-31',
      });
      expect(c.oldGrade).toEqual({ id: est.gradeIds.g9, code: 'G9' });
      expect(c.newGrade).toEqual({ id: est.gradeIds.band7, code: 'Band 7', source: 'destination_post' });
      expect(c.transfer).toMatchObject({ destinationPostId: ccgPost, pensionArrangement: 'nhs_pension_scheme', payProtectionUntil: '2019-03-31' });
      // A council grade is not on the CCG's scale (issue 13): refused, naming the field.
      const councilGrade = await ctx.api.patch(url(c.id), { version: c.version, newGradeId: est.gradeIds.g7 }, { headers: hr.headers });
      expectErrorShape(councilGrade, 422);
      expect(councilGrade.body.details).toEqual([{ field: 'newGradeId', reason: expect.stringContaining('G7 is not on the pay scale of the destination organisation') }]);
      const recorded = await ctx.api.patch(url(c.id), { version: c.version, newGradeId: est.gradeIds.band7 }, { headers: hr.headers });
      expect(recorded.body.newGrade).toEqual({ id: est.gradeIds.band7, code: 'Band 7', source: 'recorded' });
      const own = await ctx.api.patch(url(c.id), { version: recorded.body.version, destinationPostId: h.postId }, { headers: hr.headers });
      expectErrorShape(own, 422);
      expect(own.body.details).toEqual([{ field: 'destinationPostId', reason: "is the person's current post" }]);
    });

    it('defaults a secondee in the LGPS to staying in it', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h, { route: 'secondment', hostOrganisationId: est.ccgId, secondmentStartDate: '2017-04-01', secondmentEndDate: '2018-03-31' });
      expect(c.secondment).toMatchObject({ hostOrganisationId: est.ccgId, staysInLgps: true, startDate: '2017-04-01', endDate: '2018-03-31' });
    });
  });

  describe('deadlines, derived from the route and dates and recomputed when a date moves', () => {
    it('a transfer on 2017-04-01 has its ELI due on 2017-03-04; moving it to 2017-05-01 moves ELI to 2017-04-03', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h, { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' });
      const eli = (body: { deadlines: { kind: string; dueOn: string }[] }) => body.deadlines.find((d) => d.kind === 'eli')!;
      expect(eli(c)).toMatchObject({ dueOn: '2017-03-04', basis: 'proposed_effective_date', doneOn: null });

      const moved = await ctx.api.patch(url(c.id), { version: c.version, proposedEffectiveDate: '2017-05-01' }, { headers: hr.headers });
      expect(moved.statusCode).toBe(200);
      expect(eli(moved.body)).toMatchObject({ dueOn: '2017-04-03', basis: 'proposed_effective_date' });
      const read = await ctx.api.get(url(c.id), { headers: hr.headers });
      expect(eli(read.body).dueOn).toBe('2017-04-03');
      // The same whoever moves the date (here SQL by hand): deadlines are computed on every read.
      await ctx.sql.query(`UPDATE transition_cases SET proposed_effective_date = '2017-04-01' WHERE id = $1`, [c.id]);
      expect(eli((await ctx.api.get(url(c.id), { headers: hr.headers })).body).dueOn).toBe('2017-03-04');
    });

    it('puts the reg. 13 information (measures letter) 30 days before the transfer until a consultation is linked, then at its opening', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h, { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' });
      type D = { kind: string; dueOn: string; note: string; problem: string | null; consultationId?: string | null };
      const letter = (body: { deadlines: D[] }) => body.deadlines.find((d) => d.kind === 'measures_letter')!;
      const end = (body: { deadlines: D[] }) => body.deadlines.find((d) => d.kind === 'reg13_consultation_end');
      expect(letter(c)).toMatchObject({ dueOn: '2017-03-02', basis: 'days_before_transfer', consultationId: null, citation: 'TUPE 2006 reg. 13(2) and (6)' });
      expect(letter(c).note).toMatch(/no consultation is linked/);

      const consultationId = await createConsultation(ctx.sql, est.programmeId, [h.postId], { startDate: '2016-12-01', plannedEndDate: '2017-02-15' });
      // Covering the post is not enough: the case is linked explicitly.
      expect(letter((await ctx.api.get(url(c.id), { headers: hr.headers })).body).dueOn).toBe('2017-03-02');
      const linked = await ctx.api.patch(url(c.id), { version: c.version, consultationId }, { headers: hr.headers });
      expect(linked.statusCode).toBe(200);
      expect(linked.body.consultation).toMatchObject({ id: consultationId, startDate: '2016-12-01', endDate: '2017-02-15' });
      expect(letter(linked.body)).toMatchObject({ dueOn: '2016-12-01', basis: 'consultation_start', consultationId });
      expect(end(linked.body)).toMatchObject({ dueOn: '2017-03-31', problem: null, status: 'done' });
      // The consultation runs past the transfer date: the case says so.
      await ctx.sql.query(`UPDATE consultations SET planned_end_date = '2017-04-10', status = 'extended', extension_reason = 'More time', opened_at = now() WHERE id = $1`, [
        consultationId,
      ]);
      const extended = await ctx.api.get(url(c.id), { headers: hr.headers });
      expect(end(extended.body)).toMatchObject({ problem: 'the consultation ends on 2017-04-10, not before the transfer on 2017-04-01', status: 'overdue' });
      // Another consultation on the programme is not this case's.
      const other = await createConsultation(ctx.sql, est.programmeId, [], { startDate: '2017-03-20', plannedEndDate: '2017-03-25' });
      const wrongProgramme = await ctx.api.patch(url(c.id), { version: extended.body.version, consultationId: '4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e' }, { headers: hr.headers });
      expectErrorShape(wrongProgramme, 422);
      expect(wrongProgramme.body.details).toEqual([{ field: 'consultationId', reason: 'is not a consultation' }]);
      expect(letter((await ctx.api.get(url(c.id), { headers: hr.headers })).body).consultationId).toBe(consultationId);
      expect(other).toBeTruthy();
    });

    it('puts the secondment review three months before its end', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h, { route: 'secondment', hostOrganisationId: est.ccgId, secondmentStartDate: '2017-04-01', secondmentEndDate: '2018-05-31' });
      expect(c.deadlines).toEqual([expect.objectContaining({ kind: 'secondment_review', dueOn: '2018-02-28', basis: 'secondment_end' })]);
      const moved = await ctx.api.patch(url(c.id), { version: c.version, secondmentEndDate: '2018-03-31' }, { headers: hr.headers });
      expect(moved.body.deadlines).toEqual([expect.objectContaining({ kind: 'secondment_review', dueOn: '2017-12-31' })]);
      const reviewed = await ctx.api.patch(url(c.id), { version: moved.body.version, secondmentReviewedOn: '2017-12-01' }, { headers: hr.headers });
      expect(reviewed.body.deadlines[0]).toMatchObject({ status: 'done', doneOn: '2017-12-01', late: false });
    });

    it('shows each deadline as upcoming, due (0-7 days), overdue or done, as of today in London', async () => {
      const today = todayInLondon();
      const h = await createHolder(ctx.sql, est);
      // ELI due = transfer - 28 days. Pick transfer dates that put ELI 30, 7, 0 and -1 days from today.
      const c = await openCase(h, { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: addDays(today, 58) });
      const status = async (transferIn: number) => {
        await ctx.sql.query(`UPDATE transition_cases SET proposed_effective_date = $2 WHERE id = $1`, [c.id, addDays(today, transferIn)]);
        const r = await ctx.api.get(url(c.id), { headers: hr.headers });
        const eli = r.body.deadlines.find((d: { kind: string }) => d.kind === 'eli');
        return [eli.status, eli.daysLeft];
      };
      expect(await status(58)).toEqual(['upcoming', 30]);
      expect(await status(36)).toEqual(['upcoming', 8]);
      expect(await status(35)).toEqual(['due', 7]);
      expect(await status(28)).toEqual(['due', 0]);
      expect(await status(27)).toEqual(['overdue', -1]);
      const read = await ctx.api.get(url(c.id), { headers: hr.headers });
      // Issue 15: the ELI deadline is met only by a recorded final ELI release covering the case; the checklist tick is HR's own note.
      const done = await checklist(c.id, 'eli_sent', read.body.version, { done: true, doneOn: today });
      expect(done.body.deadlines.find((d: { kind: string }) => d.kind === 'eli')).toMatchObject({ status: 'overdue', doneOn: null });
      // asOf judges the same data at another date.
      const asOf = await ctx.api.get(`${url(c.id)}?asOf=2000-01-01`, { headers: hr.headers });
      expect(asOf.body.deadlines.find((d: { kind: string }) => d.kind === 'measures_letter').status).toBe('upcoming');
    });
  });

  describe('state machine', () => {
    it('refuses an illegal transition with 409 naming the allowed next states', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h);
      const res = await transition(c.id, 'effective', c.version);
      expectErrorShape(res, 409);
      // Issue 17: allowed and currentState moved from top-level fields into the `to` detail.
      expect(res.body.details).toEqual([
        { field: 'to', reason: 'must be one of: in_consultation, on_hold, withdrawn', allowed: ['in_consultation', 'on_hold', 'withdrawn'], currentState: 'proposed' },
      ]);
      expect(res.body.message).toContain('in_consultation, on_hold, withdrawn');
      const { rows } = await ctx.sql.query(`SELECT state, version FROM transition_cases WHERE id = $1`, [c.id]);
      expect(rows).toEqual([{ state: 'proposed', version: 1 }]);
    });

    it('walks a transfer to completed, keeping who, when, from, to and the note of each step', async () => {
      const h = await createHolder(ctx.sql, est);
      let c = await openCase(h, { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' });
      for (const to of ['in_consultation', 'agreed', 'letters_issued']) {
        if (to === 'letters_issued') await issueCaseLetter(ctx, hr, c.id);
        const r = await transition(c.id, to, c.version, { note: `to ${to}` });
        expect(r.statusCode).toBe(200);
        c = r.body;
      }
      c = (await checklist(c.id, 'eli_sent', c.version, { done: true, doneOn: '2017-02-27' })).body;
      c = (await checklist(c.id, 'measures_letter_issued', c.version, { done: true, doneOn: '2017-01-20' })).body;
      const eff = await transition(c.id, 'effective', c.version, { note: 'transferred' });
      expect(eff.statusCode).toBe(200);
      expect(eff.body).toMatchObject({ state: 'effective', actualEffectiveDate: '2017-04-01', allowedTransitions: ['completed'] });
      const done = await transition(c.id, 'completed', eff.body.version);
      expect(done.body.allowedTransitions).toEqual([]);

      const history = await ctx.api.get(`${url(c.id)}/transitions`, { headers: hr.headers });
      expect(history.body.map((t: { fromState: string; toState: string; note: string }) => [t.fromState, t.toState, t.note])).toEqual([
        [null, 'proposed', 'Case opened'],
        ['proposed', 'in_consultation', 'to in_consultation'],
        ['in_consultation', 'agreed', 'to agreed'],
        ['agreed', 'letters_issued', 'to letters_issued'],
        ['letters_issued', 'effective', 'transferred'],
        ['effective', 'completed', null],
      ]);
      for (const t of history.body) expect(t).toMatchObject({ actorId: hr.id, actorLabel: hr.email, occurredAt: expect.any(String) });

      // Each change of state is one event for notifications, in the same transaction, without names.
      const { rows: events } = await ctx.sql.query(`SELECT payload FROM domain_events WHERE entity_type = 'transition_case' AND entity_id = $1 ORDER BY occurred_at`, [c.id]);
      expect(events.map((e) => [e.payload.from, e.payload.to])).toEqual([
        ['proposed', 'in_consultation'],
        ['in_consultation', 'agreed'],
        ['agreed', 'letters_issued'],
        ['letters_issued', 'effective'],
        ['effective', 'completed'],
      ]);
      // The typed case.state_changed event (src/events/domain-event.ts): the facts of that step, the person by id only.
      expect(events[3].payload).toEqual({
        caseId: c.id,
        from: 'letters_issued',
        to: 'effective',
        fromLabel: 'Letters issued',
        toLabel: 'Effective',
        route: 'tupe_transfer',
        routeLabel: 'TUPE transfer',
        postId: h.postId,
        postReference: expect.stringMatching(/^P-/),
        postTitle: 'Commissioning Manager',
        thematicAreaId: est.areaIds.a,
        oldGrade: 'G7',
        newGrade: null,
        destination: expect.stringMatching(/^CCG /),
        effectiveDate: '2017-04-01',
        employeeId: h.employee.id,
        _programmeName: expect.stringMatching(/^Programme /),
      });
      expect(JSON.stringify(events)).not.toContain(h.employee.lastName);
      expect(JSON.stringify(events)).not.toContain(h.employee.staffNumber);

      const final = await ctx.api.patch(url(c.id), { version: done.body.version, notes: 'late note' }, { headers: hr.headers });
      expectErrorShape(final, 409);
    });

    it('puts a case on hold and returns it exactly where it was, or withdraws it', async () => {
      const h = await createHolder(ctx.sql, est);
      let c = await openCase(h);
      c = (await transition(c.id, 'in_consultation', c.version)).body;
      c = (await transition(c.id, 'on_hold', c.version, { note: 'waiting for NHS England approval' })).body;
      expect(c).toMatchObject({ state: 'on_hold', heldFromState: 'in_consultation', allowedTransitions: ['in_consultation', 'withdrawn'] });
      const wrong = await transition(c.id, 'proposed', c.version);
      expectErrorShape(wrong, 409);
      expect(wrong.body.details[0].allowed).toEqual(['in_consultation', 'withdrawn']);
      c = (await transition(c.id, 'in_consultation', c.version)).body;
      expect(c).toMatchObject({ state: 'in_consultation', heldFromState: null });
      c = (await transition(c.id, 'withdrawn', c.version)).body;
      expect(c.allowedTransitions).toEqual([]);
      expect(c.deadlines).toEqual([]);
    });

    it('needs the route decided and its arrangements complete to agree a case (422 naming the fields)', async () => {
      const h = await createHolder(ctx.sql, est);
      let c = await openCase(h);
      c = (await transition(c.id, 'in_consultation', c.version)).body;
      const undecided = await transition(c.id, 'agreed', c.version);
      expectErrorShape(undecided, 422);
      expect(undecided.body.details).toEqual([{ field: 'route', reason: 'must be decided once the case is agreed' }]);
      c = (await ctx.api.patch(url(c.id), { version: c.version, route: 'tupe_transfer' }, { headers: hr.headers })).body;
      const incomplete = await transition(c.id, 'agreed', c.version);
      expectErrorShape(incomplete, 422);
      expect(incomplete.body.details.map((d: { field: string }) => d.field)).toEqual(['destinationOrganisationId', 'legalBasis', 'proposedEffectiveDate']);
    });

    it('keeps the same state machine in the database: a raw update cannot skip a step', async () => {
      const h = await createHolder(ctx.sql, est);
      const id = await insertCase(ctx.sql, est, h, { route: 'remains_with_council' });
      await expect(ctx.sql.query(`UPDATE transition_cases SET state = 'completed' WHERE id = $1`, [id])).rejects.toThrow(/cannot go from proposed to completed/);
      await expect(
        ctx.sql.query(`INSERT INTO transition_cases (programme_id, employee_id, post_id, state) VALUES ($1, $2, $3, 'agreed')`, [est.programmeId, h.employee.id, h.postId]),
      ).rejects.toThrow(/starts as proposed/);
      const { rows } = await ctx.sql.query(`SELECT from_state, to_state FROM case_state_edges ORDER BY 1, 2`);
      const fromCode = Object.entries(CASE_STATE_EDGES)
        .flatMap(([from, tos]) => tos.map((to) => ({ from_state: from, to_state: to })))
        .sort((a, b) => `${a.from_state} ${a.to_state}`.localeCompare(`${b.from_state} ${b.to_state}`));
      expect(rows).toEqual(fromCode);
    });
  });

  describe('ELI before a transfer becomes effective', () => {
    async function readyTransfer(eliComplete = true) {
      const h = await createHolder(ctx.sql, est, { eliComplete });
      let c = await openCase(h, { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' });
      for (const to of ['in_consultation', 'agreed', 'letters_issued']) {
        if (to === 'letters_issued') await issueCaseLetter(ctx, hr, c.id);
        c = (await transition(c.id, to, c.version)).body;
      }
      return { h, c };
    }

    it('refuses effective while ELI is not recorded as sent (API 409 and the database too)', async () => {
      const { c } = await readyTransfer();
      const res = await transition(c.id, 'effective', c.version);
      expectErrorShape(res, 409);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'checklist.eli_sent' })]);
      await expect(ctx.sql.query(`UPDATE transition_cases SET state = 'effective', actual_effective_date = '2017-04-01' WHERE id = $1`, [c.id])).rejects.toThrow(
        /before its ELI is recorded as sent/,
      );
    });

    it('lets an HR officer record an override with a reason (audited), and only an HR officer', async () => {
      const { c } = await readyTransfer();
      const short = await ctx.api.post(`${url(c.id)}/eli-override`, { version: c.version, reason: 'late' }, { headers: hr.headers });
      expectErrorShape(short, 400);
      expect(short.body.details).toEqual([expect.objectContaining({ field: 'reason' })]);
      const byAdmin = await ctx.api.post(`${url(c.id)}/eli-override`, { version: c.version, reason: 'Transferor records lost' }, { headers: admin.headers });
      expectErrorShape(byAdmin, 403);
      const reason = 'Transferor payroll records unavailable; ELI follows within 7 days (legal advice LS/2017/22)';
      const o = await ctx.api.post(`${url(c.id)}/eli-override`, { version: c.version, reason }, { headers: hr.headers });
      expect(o.statusCode).toBe(200);
      expect(o.body.eliOverride).toEqual({ reason, byUserId: hr.id, byLabel: hr.email, at: expect.any(String) });
      const letter = await checklist(o.body.id, 'measures_letter_issued', o.body.version, { done: true, doneOn: '2017-01-20' });
      const eff = await transition(o.body.id, 'effective', letter.body.version);
      expect(eff.statusCode).toBe(200);
      const { rows } = await ctx.sql.query(`SELECT actor_id, metadata FROM audit_log WHERE action = 'case.eli_override' AND entity_id = $1`, [c.id]);
      expect(rows).toEqual([{ actor_id: hr.id, metadata: { reason } }]);
    });

    it('does not let ELI be recorded as sent while the employee record lacks what ELI needs', async () => {
      const { c } = await readyTransfer(false);
      const res = await checklist(c.id, 'eli_sent', c.version);
      expectErrorShape(res, 409);
      expect(res.body.details[0].reason).toMatch(/dateOfBirth.*weeklyHours.*annualPay.*noticePeriodWeeks/);
    });
  });

  describe('checklist', () => {
    it('records who did each item and when, and clears it again', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h);
      const future = await checklist(c.id, 'one_to_one_held', c.version, { done: true, doneOn: addDays(todayInLondon(), 1) });
      expectErrorShape(future, 400);
      expect(future.body.details[0].field).toBe('doneOn');
      const done = await checklist(c.id, 'one_to_one_held', c.version, { done: true, doneOn: '2017-01-10', note: 'Held with line manager' });
      expect(done.statusCode).toBe(200);
      expect(done.body.version).toBe(c.version + 1);
      expect(done.body.checklist.find((i: { item: string }) => i.item === 'one_to_one_held')).toEqual({
        item: 'one_to_one_held',
        done: true,
        doneOn: '2017-01-10',
        doneByUserId: hr.id,
        doneByLabel: hr.email,
        recordedAt: expect.any(String),
        note: 'Held with line manager',
      });
      const undone = await checklist(c.id, 'one_to_one_held', done.body.version, { done: false });
      expect(undone.body.checklist.find((i: { item: string }) => i.item === 'one_to_one_held')).toMatchObject({ done: false, doneOn: null, doneByUserId: null });
      const bad = await ctx.api.put(`${url(c.id)}/checklist/coffee_made`, { version: undone.body.version, done: true }, { headers: hr.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details[0].field).toBe('item');
      const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'case.checklist_item' AND entity_id = $1`, [c.id]);
      expect(rows[0].n).toBe(2);
    });
  });

  describe('optimistic concurrency and audit', () => {
    it('gives one success and one 409 to two concurrent updates with the same version', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h);
      const [a, b] = await Promise.all([
        ctx.api.patch(url(c.id), { version: c.version, proposedEffectiveDate: '2017-04-01' }, { headers: hr.headers }),
        ctx.api.patch(url(c.id), { version: c.version, proposedEffectiveDate: '2017-06-01' }, { headers: hr.headers }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      const loser = a.statusCode === 409 ? a : b;
      expectErrorShape(loser, 409);
      expect(loser.body.details[0].currentVersion).toBe(c.version + 1);
      const { rows } = await ctx.sql.query(`SELECT version FROM transition_cases WHERE id = $1`, [c.id]);
      expect(rows[0].version).toBe(c.version + 1);
      const { rows: audits } = await ctx.sql.query(`SELECT changes FROM audit_log WHERE action = 'case.update' AND entity_id = $1`, [c.id]);
      expect(audits).toHaveLength(1);
      expect(audits[0].changes.proposedEffectiveDate.from).toBeNull();
    });

    it('gives one success and one 409 to two concurrent transitions with the same version', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h);
      const results = await Promise.all([transition(c.id, 'in_consultation', c.version), transition(c.id, 'withdrawn', c.version)]);
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    });

    it('audits a change with the fields that changed, by whom', async () => {
      const h = await createHolder(ctx.sql, est);
      const c = await openCase(h);
      await ctx.api.patch(url(c.id), { version: c.version, route: 'secondment', notes: 'Prefers secondment' }, { headers: admin.headers });
      const { rows } = await ctx.sql.query(`SELECT actor_id, changes FROM audit_log WHERE action = 'case.update' AND entity_id = $1`, [c.id]);
      expect(rows).toEqual([
        {
          actor_id: admin.id,
          // staysInLgps follows from the route for an LGPS member, and is part of the change.
          changes: { route: { from: 'undecided', to: 'secondment' }, notes: { from: null, to: 'Prefers secondment' }, staysInLgps: { from: null, to: true } },
        },
      ]);
    });
  });

  describe('access', () => {
    let inA: { id: string; version: number };
    let inB: { id: string };
    let holderA: TestHolder;

    beforeAll(async () => {
      holderA = await createHolder(ctx.sql, est, { areaId: est.areaIds.a });
      inA = await openCase(holderA, { notes: 'Private HR note' });
      inB = await openCase(await createHolder(ctx.sql, est, { areaId: est.areaIds.b }));
    });

    it('declares who may call each route', async () => {
      const users = await createUsersForAllRoles(ctx);
      const id = inA.id;
      await expectRouteAllows(ctx, 'GET', url(id), [Role.Admin, Role.HrOfficer, Role.Manager], { users });
      await expectRouteAllows(ctx, 'GET', `${url(id)}/transitions`, [Role.Admin, Role.HrOfficer, Role.Manager], { users });
      await expectRouteAllows(ctx, 'PATCH', url(id), [Role.Admin, Role.HrOfficer], { users, payload: { version: 999 } });
      await expectRouteAllows(ctx, 'POST', `${url(id)}/transitions`, [Role.Admin, Role.HrOfficer], { users, payload: { version: 999, to: 'withdrawn' } });
      await expectRouteAllows(ctx, 'PUT', `${url(id)}/checklist/one_to_one_held`, [Role.Admin, Role.HrOfficer], { users, payload: { version: 999, done: true } });
      await expectRouteAllows(ctx, 'POST', `${url(id)}/eli-override`, [Role.HrOfficer], { users, payload: { version: 999, reason: 'a long enough reason' } });
      await expectRouteAllows(ctx, 'GET', programmeCases(), [Role.Admin, Role.HrOfficer, Role.Manager], { users });
      await expectRouteAllows(ctx, 'POST', programmeCases(), [Role.Admin, Role.HrOfficer], { users, payload: {} });
    });

    it('lets a manager read the cases of their areas only; others are 404, as if absent', async () => {
      const own = await ctx.api.get(url(inA.id), { headers: managerA.headers });
      expect(own.statusCode).toBe(200);
      expect(own.body.employee.lastName).toBe(holderA.employee.lastName);
      expect(own.body).not.toHaveProperty('notes');
      await expectInvisible(ctx, managerA, 'GET', url(inB.id));
      await expectInvisible(ctx, managerA, 'GET', `${url(inB.id)}/transitions`);
      const list = await ctx.api.get(programmeCases(), { headers: managerA.headers });
      expect(list.statusCode).toBe(200);
      expect(list.body.items.map((c: { post: { thematicAreaId: string } }) => c.post.thematicAreaId)).toEqual(list.body.items.map(() => est.areaIds.a));
      expect(list.body.items.map((c: { id: string }) => c.id)).toContain(inA.id);
      const hrList = await ctx.api.get(`${programmeCases()}?thematicAreaId=${est.areaIds.b}`, { headers: hr.headers });
      expect(hrList.body.items.map((c: { id: string }) => c.id)).toEqual([inB.id]);
      expect(hrList.body.total).toBe(1);
      const other = await createEstablishment(ctx.sql);
      await expectInvisible(ctx, managerA, 'GET', `/api/v1/programmes/${other.programmeId}/cases`);
    });

    it('gives HR officers the notes and trade union reps nothing of a case', async () => {
      const asHr = await ctx.api.get(url(inA.id), { headers: hr.headers });
      expect(asHr.body.notes).toBe('Private HR note');
      const asRep = await ctx.api.get(url(inA.id), { headers: rep.headers });
      expectErrorShape(asRep, 403);
      const list = await ctx.api.get(programmeCases(), { headers: rep.headers });
      expectErrorShape(list, 403);
    });

    it('answers 404 for a case that does not exist and 400 for a malformed id', async () => {
      expectErrorShape(await ctx.api.get(url('4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e'), { headers: hr.headers }), 404);
      expectErrorShape(await ctx.api.get(url('nope'), { headers: hr.headers }), 400);
    });
  });

  it('moves the list by state and route filters', async () => {
    const h1 = await createHolder(ctx.sql, est);
    const id = await insertCase(ctx.sql, est, h1, { route: 'cosop_transfer' });
    await walkCase(ctx.sql, id, ['in_consultation']);
    const res = await ctx.api.get(`${programmeCases()}?state=in_consultation&route=cosop_transfer,leaves`, { headers: hr.headers });
    expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    const bad = await ctx.api.get(`${programmeCases()}?state=sleeping`, { headers: hr.headers });
    expectErrorShape(bad, 400);
    expect(bad.body.details[0].field).toBe('state');
    // A filter with no value is a client mistake, not "every state".
    for (const q of ['state=', 'route=', 'state=,', 'thematicAreaId=']) {
      const empty = await ctx.api.get(`${programmeCases()}?${q}`, { headers: hr.headers });
      expectErrorShape(empty, 400);
      expect(empty.body.details[0].field).toBe(q.split('=')[0]);
    }
  });
});

/**
 * The statutory clock (issue 13), on real Postgres through the API: TUPE reg. 11 and 13 deadlines
 * with working-day awareness, the explicit link from a case to its consultation, TULRCA s.188 as a
 * start-by rule with s.193 HR1, s.188(1)/(3) adding up, the protective award by date, secondments
 * and pay protection, asOf.
 */
import { issueCaseLetter } from '../support/documents';
import { Role } from '../../src/common/access/role.enum';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, expectNoPersonalData, TestUser } from '../support/auth';
import { createEstablishment, createHolder, TestEstablishment, TestHolder } from '../support/factories/cases-factory';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

describe('the statutory clock', () => {
  let ctx: TestContext;
  let est: TestEstablishment;
  let hr: TestUser;
  let rep: TestUser;

  const transfer = { route: 'tupe_transfer', legalBasis: 'tupe_2006', legalAdviceReference: 'Legal Services advice LS/2016/1187' };
  type Deadline = { kind: string; dueOn: string; [k: string]: unknown };
  const deadline = (body: { deadlines: Deadline[] }, kind: string) => body.deadlines.find((d) => d.kind === kind)!;

  beforeAll(async () => {
    ctx = await startTestApp();
    est = await createEstablishment(ctx.sql);
    hr = await createUser(ctx, Role.HrOfficer);
    rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId: est.programmeId, thematicAreaId: null }] });
  });
  afterAll(async () => ctx?.close());

  async function openCase(holder: TestHolder, body: Record<string, unknown>) {
    const res = await ctx.api.post(`/api/v1/programmes/${est.programmeId}/cases`, { employeeId: holder.employee.id, postId: holder.postId, ...body }, { headers: hr.headers });
    expect(res.statusCode).toBe(201);
    return res.body;
  }

  const consultation = (payload: Record<string, unknown>, programmeId = est.programmeId) =>
    ctx.api.post('/api/v1/consultations', { programmeId, title: 'Restructure', ...payload }, { headers: hr.headers });

  describe('TUPE reg. 11: ELI', () => {
    it('transfer 2017-04-01: ELI due 2017-03-04, a Saturday, so send by Friday 2017-03-03', async () => {
      const c = await openCase(await createHolder(ctx.sql, est), { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' });
      expect(deadline(c, 'eli')).toMatchObject({
        dueOn: '2017-03-04',
        dayOfWeek: 'Saturday',
        nonWorkingDay: true,
        nonWorkingReason: 'Saturday',
        sendBy: '2017-03-03',
        ruleId: 'tupe_reg11_eli_28_days',
        citation: expect.stringContaining('SI 2014/16'),
      });
    });

    it('transfer 2014-04-01 (before 1 May 2014): ELI due 2014-03-18, 14 days', async () => {
      const c = await openCase(await createHolder(ctx.sql, est), { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2014-04-01' });
      expect(deadline(c, 'eli')).toMatchObject({ dueOn: '2014-03-18', ruleId: 'tupe_reg11_eli_14_days', nonWorkingDay: false, sendBy: '2014-03-18' });
      expect(deadline(c, 'eli').note).toContain('at least 14 days');
    });

    it('a Scottish transferor uses the Scottish bank holidays (the division is set on the organisation)', async () => {
      const admin = await createUser(ctx, Role.Admin);
      const org = (await ctx.api.get(`/api/v1/organisations/${est.councilId}`, { headers: admin.headers })).body;
      expect(org.bankHolidayDivision).toBe('england-and-wales');
      const bad = await ctx.api.patch(`/api/v1/organisations/${est.councilId}`, { version: org.version, bankHolidayDivision: 'wales' }, { headers: admin.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details[0].field).toBe('bankHolidayDivision');
      const scot = await ctx.api.patch(`/api/v1/organisations/${est.councilId}`, { version: org.version, bankHolidayDivision: 'scotland' }, { headers: admin.headers });
      expect(scot.body.bankHolidayDivision).toBe('scotland');
      try {
        // Transfer 2017-05-15 -> ELI 2017-04-17, Easter Monday: a bank holiday in England and Wales, not in Scotland.
        const c = await openCase(await createHolder(ctx.sql, est), { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-05-15' });
        expect(deadline(c, 'eli')).toMatchObject({ dueOn: '2017-04-17', nonWorkingDay: false, sendBy: '2017-04-17' });
      } finally {
        await ctx.api.patch(`/api/v1/organisations/${est.councilId}`, { version: scot.body.version, bankHolidayDivision: 'england-and-wales' }, { headers: admin.headers });
      }
      const ew = await openCase(await createHolder(ctx.sql, est), { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-05-15' });
      expect(deadline(ew, 'eli')).toMatchObject({ dueOn: '2017-04-17', nonWorkingReason: 'Easter Monday (bank holiday)', sendBy: '2017-04-13' });
    });
  });

  describe('TUPE reg. 13: the consultation that covers the case, and the guard before effective', () => {
    it('the programme sets how many days before the transfer the reg. 13 information is due (default 30)', async () => {
      const admin = await createUser(ctx, Role.Admin);
      const e3 = await createEstablishment(ctx.sql);
      const prog = (await ctx.api.get(`/api/v1/programmes/${e3.programmeId}`, { headers: admin.headers })).body;
      expect(prog.reg13InformationDays).toBe(30);
      const bad = await ctx.api.patch(`/api/v1/programmes/${e3.programmeId}`, { version: prog.version, reg13InformationDays: 0 }, { headers: admin.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details[0].field).toBe('reg13InformationDays');
      const set = await ctx.api.patch(`/api/v1/programmes/${e3.programmeId}`, { version: prog.version, reg13InformationDays: 45 }, { headers: admin.headers });
      expect(set.body.reg13InformationDays).toBe(45);
      const h = await createHolder(ctx.sql, e3);
      const c = await ctx.api.post(
        `/api/v1/programmes/${e3.programmeId}/cases`,
        { employeeId: h.employee.id, postId: h.postId, ...transfer, destinationOrganisationId: e3.ccgId, proposedEffectiveDate: '2017-04-01' },
        { headers: hr.headers },
      );
      expect(deadline(c.body, 'measures_letter')).toMatchObject({ dueOn: '2017-02-15', basis: 'days_before_transfer', nonWorkingDay: false });
    });

    it('refuses effective while the reg. 13 information is outstanding, unless an HR officer records an override (audited); shows the reg. 16 exposure', async () => {
      const h = await createHolder(ctx.sql, est);
      let c = await openCase(h, { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' });
      expect(c.reg16Exposure).toMatchObject({ maxWeeksPay: 13, citation: 'TUPE 2006 reg. 15(7)-(9) and reg. 16(3)' });
      for (const to of ['in_consultation', 'agreed', 'letters_issued']) {
        if (to === 'letters_issued') await issueCaseLetter(ctx, hr, c.id);
        c = (await ctx.api.post(`/api/v1/cases/${c.id}/transitions`, { to, version: c.version }, { headers: hr.headers })).body;
      }
      c = (await ctx.api.put(`/api/v1/cases/${c.id}/checklist/eli_sent`, { version: c.version, done: true, doneOn: '2017-02-27' }, { headers: hr.headers })).body;
      const refused = await ctx.api.post(`/api/v1/cases/${c.id}/transitions`, { to: 'effective', version: c.version }, { headers: hr.headers });
      expectErrorShape(refused, 409);
      expect(refused.body.details).toEqual([expect.objectContaining({ field: 'checklist.measures_letter_issued' })]);
      await expect(ctx.sql.query(`UPDATE transition_cases SET state = 'effective', actual_effective_date = '2017-04-01' WHERE id = $1`, [c.id])).rejects.toThrow(
        /reg\. 13 information is outstanding/,
      );
      const reason = 'Representatives informed orally on 1 March; letter follows (legal advice LS/2017/31)';
      const o = await ctx.api.post(`/api/v1/cases/${c.id}/reg13-override`, { version: c.version, reason }, { headers: hr.headers });
      expect(o.statusCode).toBe(200);
      expect(o.body.reg13Override).toEqual({ reason, byUserId: hr.id, byLabel: hr.email, at: expect.any(String) });
      const eff = await ctx.api.post(`/api/v1/cases/${c.id}/transitions`, { to: 'effective', version: o.body.version }, { headers: hr.headers });
      expect(eff.statusCode).toBe(200);
      const { rows } = await ctx.sql.query(`SELECT actor_id, metadata FROM audit_log WHERE action = 'case.reg13_override' AND entity_id = $1`, [c.id]);
      expect(rows).toEqual([{ actor_id: hr.id, metadata: { reason } }]);
    });

    it('setting the posts of a consultation links the uncovered open cases on them (audited), and never re-links a linked one; extending past a linked transfer is refused', async () => {
      const h1 = await createHolder(ctx.sql, est);
      const h2 = await createHolder(ctx.sql, est);
      const c1 = await openCase(h1, { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' });
      const first = await consultation({ kind: 'tupe_information_consultation', startDate: '2016-12-05', plannedEndDate: '2017-03-03', postIds: [h1.postId] });
      expect(first.statusCode).toBe(201);
      const linked = (await ctx.api.get(`/api/v1/cases/${c1.id}`, { headers: hr.headers })).body;
      expect(linked.consultation).toMatchObject({ id: first.body.id });
      expect(deadline(linked, 'measures_letter')).toMatchObject({ dueOn: '2016-12-05', basis: 'consultation_start' });
      const { rows } = await ctx.sql.query(`SELECT changes FROM audit_log WHERE action = 'case.link_consultation' AND entity_id = $1`, [c1.id]);
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows[0].changes)).toContain(first.body.id);

      const second = await consultation({ kind: 'tupe_information_consultation', startDate: '2017-01-10', plannedEndDate: '2017-03-20', postIds: [h1.postId, h2.postId] });
      expect((await ctx.api.get(`/api/v1/cases/${c1.id}`, { headers: hr.headers })).body.consultation.id).toBe(first.body.id);

      const opened = await ctx.api.post(`/api/v1/consultations/${first.body.id}/open`, {}, { headers: hr.headers });
      const tooLong = await ctx.api.post(
        `/api/v1/consultations/${first.body.id}/extend`,
        { version: opened.body.version, plannedEndDate: '2017-04-05', reason: 'Unions asked for more time' },
        { headers: hr.headers },
      );
      expectErrorShape(tooLong, 422);
      expect(tooLong.body.details).toEqual([{ field: 'plannedEndDate', reason: expect.stringContaining('must be before 2017-04-01') }]);
      const status = await ctx.api.get(`/api/v1/consultations/${first.body.id}?asOf=2017-02-01`, { headers: rep.headers });
      expect(status.body.statutory.reg16Exposure).toEqual({ maxWeeksPayPerEmployee: 13, affectedEmployees: 1, citation: 'TUPE 2006 reg. 15(7)-(9) and reg. 16(3)' });
      expectNoPersonalData(status.body, [h1.employee.lastName, h1.employee.staffNumber]);
      expect(second.statusCode).toBe(201);
    });
  });

  describe('TULRCA s.188 and s.193', () => {
    it('100 proposed dismissals, first dismissal 2017-04-01: consultation must begin by 2017-02-15; closing on day 40 is allowed; HR1 by the earlier of the first notice and 2017-02-15', async () => {
      const base = { kind: 'collective_redundancy', proposedDismissals: 100, startDate: '2017-02-15', plannedEndDate: '2017-03-31', firstDismissalDate: '2017-04-01' };
      const early = await consultation({ ...base, establishment: 'Hulme depot', firstNoticeDate: '2017-02-10' });
      expect(early.statusCode).toBe(201);
      expect(early.body).toMatchObject({ minimumPeriodDays: 45, hr1DueDate: '2017-02-10', statutoryRule: { band: '100 or more' } });
      expect(early.body.statutory).toMatchObject({
        mustBeginBy: { dueOn: '2017-02-15', dayOfWeek: 'Wednesday', nonWorkingDay: false },
        startedLate: false,
        hr1: { dueOn: '2017-02-10' },
        earliestFirstDismissalDate: '2017-04-01',
      });
      const later = await consultation({ ...base, establishment: 'Gorton depot', firstNoticeDate: '2017-03-01' });
      expect(later.body).toMatchObject({ hr1DueDate: '2017-02-15', statutory: { hr1: { dueOn: '2017-02-15' } } });

      const opened = await ctx.api.post(`/api/v1/consultations/${early.body.id}/open`, {}, { headers: hr.headers });
      expect(opened.statusCode).toBe(200);
      const closed = await ctx.api.post(
        `/api/v1/consultations/${early.body.id}/close`,
        { version: opened.body.version, closedOn: '2017-03-26', summary: 'Agreement reached on day 40' },
        { headers: hr.headers },
      );
      expect(closed.statusCode).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', closedOn: '2017-03-26' });
      expect(closed.body.statutory.remainsOwed).toEqual([
        'Closed on day 40 of 45: allowed, but no dismissal may take effect before 2017-04-01 (s.188(1A))',
        'HR1 to the Secretary of State by 2017-02-10 (s.193), copied to the representatives',
        'Written disclosure to the representatives of the s.188(4) particulars',
      ]);
      const milestones = await ctx.api.get(`/api/v1/consultations/${early.body.id}/milestones`, { headers: hr.headers });
      expect(milestones.body.find((m: { derivedFrom: string }) => m.derivedFrom === 'disclosure_due_date')).toMatchObject({ dueDate: '2017-02-15' });
    });

    it('starting after the start-by date is recorded, and flagged', async () => {
      const late = await consultation({
        kind: 'collective_redundancy',
        proposedDismissals: 100,
        establishment: 'Late depot',
        startDate: '2017-02-20',
        plannedEndDate: '2017-03-31',
        firstDismissalDate: '2017-04-01',
      });
      expect(late.statusCode).toBe(201);
      expect(late.body.statutory).toMatchObject({ startedLate: true, mustBeginBy: { dueOn: '2017-02-15' } });
      expect(late.body.statutory.problems).toEqual([expect.stringContaining('5 days after 2017-02-15')]);
    });

    it('proposals of 12 then 10 at one establishment 40 days apart reach 22: the second gets the 30-day rule and names the first', async () => {
      const first = await consultation({
        kind: 'collective_redundancy',
        title: 'Town Hall: business support',
        establishment: 'Town Hall',
        proposedDismissals: 12,
        startDate: '2017-01-01',
        plannedEndDate: '2017-02-28',
        firstDismissalDate: '2017-03-31',
      });
      expect(first.body).toMatchObject({ statutoryRule: null, minimumPeriodDays: null, aggregatedDismissals: 12 });
      const second = await consultation({
        kind: 'collective_redundancy',
        title: 'Town Hall: facilities',
        establishment: 'town hall ',
        proposedDismissals: 10,
        startDate: '2017-02-10',
        plannedEndDate: '2017-03-31',
        firstDismissalDate: '2017-04-30',
      });
      expect(second.statusCode).toBe(201);
      expect(second.body).toMatchObject({ proposedDismissals: 10, aggregatedDismissals: 22, minimumPeriodDays: 30, statutoryRule: { band: '20 to 99' } });
      expect(second.body.statutory.aggregation).toMatchObject({
        total: 22,
        own: 10,
        counted: [{ consultationId: first.body.id, title: 'Town Hall: business support', proposedDismissals: 12 }],
        notCounted: [],
        citation: 'TULRCA 1992 s.188(1) and (3)',
      });
      expect(second.body.statutory.aggregation.explanation).toContain('22 proposed dismissals at town hall  within 90 days (10 proposed here + 12 from "Town Hall: business support")');
      expect(second.body.statutory.mustBeginBy.dueOn).toBe('2017-03-31');
    });

    it('had consultation already begun on the first 12, they are not counted (s.188(3)), and the response says so', async () => {
      const first = await consultation({
        kind: 'collective_redundancy',
        title: 'Civic Centre: business support',
        establishment: 'Civic Centre',
        proposedDismissals: 12,
        startDate: '2017-01-01',
        plannedEndDate: '2017-02-28',
        firstDismissalDate: '2017-03-31',
      });
      expect((await ctx.api.post(`/api/v1/consultations/${first.body.id}/open`, {}, { headers: hr.headers })).statusCode).toBe(200);
      const second = await consultation({
        kind: 'collective_redundancy',
        title: 'Civic Centre: facilities',
        establishment: 'Civic Centre',
        proposedDismissals: 10,
        startDate: '2017-02-10',
        plannedEndDate: '2017-03-31',
        firstDismissalDate: '2017-04-30',
      });
      expect(second.body).toMatchObject({ aggregatedDismissals: 10, minimumPeriodDays: null, statutoryRule: null });
      expect(second.body.statutory.aggregation).toMatchObject({
        total: 10,
        counted: [],
        notCounted: [{ consultationId: first.body.id, reason: 'consultation on its 12 dismissals had already begun on 2017-01-01 (s.188(3))' }],
      });
      expect(second.body.statutory.aggregation.explanation).toContain('not counted: "Civic Centre: business support"');
    });

    it('protective award: at most 90 days’ pay for a 2017 consultation, 180 for one opened after the Employment Rights Act 2025 commences', async () => {
      const old = await consultation({ kind: 'collective_redundancy', establishment: 'Award A', proposedDismissals: 25, startDate: '2017-01-05', plannedEndDate: '2017-02-28' });
      expect(old.body.statutory.protectiveAward).toMatchObject({ maxDaysPay: 90, citation: 'TULRCA 1992 s.189(4)' });
      const now = await consultation({ kind: 'collective_redundancy', establishment: 'Award B', proposedDismissals: 25, startDate: '2026-04-10', plannedEndDate: '2026-06-30' });
      const opened = await ctx.api.post(`/api/v1/consultations/${now.body.id}/open`, {}, { headers: hr.headers });
      expect(opened.statusCode).toBe(200);
      expect(opened.body.statutory.protectiveAward).toMatchObject({ maxDaysPay: 180, appliesFrom: '2026-04-06', citation: expect.stringContaining('Employment Rights Act 2025') });
    });
  });

  describe('pay protection, grades, pensions', () => {
    it('refuses pay protection ending before the transfer, naming the field; reminds of its expiry', async () => {
      const h = await createHolder(ctx.sql, est);
      const base = { ...transfer, destinationOrganisationId: est.ccgId, proposedEffectiveDate: '2017-04-01' };
      const refused = await ctx.api.post(
        `/api/v1/programmes/${est.programmeId}/cases`,
        { employeeId: h.employee.id, postId: h.postId, ...base, payProtectionUntil: '2017-03-31' },
        { headers: hr.headers },
      );
      expectErrorShape(refused, 422);
      expect(refused.body.details).toEqual([{ field: 'payProtectionUntil', reason: 'must not end before the transfer on 2017-04-01 (it ends 2017-03-31)' }]);
      const c = await openCase(h, { ...base, payProtectionUntil: '2019-03-31' });
      const asOf = await ctx.api.get(`/api/v1/cases/${c.id}?asOf=2019-01-15`, { headers: hr.headers });
      expect(deadline(asOf.body, 'pay_protection_expiry')).toMatchObject({ dueOn: '2019-03-31', status: 'due', nonWorkingReason: 'Sunday', sendBy: '2019-03-29' });
      const moved = await ctx.api.patch(`/api/v1/cases/${c.id}`, { version: c.version, proposedEffectiveDate: '2019-06-01' }, { headers: hr.headers });
      expectErrorShape(moved, 422);
      expect(moved.body.details).toEqual([expect.objectContaining({ field: 'payProtectionUntil' })]);
    });

    it('refuses a pension arrangement that contradicts the scheme or the destination, with a clear message', async () => {
      const h = await createHolder(ctx.sql, est);
      await ctx.sql.query(`UPDATE employees SET pension_scheme = 'nhs_pension_scheme' WHERE id = $1`, [h.employee.id]);
      const res = await ctx.api.post(
        `/api/v1/programmes/${est.programmeId}/cases`,
        { employeeId: h.employee.id, postId: h.postId, ...transfer, destinationOrganisationId: est.ccgId, pensionArrangement: 'lgps_continued' },
        { headers: hr.headers },
      );
      expectErrorShape(res, 422);
      expect(res.body.details).toEqual([
        { field: 'pensionArrangement', reason: 'lgps_continued contradicts the current scheme nhs_pension_scheme: only an LGPS member can continue in the LGPS' },
      ]);
      const toCouncil = await ctx.api.post(
        `/api/v1/programmes/${est.programmeId}/cases`,
        { employeeId: h.employee.id, postId: h.postId, ...transfer, destinationOrganisationId: est.councilId, pensionArrangement: 'nhs_pension_scheme' },
        { headers: hr.headers },
      );
      expectErrorShape(toCouncil, 422);
      expect(toCouncil.body.details[0]).toMatchObject({ field: 'pensionArrangement', reason: expect.stringContaining('needs an NHS employer') });
    });

    it('shows the programme’s grade mapping (council grade -> AfC band) on the case', async () => {
      const h = await createHolder(ctx.sql, est, { gradeId: est.gradeIds.g7 });
      const url = `/api/v1/programmes/${est.programmeId}/grade-mappings`;
      const backwards = await ctx.api.put(url, { mappings: [{ fromGradeId: est.gradeIds.band7, toGradeId: est.gradeIds.g7 }] }, { headers: hr.headers });
      expectErrorShape(backwards, 422);
      expect(backwards.body.details).toEqual([
        { field: 'mappings[0].fromGradeId', reason: "is not a grade of one of the programme's source organisations" },
        { field: 'mappings[0].toGradeId', reason: "is not on the pay scale of the programme's destination organisation" },
      ]);
      const set = await ctx.api.put(url, { mappings: [{ fromGradeId: est.gradeIds.g7, toGradeId: est.gradeIds.band7 }] }, { headers: hr.headers });
      expect(set.statusCode).toBe(200);
      expect(set.body).toEqual([{ fromGradeId: est.gradeIds.g7, fromGradeCode: 'G7', toGradeId: est.gradeIds.band7, toGradeCode: 'Band 7' }]);
      const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'programme.grade_mappings' AND entity_id = $1`, [est.programmeId]);
      expect(rows[0].n).toBe(1);
      const c = await openCase(h, { ...transfer, destinationOrganisationId: est.ccgId });
      expect(c.gradeMapping).toEqual({ fromGradeCode: 'G7', toGradeId: est.gradeIds.band7, toGradeCode: 'Band 7' });
    });
  });

  describe('reference data', () => {
    it('lists every rule with its citation and dates, and answers working-day questions, to any role; a bad date is 400 naming the field', async () => {
      const rules = await ctx.api.get('/api/v1/statutory/rules', { headers: rep.headers });
      expect(rules.statusCode).toBe(200);
      expect(rules.body).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'tupe_reg11_eli_14_days', appliesUntil: '2014-04-30' })]));
      const day = await ctx.api.get('/api/v1/statutory/working-day?date=2017-03-04', { headers: rep.headers });
      expect(day.body).toMatchObject({ dayOfWeek: 'Saturday', nonWorkingDay: true, sendBy: '2017-03-03', division: 'england-and-wales' });
      const bad = await ctx.api.get('/api/v1/statutory/working-day?date=2017-02-30', { headers: rep.headers });
      expectErrorShape(bad, 400);
      expect(bad.body.details).toEqual([{ field: 'date', reason: 'must be a date written YYYY-MM-DD' }]);
    });
  });

  describe("moving a programme's go-live date", () => {
    it('previews the cases planned for the old date with their deadlines, then commits them with the programme, all or nothing', async () => {
      const e2 = await createEstablishment(ctx.sql, { goLive: '2017-04-01' });
      const h1 = await createHolder(ctx.sql, e2);
      const h2 = await createHolder(ctx.sql, e2);
      const open = async (h: TestHolder, date: string) =>
        (
          await ctx.api.post(
            `/api/v1/programmes/${e2.programmeId}/cases`,
            { employeeId: h.employee.id, postId: h.postId, ...transfer, destinationOrganisationId: e2.ccgId, proposedEffectiveDate: date },
            { headers: hr.headers },
          )
        ).body;
      const moving = await open(h1, '2017-04-01');
      const staying = await open(h2, '2017-06-01');
      const url = `/api/v1/programmes/${e2.programmeId}/go-live`;
      const same = await ctx.api.post(`${url}/preview`, { goLiveDate: '2017-04-01' }, { headers: hr.headers });
      expectErrorShape(same, 400);
      expect(same.body.details).toEqual([{ field: 'goLiveDate', reason: 'is already the go-live date (2017-04-01)' }]);

      const preview = await ctx.api.post(`${url}/preview`, { goLiveDate: '2017-05-02' }, { headers: hr.headers });
      expect(preview.statusCode).toBe(200);
      expect(preview.body).toMatchObject({ fromGoLiveDate: '2017-04-01', toGoLiveDate: '2017-05-02', committed: false, matched: 1, canCommit: true });
      expect(preview.body.changes).toEqual([
        expect.objectContaining({
          caseId: moving.id,
          changes: { proposedEffectiveDate: { from: '2017-04-01', to: '2017-05-02' } },
          deadlines: expect.objectContaining({ eli: { from: '2017-03-04 (proposed_effective_date)', to: '2017-04-04 (proposed_effective_date)' } }),
        }),
      ]);
      expect((await ctx.sql.query(`SELECT go_live_date::text AS d FROM programmes WHERE id = $1`, [e2.programmeId])).rows[0].d).toBe('2017-04-01');

      const stale = await ctx.api.post(`${url}/commit`, { goLiveDate: '2017-05-03', previewToken: preview.body.previewToken }, { headers: hr.headers });
      expectErrorShape(stale, 409);
      const done = await ctx.api.post(`${url}/commit`, { goLiveDate: '2017-05-02', previewToken: preview.body.previewToken }, { headers: hr.headers });
      expect(done.statusCode).toBe(200);
      expect(done.body.committed).toBe(true);
      expect((await ctx.sql.query(`SELECT go_live_date::text AS d FROM programmes WHERE id = $1`, [e2.programmeId])).rows[0].d).toBe('2017-05-02');
      expect((await ctx.api.get(`/api/v1/cases/${moving.id}`, { headers: hr.headers })).body.proposedEffectiveDate).toBe('2017-05-02');
      expect((await ctx.api.get(`/api/v1/cases/${staying.id}`, { headers: hr.headers })).body.proposedEffectiveDate).toBe('2017-06-01');
      const { rows } = await ctx.sql.query(`SELECT actor_id FROM audit_log WHERE action = 'programme.move_go_live' AND entity_id = $1`, [e2.programmeId]);
      expect(rows).toEqual([{ actor_id: hr.id }]);
    });
  });

  describe('the 2017 demo', () => {
    let programmeId: string;
    const caseOnPost = async (reference: string) =>
      (
        await ctx.sql.query(`SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id WHERE c.programme_id = $1 AND p.reference = $2`, [
          programmeId,
          reference,
        ])
      ).rows[0].id as string;

    beforeAll(async () => {
      expect((await seedDemo(ctx.db.url)).skipped).toBe(false);
      programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
    });

    it('creating and extending a 2026 consultation on Learning Disability leaves MCC-LD-004’s measures deadline at its 2017 value, and no completed case moves', async () => {
      const id = await caseOnPost('MCC-LD-004');
      const read = async (caseId: string) => (await ctx.api.get(`/api/v1/cases/${caseId}?asOf=2017-03-10`, { headers: hr.headers })).body;
      const before = await read(id);
      expect(before).toMatchObject({ route: 'tupe_transfer', proposedEffectiveDate: '2017-04-01' });
      expect(deadline(before, 'measures_letter')).toMatchObject({ dueOn: '2016-12-05', basis: 'consultation_start' });
      expect(deadline(before, 'reg13_consultation_end')).toMatchObject({ dueOn: '2017-03-31', problem: null });
      const all = async () => (await ctx.api.get(`/api/v1/programmes/${programmeId}/cases?limit=500&asOf=2017-03-10`, { headers: hr.headers })).body.items;
      const everyBefore = (await all()).map((c: { id: string; deadlines: unknown[] }) => [c.id, c.deadlines]);

      const { rows: ldPosts } = await ctx.sql.query(
        `SELECT p.id FROM posts p JOIN thematic_areas a ON a.id = p.thematic_area_id WHERE p.programme_id = $1 AND a.name = 'Learning Disability'`,
        [programmeId],
      );
      const created = await consultation(
        { kind: 'tupe_information_consultation', title: 'Learning Disability: 2026 review', startDate: '2026-11-02', plannedEndDate: '2026-12-31', postIds: ldPosts.map((r) => r.id) },
        programmeId,
      );
      expect(created.statusCode).toBe(201);
      const opened = await ctx.api.post(`/api/v1/consultations/${created.body.id}/open`, {}, { headers: hr.headers });
      const extended = await ctx.api.post(
        `/api/v1/consultations/${created.body.id}/extend`,
        { version: opened.body.version, plannedEndDate: '2027-02-12', reason: 'More time for the 2026 review' },
        { headers: hr.headers },
      );
      expect(extended.statusCode).toBe(200);

      const after = await read(id);
      expect(deadline(after, 'measures_letter')).toEqual(deadline(before, 'measures_letter'));
      expect(after.consultation.id).toBe(before.consultation.id);
      expect((await all()).map((c: { id: string; deadlines: unknown[] }) => [c.id, c.deadlines])).toEqual(everyBefore);
    });

    it('MCC-HOC-001’s secondment review deadline is its recorded review date, 2018-12-14', async () => {
      const c = (await ctx.api.get(`/api/v1/cases/${await caseOnPost('MCC-HOC-001')}?asOf=2017-03-10`, { headers: hr.headers })).body;
      expect(c.route).toBe('secondment');
      expect(c.secondment.reviewDate).toBe('2018-12-14');
      expect(deadline(c, 'secondment_review')).toMatchObject({ dueOn: '2018-12-14', basis: 'secondment_review_date', nonWorkingDay: false });
    });

    it('asOf shows the 2017 demo as it stood: ELI sent on 2017-02-24 was not yet done on 2017-02-20', async () => {
      const { rows } = await ctx.sql.query(
        `SELECT c.id FROM transition_cases c JOIN case_checklist_items i ON i.case_id = c.id AND i.item = 'eli_sent'
         WHERE c.programme_id = $1 AND c.route = 'tupe_transfer' AND i.done_on = '2017-02-24' AND c.proposed_effective_date = '2017-04-01' LIMIT 1`,
        [programmeId],
      );
      const id = rows[0].id as string;
      const then = (await ctx.api.get(`/api/v1/cases/${id}?asOf=2017-02-20`, { headers: hr.headers })).body;
      expect(then.asOf).toBe('2017-02-20');
      expect(deadline(then, 'eli')).toMatchObject({ dueOn: '2017-03-04', status: 'upcoming', doneOn: null, sendBy: '2017-03-03' });
      const later = (await ctx.api.get(`/api/v1/cases/${id}?asOf=2017-03-10`, { headers: hr.headers })).body;
      expect(deadline(later, 'eli')).toMatchObject({ status: 'done', doneOn: '2017-02-24', late: false });
    });
  });
});

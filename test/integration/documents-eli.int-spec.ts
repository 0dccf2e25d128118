import ExcelJS from 'exceljs';
import { Role } from '../../src/common/access/role.enum';
import { sha256 } from '../../src/documents/document-store';
import { DOCUMENTS_BULK_PRIORITY, JobName } from '../../src/queue/queue.contract';
import { JobProducer } from '../../src/queue/job-producer.service';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, TestUser } from '../support/auth';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';

/**
 * The ELI schedule (issue 15) on real PostgreSQL, Redis and the real worker: HR asks for a build,
 * the worker makes the XLSX, HR records its release. The draft carries no names (every cell of the
 * workbook read back and searched for each person's names), the final does; a release is
 * immutable; the ELI deadline of a case is met only by a final release covering it; a rep and a
 * manager get 403.
 */
describe('documents: the ELI schedule and its releases', () => {
  let ctx: TestContext;
  let programmeId: string;
  let hr: TestUser;

  const url = () => `/api/v1/programmes/${programmeId}/eli`;

  /** Every cell of every sheet, as text. */
  async function cellsOf(bytes: Buffer): Promise<string[]> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    const out: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => out.push(String(cell.text ?? '')))));
    return out;
  }

  async function people(caseIds: string[]): Promise<{ first_name: string; last_name: string; staff_number: string; date_of_birth: string | null }[]> {
    return (
      await ctx.sql.query(
        `SELECT e.first_name, e.last_name, e.staff_number, e.date_of_birth::text AS date_of_birth FROM transition_cases c JOIN employees e ON e.id = c.employee_id WHERE c.id = ANY($1::uuid[])`,
        [caseIds],
      )
    ).rows;
  }

  /** Ask for a build through the API and wait for the worker to make it. */
  async function build(kind: 'draft' | 'final', caseIds?: string[]) {
    const res = await ctx.api.post(url(), { kind, ...(caseIds ? { caseIds } : {}) }, { headers: hr.headers });
    expect(res.statusCode).toBe(202);
    expect(res.body.jobId).toBe(`eli-${res.body.build.id}`);
    expect(res.body.build.status).toBe('queued');
    const ready = await eventually(
      async () => (await ctx.api.get(`${url()}/builds/${res.body.build.id}`, { headers: hr.headers })).body,
      (b) => b.status !== 'queued',
      60_000,
      200,
    );
    expect(ready).toMatchObject({ status: 'ready', kind, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const file = await ctx.app.inject({ method: 'GET', url: `${url()}/builds/${ready.id}/download`, headers: hr.headers });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('spreadsheetml');
    return { build: ready, bytes: file.rawPayload };
  }

  const caseIdsOf = async (buildId: string): Promise<string[]> => (await ctx.sql.query(`SELECT case_ids FROM eli_builds WHERE id = $1`, [buildId])).rows[0].case_ids;

  const eliDeadline = async (caseId: string) =>
    (await ctx.api.get(`/api/v1/cases/${caseId}?asOf=2017-03-10`, { headers: hr.headers })).body.deadlines.find((d: { kind: string }) => d.kind === 'eli');

  /** An agreed demo TUPE transfer with no ELI sent and no final release: overdue as at 10 March 2017. */
  const agreedWithoutEli = async (): Promise<string[]> =>
    (
      await ctx.sql.query(
        `SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id
          WHERE c.programme_id = $1 AND c.route = 'tupe_transfer' AND c.state = 'agreed'
            AND NOT EXISTS (SELECT 1 FROM eli_release_cases rc JOIN eli_releases r ON r.id = rc.release_id WHERE rc.case_id = c.id AND r.kind = 'final')
          ORDER BY p.reference`,
        [programmeId],
      )
    ).rows.map((r) => r.id);

  beforeAll(async () => {
    ctx = await startTestApp({ worker: true });
    expect((await seedDemo(ctx.db.url)).skipped).toBe(false);
    programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
    hr = await createUser(ctx, Role.HrOfficer);
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('the demo has its anonymised draft (13 January 2017) and named final (24 February 2017), which meets the ELI deadline of the cases it covers', async () => {
    const res = await ctx.api.get(url(), { headers: hr.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body.releases.map((r: { version: number; kind: string; releasedOn: string }) => [r.version, r.kind, r.releasedOn])).toEqual([
      [2, 'final', '2017-02-24'],
      [1, 'draft', '2017-01-13'],
    ]);
    const final = res.body.releases[0];
    expect(final).toMatchObject({ recipientOrganisation: expect.stringContaining('Manchester'), recipientName: expect.any(String), releasedBy: 'seed (demo data)' });
    const [covered] = (await ctx.sql.query(`SELECT case_id FROM eli_release_cases WHERE release_id = $1 LIMIT 1`, [final.id])).rows;
    expect(await eliDeadline(covered.case_id)).toMatchObject({ status: 'done', doneOn: '2017-02-24', late: false });
  });

  it('the draft carries no names, dates of birth or NI numbers; the final names every person', async () => {
    const draft = await build('draft');
    const ids = await caseIdsOf(draft.build.id);
    expect(ids.length).toBe(draft.build.cases);
    expect(draft.build.rows).toBe(ids.length);
    const who = await people(ids);
    expect(who.length).toBeGreaterThan(10);
    const draftCells = await cellsOf(draft.bytes);
    const draftText = draftCells.join('\n');
    for (const p of who) {
      for (const name of [p.first_name, p.last_name]) expect(draftCells.filter((c) => new RegExp(`\\b${name}\\b`).test(c))).toEqual([]);
      if (p.date_of_birth) expect(draftText).not.toContain(p.date_of_birth);
      expect(draftCells).toContain(p.staff_number);
    }
    expect(draftCells).toContain('Age band at move');
    expect(sha256(draft.bytes)).toBe(draft.build.sha256);

    const final = await build('final');
    const finalCells = await cellsOf(final.bytes);
    for (const p of who) expect(finalCells).toContain(`${p.first_name} ${p.last_name}`);
    expect(finalCells).toContain('Not held by this service');
    expect(finalCells).toContain('None recorded');
    const { rows: audit } = await ctx.sql.query(`SELECT action FROM audit_log WHERE entity_type = 'eli_build' AND entity_id = $1 ORDER BY id`, [final.build.id]);
    expect(audit.map((a) => a.action)).toEqual(['eli.build_request', 'eli.download']);
  }, 180_000);

  it('meets a case’s ELI deadline only with a final release covering it; a release is immutable and recorded once', async () => {
    const [target] = await agreedWithoutEli();
    expect(target).toBeDefined();
    expect(await eliDeadline(target)).toMatchObject({ status: 'overdue', doneOn: null });

    // A draft release covering it does not meet the deadline.
    const draft = await build('draft', [target]);
    const d = await ctx.api.post(`${url()}/releases`, { buildId: draft.build.id, recipientName: 'Joanne Whitfield', releasedOn: '2017-03-01' }, { headers: hr.headers });
    expect(d.statusCode).toBe(201);
    expect(d.body).toMatchObject({ version: 3, kind: 'draft', cases: 1, sha256: draft.build.sha256 });
    expect(await eliDeadline(target)).toMatchObject({ status: 'overdue', doneOn: null });

    const final = await build('final', [target]);
    const before = (await ctx.sql.query(`SELECT count(*)::int AS n FROM eli_releases`)).rows[0].n;
    const future = await ctx.api.post(`${url()}/releases`, { buildId: final.build.id, recipientName: 'Joanne Whitfield', releasedOn: '2999-01-01' }, { headers: hr.headers });
    expectErrorShape(future, 400);
    expect(future.body.details).toEqual([expect.objectContaining({ field: 'releasedOn' })]);
    const noName = await ctx.api.post(`${url()}/releases`, { buildId: final.build.id, recipientName: '', recipientEmail: 'not-an-email' }, { headers: hr.headers });
    expectErrorShape(noName, 400);
    expect(noName.body.details.map((x: { field: string }) => x.field).sort()).toEqual(['recipientEmail', 'recipientName']);
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM eli_releases`)).rows[0].n).toBe(before);

    const rel = await ctx.api.post(
      `${url()}/releases`,
      { buildId: final.build.id, recipientName: 'Joanne Whitfield', recipientEmail: 'Joanne.Whitfield@manchester-ccg.example', releasedOn: '2017-03-09' },
      { headers: hr.headers },
    );
    expect(rel.statusCode).toBe(201);
    expect(rel.body).toMatchObject({ version: 4, kind: 'final', cases: 1, releasedOn: '2017-03-09', releasedBy: hr.email, recipientEmail: 'joanne.whitfield@manchester-ccg.example' });
    expect(await eliDeadline(target)).toMatchObject({ status: 'done', doneOn: '2017-03-09', late: true });

    const again = await ctx.api.post(`${url()}/releases`, { buildId: final.build.id, recipientName: 'Someone else' }, { headers: hr.headers });
    expectErrorShape(again, 409);
    expect(again.body.details).toEqual([expect.objectContaining({ field: 'buildId' })]);

    await expect(ctx.sql.query(`UPDATE eli_releases SET recipient_name = 'changed' WHERE id = $1`, [rel.body.id])).rejects.toThrow(/cannot be changed/);
    await expect(ctx.sql.query(`DELETE FROM eli_release_cases WHERE release_id = $1`, [rel.body.id])).rejects.toThrow(/cannot be changed/);
    await expect(ctx.sql.query(`DELETE FROM eli_builds WHERE id = $1`, [final.build.id])).rejects.toThrow(/cannot be changed/);

    const file = await ctx.app.inject({ method: 'GET', url: `${url()}/${rel.body.id}/download`, headers: hr.headers });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('spreadsheetml');
    expect(sha256(file.rawPayload)).toBe(rel.body.sha256);
    const { rows: audit } = await ctx.sql.query(`SELECT action, actor_id, changes FROM audit_log WHERE entity_type = 'eli_release' AND entity_id = $1 ORDER BY id`, [rel.body.id]);
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([
      ['eli.release', hr.id],
      ['eli.download', hr.id],
    ]);
  }, 180_000);

  it('adds ELI builds without a BullMQ priority and PDF conversions with the bulk one (so BullMQ hands out ELI builds first)', async () => {
    // Both jobs as the API adds them: an ELI build, and a transfer letter's draft (its PDF job).
    const eli = await ctx.api.post(url(), { kind: 'draft' }, { headers: hr.headers });
    expect(eli.statusCode).toBe(202);
    const [kase] = (
      await ctx.sql.query(
        `SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id
          WHERE c.programme_id = $1 AND c.route = 'tupe_transfer' AND c.state = 'agreed' AND c.pension_arrangement IS NOT NULL ORDER BY p.reference LIMIT 1`,
        [programmeId],
      )
    ).rows;
    const letter = await ctx.api.post(`/api/v1/cases/${kase.id}/documents`, { kind: 'transfer_letter' }, { headers: hr.headers });
    expect(letter.statusCode).toBe(201);
    const producer = ctx.app.get(JobProducer);
    const pdfOpts = await eventually(
      () => producer.jobOptions(JobName.DocumentPdf, `pdf-${letter.body.id}`),
      (o) => o !== undefined,
      10_000,
      100,
    );
    // BullMQ hands out a job without a priority before any job with one; among conversions, FIFO.
    expect(pdfOpts!.priority).toBe(DOCUMENTS_BULK_PRIORITY);
    expect((await producer.jobOptions(JobName.EliBuild, eli.body.jobId))!.priority ?? 0).toBe(0);
    expect(producer.optionsFor(JobName.EvidencePack).priority ?? 0).toBe(0);
  }, 120_000);

  it('refuses what a client gets wrong with 4xx in the one error shape', async () => {
    const bad = await ctx.api.post(url(), { kind: 'final', caseIds: ['7f0c1d52-2c7a-4b7e-9b6f-0a2f3c4d5e6f'] }, { headers: hr.headers });
    expectErrorShape(bad, 422);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'caseIds.0' })]);
    const kind = await ctx.api.post(url(), { kind: 'named' }, { headers: hr.headers });
    expectErrorShape(kind, 400);
    expect(kind.body.details).toEqual([expect.objectContaining({ field: 'kind' })]);
    const noBuild = await ctx.api.post(`${url()}/releases`, { buildId: '7f0c1d52-2c7a-4b7e-9b6f-0a2f3c4d5e6f', recipientName: 'X' }, { headers: hr.headers });
    expectErrorShape(noBuild, 422);
    expect(noBuild.body.details).toEqual([expect.objectContaining({ field: 'buildId' })]);
  });

  it('gives a trade union rep and a manager 403 on every ELI route, the download included', async () => {
    const [release] = (await ctx.api.get(url(), { headers: hr.headers })).body.releases;
    const rep = await createUser(ctx, Role.TuRep, { scopes: [{ programmeId, thematicAreaId: null }] });
    const manager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId, thematicAreaId: null }] });
    for (const u of [rep, manager]) {
      for (const [method, path] of [
        ['GET', `${url()}/${release.id}/download`],
        ['GET', url()],
        ['POST', url()],
      ]) {
        const res = await ctx.api.request(method, path, { headers: u.headers, payload: method === 'POST' ? { kind: 'draft' } : undefined });
        expectErrorShape(res, 403);
      }
    }
  });
});

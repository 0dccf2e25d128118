import { Role } from '../../src/common/access/role.enum';
import { UPLOAD_CHUNK_BYTES } from '../../src/establishment/upload';
import { createUser, expectRouteAllows } from '../support/auth';
import { eventually, expectErrorShape, startTestApp, TestContext, TestResponse } from '../support/test-app';
import { buildFixture, CSV_HEADER, download, Fixture, multipart, readCsv, upload } from './establishment-fixtures';

/** The row cap of this file's app and worker: small, so a file over it is quick to build. */
const MAX_ROWS = 50_000;

/**
 * Issue 20: imports through the worker. Every import here goes through the real path: multipart
 * upload into import_chunks, the posts.import job in the real worker (BullMQ on the test Redis),
 * COPY into staging, checks, merge; the test polls GET …/imports/:importId as a client would.
 */
describe('establishment: posts imports in the worker', () => {
  let ctx: TestContext;
  let f: Fixture;
  let org: string;
  let importsUrl: string;
  const saved = process.env.IMPORT_MAX_ROWS;

  beforeAll(async () => {
    process.env.IMPORT_MAX_ROWS = String(MAX_ROWS);
    ctx = await startTestApp({ worker: true });
    f = await buildFixture(ctx);
    org = (await ctx.api.get(`/api/v1/organisations/${f.orgs.council}`, { headers: f.hr.headers })).body.shortName;
    importsUrl = `/api/v1/programmes/${f.programme}/imports`;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.IMPORT_MAX_ROWS;
    else process.env.IMPORT_MAX_ROWS = saved;
    await ctx?.close();
  });

  const csv = (lines: string[]) => `\ufeff${lines.join('\r\n')}\r\n`;
  const postCount = async () => (await ctx.sql.query(`SELECT count(*)::int AS n FROM posts WHERE programme_id = $1`, [f.programme])).rows[0].n as number;
  const chunksOf = async (id: string) => (await ctx.sql.query(`SELECT count(*)::int AS n FROM import_chunks WHERE import_id = $1`, [id])).rows[0].n as number;

  /** Upload, check the 202 and its Location, then poll the import until it has finished. */
  async function importAndWait(file: string | Buffer, opts: { dryRun?: boolean; filename?: string } = {}): Promise<{ accepted: TestResponse; final: TestResponse }> {
    const accepted = await upload(ctx, f.hr, `${importsUrl}${opts.dryRun ? '?dryRun=true' : ''}`, file, opts.filename ?? 'posts.csv');
    expect(accepted.statusCode).toBe(202);
    const location = String(accepted.headers.location);
    expect(location).toMatch(new RegExp(`/api/v1/programmes/${f.programme}/imports/${accepted.body.id}$`));
    const path = new URL(location).pathname;
    const final = await eventually(
      () => ctx.api.get(path, { headers: f.hr.headers }),
      (r) => r.statusCode !== 200 || ['done', 'failed'].includes(r.body.status),
      60_000,
      100,
    );
    expect(final.statusCode).toBe(200);
    return { accepted, final };
  }

  it('answers 202 with the queued import and a Location; the worker imports every row, marks it done and audits it', async () => {
    const before = await postCount();
    const file = csv([CSV_HEADER, `WRK-001,"Officer, Contracts",${org},Adults,G7,1,filled,,`, `WRK-002,Lead,${org},Children's,SMG1,.75,frozen,,`]);
    const { accepted, final } = await importAndWait(file);
    expect(accepted.body).toMatchObject({ status: 'queued', dryRun: false, fileName: 'posts.csv', format: 'csv', bytesTotal: Buffer.byteLength(file), createdBy: f.hr.id });
    expect(final.body).toMatchObject({
      status: 'done',
      rowsRead: 2,
      bytesRead: Buffer.byteLength(file),
      percent: 100,
      error: null,
      result: { dryRun: false, format: 'csv', rows: 2, valid: true, created: 2, updated: 0, unchanged: 0, errorCount: 0, errors: [] },
    });
    expect(final.body.startedAt).toEqual(expect.any(String));
    expect(final.body.finishedAt).toEqual(expect.any(String));
    expect(await postCount()).toBe(before + 2);
    expect(await chunksOf(accepted.body.id)).toBe(0); // the stored file is dropped once imported
    const audit = await ctx.sql.query(
      `SELECT action, entity_type, actor_id, changes FROM audit_log WHERE (entity_type = 'import' AND entity_id = $1) OR (entity_type = 'post_import' AND metadata->>'importId' = $1) ORDER BY id`,
      [accepted.body.id],
    );
    expect(audit.rows.map((r) => [r.entity_type, r.action, r.actor_id])).toEqual([
      ['import', 'create', f.hr.id],
      ['post_import', 'import', f.hr.id],
      ['import', 'state_change', f.hr.id],
    ]);
    expect(audit.rows[2].changes.status).toEqual({ from: null, to: 'done' });
  });

  it('a file of several stored pieces (a multi-byte character across a piece boundary) is read whole, with progress in rows and bytes', async () => {
    const lines = [CSV_HEADER];
    for (let i = 0, size = 0; size < 2.5 * UPLOAD_CHUNK_BYTES; i++) {
      const line = `MULTI-${String(i).padStart(6, '0')},Développement é ${'x'.repeat(i % 7)},${org},Adults,G7,1,vacant,,`;
      lines.push(line);
      size += Buffer.byteLength(line) + 2;
    }
    const file = Buffer.from(csv(lines), 'utf8');
    const { final } = await importAndWait(file);
    expect(final.body).toMatchObject({ status: 'done', rowsRead: lines.length - 1, bytesRead: file.length, bytesTotal: file.length });
    expect(final.body.result).toMatchObject({ rows: lines.length - 1, created: lines.length - 1, errorCount: 0 });
    const sample = await ctx.sql.query(`SELECT title FROM posts WHERE reference = $1`, [`MULTI-000006`]);
    expect(sample.rows[0].title).toBe(`Développement é ${'x'.repeat(6)}`);
  });

  it('a file with row errors fails with the 422 error shape (each bad row a detail), writes nothing, and its error report downloads as CSV', async () => {
    const before = await postCount();
    const file = csv([
      CSV_HEADER,
      `BAD-1,Good row,${org},Adults,G7,1,filled,,`,
      `BAD-2,Too much,${org},Adults,G7,1.01,filled,,`,
      `BAD-1,Same reference,${org},Adults,G7,1,filled,,`,
      `BAD-4,Bad area,${org},Space,G7,1,filled,,`,
    ]);
    const { accepted, final } = await importAndWait(file);
    expect(final.body.status).toBe('failed');
    expect(final.body.result).toBeNull();
    expect(final.body.error).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'The file has 3 error(s); nothing was imported',
      requestId: `import:${accepted.body.id}`,
      details: [
        { field: 'row[3].fte', reason: 'must not be greater than 1', row: 3, column: 'fte' },
        { field: 'row[4].reference', reason: `duplicate reference "BAD-1" for ${org}: rows 2 and 4`, row: 4, column: 'reference', relatedRows: [2] },
        { field: 'row[5].thematic_area', reason: '"Space" is not a thematic area of the programme', row: 5, column: 'thematic_area' },
      ],
    });
    expect(await postCount()).toBe(before);
    expect(await chunksOf(accepted.body.id)).toBe(0);
    const report = await download(ctx, f.hr, `${importsUrl}/${accepted.body.id}/errors`);
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(readCsv(report.raw)).toEqual([
      ['row', 'column', 'message', 'related_rows'],
      ['3', 'fte', 'must not be greater than 1'],
      ['4', 'reference', `duplicate reference "BAD-1" for ${org}: rows 2 and 4`, '2'],
      ['5', 'thematic_area', '"Space" is not a thematic area of the programme'],
    ].map((r) => (r.length === 3 ? [...r, ''] : r)));
    const failedAudit = await ctx.sql.query(`SELECT changes FROM audit_log WHERE entity_type = 'import' AND entity_id = $1 AND action = 'state_change'`, [accepted.body.id]);
    expect(failedAudit.rows[0].changes.status).toEqual({ from: null, to: 'failed' });
  });

  it('a dry run checks every row and writes nothing', async () => {
    const before = await postCount();
    const { final } = await importAndWait(csv([CSV_HEADER, `DRY-1,Dry,${org},Adults,G7,1,filled,,`]), { dryRun: true });
    expect(final.body).toMatchObject({ status: 'done', dryRun: true, result: { dryRun: true, valid: true, created: 1, rows: 1 } });
    expect(await postCount()).toBe(before);
  });

  it('more rows than IMPORT_MAX_ROWS fails the import with 400 naming the file, and writes nothing', async () => {
    const before = await postCount();
    const lines = [CSV_HEADER];
    for (let i = 0; i <= MAX_ROWS; i++) lines.push(`CAP-${i},Cap,${org},Adults,G7,1,vacant,,`);
    const { final } = await importAndWait(csv(lines));
    expect(final.body.status).toBe('failed');
    expect(final.body.error).toMatchObject({ statusCode: 400, message: `The file has more than ${MAX_ROWS} rows`, details: [expect.objectContaining({ field: 'file' })] });
    expect(await postCount()).toBe(before);
  });

  it('a malformed upload is refused in the request (4xx, the one error shape) and keeps nothing', async () => {
    const imports = async () => (await ctx.sql.query(`SELECT count(*)::int AS n FROM imports`)).rows[0].n as number;
    const chunks = async () => (await ctx.sql.query(`SELECT count(*)::int AS n FROM import_chunks`)).rows[0].n as number;
    const [i0, c0] = [await imports(), await chunks()];
    const two = multipart([
      { name: 'file', filename: 'a.csv', content: `${CSV_HEADER}\r\n` },
      { name: 'file', filename: 'b.csv', content: `${CSV_HEADER}\r\n` },
    ]);
    const res = await ctx.app.inject({ method: 'POST', url: importsUrl, headers: { ...f.hr.headers, 'content-type': two.contentType }, payload: two.body });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).details).toEqual([{ field: 'file', reason: 'only one file may be sent' }]);
    expectErrorShape(await upload(ctx, f.hr, importsUrl, ''), 400);
    const xls = await upload(ctx, f.hr, importsUrl, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'old.xls');
    expectErrorShape(xls, 415);
    const json = await ctx.api.post(importsUrl, { file: 'x' }, { headers: f.hr.headers });
    expectErrorShape(json, 415);
    expectErrorShape(await upload(ctx, f.hr, `/api/v1/programmes/4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e/imports`, `${CSV_HEADER}\r\n`), 404);
    expect([await imports(), await chunks()]).toEqual([i0, c0]);
    expectErrorShape(await ctx.api.get(`${importsUrl}/4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e`, { headers: f.hr.headers }), 404);
  });

  it('only HR officers and admins may upload or read imports', async () => {
    const { accepted } = await importAndWait(csv([CSV_HEADER, `ROLE-1,Role,${org},Adults,G7,1,filled,,`]));
    await expectRouteAllows(ctx, 'GET', `${importsUrl}/${accepted.body.id}`, [Role.Admin, Role.HrOfficer]);
    await expectRouteAllows(ctx, 'GET', `${importsUrl}/${accepted.body.id}/errors`, [Role.Admin, Role.HrOfficer]);
    for (const role of [Role.Manager, Role.TuRep]) {
      const user = await createUser(ctx, role);
      expectErrorShape(await upload(ctx, user, importsUrl, csv([CSV_HEADER, `ROLE-2,Role,${org},Adults,G7,1,filled,,`])), 403);
    }
  });
});

import { Role } from '../../src/common/access/role.enum';
import { createUser, createUsersForAllRoles, expectRouteAllows, TestUser } from '../support/auth';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';
import { buildFixture, createPost, CSV_HEADER, download, Fixture, multipart, readCsv, readXlsx, upload, xlsxOf } from './establishment-fixtures';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('establishment: posts in and out as spreadsheets', () => {
  let ctx: TestContext;
  let f: Fixture;
  let org: string; // the council's short name, as HR writes it
  let importUrl: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    f = await buildFixture(ctx);
    org = (await ctx.api.get(`/api/v1/organisations/${f.orgs.council}`, { headers: f.hr.headers })).body.shortName;
    importUrl = `/api/v1/programmes/${f.programme}/posts/import`;
  });
  afterAll(async () => ctx?.close());

  const postCount = async () => (await ctx.sql.query(`SELECT count(*)::int AS n FROM posts WHERE programme_id = $1`, [f.programme])).rows[0].n as number;
  const csv = (lines: string[], eol = '\r\n', bom = true) => `${bom ? '\ufeff' : ''}${lines.join(eol)}${eol}`;

  describe('template', () => {
    it('gives the documented header as CSV and as XLSX with a guide', async () => {
      const c = await download(ctx, f.hr, '/api/v1/posts/import-template');
      expect(c.statusCode).toBe(200);
      expect(c.headers['content-disposition']).toBe('attachment; filename="posts-template.csv"');
      expect(c.raw.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(c.raw.toString('utf8').slice(1)).toBe(`${CSV_HEADER}\r\n`);
      const x = await download(ctx, f.hr, '/api/v1/posts/import-template?format=xlsx');
      expect(x.headers['content-type']).toBe(XLSX);
      expect((await readXlsx(x.raw, 'Posts'))[0]).toEqual(CSV_HEADER.split(','));
      const guide = await readXlsx(x.raw, 'Guide');
      expect(guide[0]).toEqual(['column', 'required', 'meaning', 'example']);
      expect(guide.find((r) => r[0] === 'fte')?.[1]).toBe('yes');
      expect(guide.find((r) => r[0] === 'scope')?.[1]).toBe('no');
      await expectRouteAllows(ctx, 'GET', '/api/v1/posts/import-template', [Role.Admin, Role.HrOfficer]);
    });
  });

  describe('import', () => {
    it('accepts a CSV with BOM, CRLF and quoted fields; a dry run writes nothing; the real import writes all and is audited once', async () => {
      const file = csv([
        CSV_HEADER,
        `IMP-001,"Officer, Contracts",${org},Adults,G7,1,filled,,`,
        `IMP-002,"Manager ""Quality""",${org},Adults,g5,0.5,Vacant,Out of scope,"Reason with, comma\r\nand a new line"`,
        `IMP-003,Lead,${org},Children's,SMG1,.75,frozen,,`,
        '',
        `IMP-004,Support,${org},adults,G5,0.25,filled,in-scope,`,
      ]);
      const before = await postCount();
      const dry = await upload(ctx, f.hr, `${importUrl}?dryRun=true`, file);
      expect(dry.statusCode).toBe(200);
      expect(dry.body).toEqual({ dryRun: true, format: 'csv', rows: 4, valid: true, created: 4, updated: 0, unchanged: 0, errorCount: 0, errors: [] });
      expect(await postCount()).toBe(before);

      const real = await upload(ctx, f.hr, importUrl, file);
      expect(real.statusCode).toBe(200);
      expect(real.body).toMatchObject({ dryRun: false, valid: true, created: 4, updated: 0, errorCount: 0 });
      expect(await postCount()).toBe(before + 4);
      const { rows } = await ctx.sql.query(
        `SELECT reference, title, fte::text, establishment_status, scope, scope_reason, scope_decided_by FROM posts WHERE reference LIKE 'IMP-%' ORDER BY reference`,
      );
      expect(rows).toEqual([
        { reference: 'IMP-001', title: 'Officer, Contracts', fte: '1.00', establishment_status: 'filled', scope: 'in_scope', scope_reason: 'Default scope of the thematic area', scope_decided_by: f.hr.id },
        { reference: 'IMP-002', title: 'Manager "Quality"', fte: '0.50', establishment_status: 'vacant', scope: 'out_of_scope', scope_reason: 'Reason with, comma\r\nand a new line', scope_decided_by: f.hr.id },
        { reference: 'IMP-003', title: 'Lead', fte: '0.75', establishment_status: 'frozen', scope: 'out_of_scope', scope_reason: 'Default scope of the thematic area', scope_decided_by: f.hr.id },
        { reference: 'IMP-004', title: 'Support', fte: '0.25', establishment_status: 'filled', scope: 'in_scope', scope_reason: 'Imported from posts.csv', scope_decided_by: f.hr.id },
      ]);
      const audit = await ctx.sql.query(`SELECT action, actor_id, changes, metadata FROM audit_log WHERE entity_type = 'post_import' AND entity_id = $1`, [f.programme]);
      expect(audit.rows).toEqual([
        expect.objectContaining({
          action: 'import',
          actor_id: f.hr.id,
          changes: { created: { from: null, to: 4 }, updated: { from: null, to: 0 }, unchanged: { from: null, to: 0 } },
          metadata: expect.objectContaining({ programmeId: f.programme, fileName: 'posts.csv', format: 'csv', rows: 4 }),
        }),
      ]);
      const history = await ctx.sql.query(`SELECT count(*)::int AS n FROM post_scope_history h JOIN posts p ON p.id = h.post_id WHERE p.reference LIKE 'IMP-%'`);
      expect(history.rows[0].n).toBe(4);
    });

    it('imports LF-only and BOM-less CSV too, and updates existing posts (version up, scope change kept as history)', async () => {
      const file = csv([CSV_HEADER, `UPD-1,First title,${org},Adults,G7,1,filled,,`, `UPD-2,Second,${org},Adults,G7,1,filled,,`], '\n', false);
      expect((await upload(ctx, f.hr, importUrl, file)).body).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
      const again = await upload(ctx, f.hr, importUrl, file);
      expect(again.body).toMatchObject({ valid: true, created: 0, updated: 0, unchanged: 2 });
      const changed = csv([CSV_HEADER, `UPD-1,Renamed,${org},Adults,G7,0.8,filled,,`, `UPD-2,Second,${org},Adults,G7,1,filled,later_phase,Moves later`]);
      expect((await upload(ctx, f.hr, importUrl, changed)).body).toMatchObject({ created: 0, updated: 2, unchanged: 0 });
      const { rows } = await ctx.sql.query(`SELECT reference, title, fte::text, scope, scope_reason, version FROM posts WHERE reference LIKE 'UPD-%' ORDER BY reference`);
      expect(rows).toEqual([
        { reference: 'UPD-1', title: 'Renamed', fte: '0.80', scope: 'in_scope', scope_reason: 'Default scope of the thematic area', version: 2 },
        { reference: 'UPD-2', title: 'Second', fte: '1.00', scope: 'later_phase', scope_reason: 'Moves later', version: 2 },
      ]);
      const h = await ctx.sql.query(
        `SELECT from_scope, to_scope, reason FROM post_scope_history h JOIN posts p ON p.id = h.post_id WHERE p.reference = 'UPD-2' ORDER BY h.id`,
      );
      expect(h.rows).toEqual([
        { from_scope: null, to_scope: 'in_scope', reason: 'Default scope of the thematic area' },
        { from_scope: 'in_scope', to_scope: 'later_phase', reason: 'Moves later' },
      ]);
    });

    it('reports every error with row, column and message; a duplicate reference names both rows; nothing is written', async () => {
      const file = csv([
        CSV_HEADER,
        `ERR-1,Good row,${org},Adults,G7,1,filled,,`, // row 2
        `ERR-2,Too much,${org},Adults,G7,1.01,filled,,`, // row 3
        `ERR-1,Same reference,${org},Adults,G7,1,filled,,`, // row 4: duplicate of row 2
        `ERR-4,Bad org,Nowhere Council,Adults,G7,1,filled,,`, // row 5
        `ERR-5,Bad area,${org},Space,G7,1,filled,,`, // row 6
        `ERR-6,Bad grade,${org},Adults,Band 5,1,filled,,`, // row 7: a grade of another organisation
        `ERR-7,Bad status,${org},Adults,G7,1,occupied,maybe,`, // row 8: two errors
        `,No reference,${org},Adults,G7,0,filled,,`, // row 9: two errors
        `ERR-9,Three decimals,${org},Adults,G7,0.333,filled,,`, // row 10
      ]);
      const before = await postCount();
      const dry = await upload(ctx, f.hr, `${importUrl}?dryRun=true`, file);
      expect(dry.statusCode).toBe(200);
      expect(dry.body).toMatchObject({ dryRun: true, valid: false, rows: 9, errorCount: 10 });
      expect(dry.body.errors).toEqual([
        { row: 3, column: 'fte', message: 'must not be greater than 1' },
        { row: 4, column: 'reference', message: `duplicate reference "ERR-1" for ${org}: rows 2 and 4`, relatedRows: [2] },
        { row: 5, column: 'organisation', message: '"Nowhere Council" is not a source or destination organisation of the programme' },
        { row: 6, column: 'thematic_area', message: '"Space" is not a thematic area of the programme' },
        { row: 7, column: 'grade', message: `"Band 5" is not a grade of ${org}` },
        { row: 8, column: 'establishment_status', message: '"occupied" must be one of: filled, vacant, frozen, deleted' },
        { row: 8, column: 'scope', message: '"maybe" must be one of: in_scope, out_of_scope, under_review, later_phase' },
        { row: 9, column: 'reference', message: 'is required' },
        { row: 9, column: 'fte', message: 'must be greater than 0' },
        { row: 10, column: 'fte', message: '"0.333" must be a number with at most two decimals' },
      ]);
      const real = await upload(ctx, f.hr, importUrl, file);
      expectErrorShape(real, 422);
      expect(real.body.message).toBe('The file has 10 error(s); nothing was imported');
      // Issue 17: the 422 holds every error as a detail with its row and column (no top-level errors/errorCount).
      expect(real.body.details.map((d: any) => ({ row: d.row, column: d.column, message: d.reason, ...(d.relatedRows ? { relatedRows: d.relatedRows } : {}) }))).toEqual(dry.body.errors);
      expect(real.body.details[0]).toEqual({ field: 'row[3].fte', reason: 'must not be greater than 1', row: 3, column: 'fte' });
      expect(Object.keys(real.body).sort()).toEqual(['details', 'error', 'message', 'requestId', 'statusCode']);
      expect(await postCount()).toBe(before);
      const audit = await ctx.sql.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_type = 'post_import' AND metadata->>'rows' = '9'`);
      expect(audit.rows[0].n).toBe(0);
    });

    it('a reference repeated after a row with another error is reported as a duplicate too (issue 14), both rows named', async () => {
      const file = csv([
        CSV_HEADER,
        `DUP-1,Wrong FTE,${org},Adults,G7,1.5,filled,,`, // row 2: another error
        ...Array.from({ length: 6 }, (_, i) => `DUP-OK-${i},Fine,${org},Adults,G7,1,filled,,`), // rows 3-8
        `DUP-1,Same reference,${org},Adults,G7,1,filled,,`, // row 9: duplicate of row 2
      ]);
      const before = await postCount();
      const dry = await upload(ctx, f.hr, `${importUrl}?dryRun=true`, file);
      expect(dry.statusCode).toBe(200);
      expect(dry.body).toMatchObject({ dryRun: true, valid: false, rows: 8, errorCount: 2, created: 6 });
      expect(dry.body.errors).toEqual([
        { row: 2, column: 'fte', message: 'must not be greater than 1' },
        { row: 9, column: 'reference', message: `duplicate reference "DUP-1" for ${org}: rows 2 and 9`, relatedRows: [2] },
      ]);
      const real = await upload(ctx, f.hr, importUrl, file);
      expectErrorShape(real, 422);
      expect(real.body.details).toEqual([
        { field: 'row[2].fte', reason: 'must not be greater than 1', row: 2, column: 'fte' },
        { field: 'row[9].reference', reason: `duplicate reference "DUP-1" for ${org}: rows 2 and 9`, row: 9, column: 'reference', relatedRows: [2] },
      ]);
      expect(await postCount()).toBe(before);
    });

    it('reports header problems on row 1', async () => {
      const res = await upload(ctx, f.hr, `${importUrl}?dryRun=true`, csv(['reference,title,organisation,colour,grade,fte,fte', 'X,Y,Z,red,G7,1,1']));
      expect(res.body.errors).toEqual([
        { row: 1, column: 'colour', message: expect.stringContaining('unknown column') },
        { row: 1, column: 'fte', message: 'column appears twice (columns 6 and 7)' },
        { row: 1, column: 'thematic_area', message: 'required column is missing' },
        { row: 1, column: 'establishment_status', message: 'required column is missing' },
      ]);
    });

    it('refuses a reference another programme already uses for the organisation', async () => {
      const other = await ctx.api.post(
        '/api/v1/programmes',
        { name: 'Neighbour programme', destinationOrganisationId: f.orgs.merged, sourceOrganisationIds: [f.orgs.council], goLiveDate: '2020-04-01' },
        { headers: f.admin.headers },
      );
      const area = (await ctx.api.post(`/api/v1/programmes/${other.body.id}/thematic-areas`, { name: 'Adults', defaultScope: 'in_scope' }, { headers: f.hr.headers })).body;
      await createPost(ctx, f, { programmeId: other.body.id, thematicAreaId: area.id, reference: 'SHARED-1' });
      const res = await upload(ctx, f.hr, `${importUrl}?dryRun=true`, csv([CSV_HEADER, `SHARED-1,Clash,${org},Adults,G7,1,filled,,`]));
      expect(res.body.errors).toEqual([{ row: 2, column: 'reference', message: `"SHARED-1" is already a post of ${org} in another programme` }]);
    });

    it('imports XLSX (numbers as numbers), numbering rows as the sheet does', async () => {
      const good = await xlsxOf([CSV_HEADER.split(','), ['XL-1', 'From Excel', org, 'Adults', 'G7', 0.6, 'filled', null, null], [], ['XL-2', 'Second', org, 'Adults', 'G5', 1, 'vacant', 'under_review', 'Check']]);
      const res = await upload(ctx, f.hr, importUrl, good, 'posts.xlsx', XLSX);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatchObject({ format: 'xlsx', rows: 2, created: 2, valid: true });
      const { rows } = await ctx.sql.query(`SELECT reference, fte::text, scope FROM posts WHERE reference LIKE 'XL-%' ORDER BY reference`);
      expect(rows).toEqual([
        { reference: 'XL-1', fte: '0.60', scope: 'in_scope' },
        { reference: 'XL-2', fte: '1.00', scope: 'under_review' },
      ]);
      const bad = await xlsxOf([CSV_HEADER.split(','), ['XL-3', 'Ok', org, 'Adults', 'G7', 1, 'filled'], [], ['XL-4', 'Too big', org, 'Adults', 'G7', 1.5, 'filled']]);
      const dry = await upload(ctx, f.hr, `${importUrl}?dryRun=true`, bad, 'bad.xlsx', XLSX);
      expect(dry.body.errors).toEqual([{ row: 4, column: 'fte', message: 'must not be greater than 1' }]);
    });

    it('caps the upload: over 20 MiB is 413, over 100,000 rows is 400, and nothing is written', async () => {
      const before = await postCount();
      const huge = Buffer.alloc(20 * 1024 * 1024 + 1, 'a');
      const big = await upload(ctx, f.hr, importUrl, huge);
      expectErrorShape(big, 413);
      expect(big.body.details).toEqual([{ field: 'file', reason: `must be at most ${20 * 1024 * 1024} bytes` }]);
      const lines = [CSV_HEADER];
      for (let i = 0; i <= 100_000; i++) lines.push(`R${i},T,${org},Adults,G7,1,filled,,`);
      const many = await upload(ctx, f.hr, importUrl, csv(lines));
      expectErrorShape(many, 400);
      expect(many.body.details).toEqual([{ field: 'file', reason: 'has more than 100000 data rows; split it' }]);
      expect(await postCount()).toBe(before);
    });

    it('answers malformed uploads with 4xx naming the file', async () => {
      const json = await ctx.api.post(importUrl, { file: 'x' }, { headers: f.hr.headers });
      expectErrorShape(json, 415);
      expect(json.body.details[0].field).toBe('file');
      const wrongField = multipart([{ name: 'upload', filename: 'posts.csv', content: 'x' }]);
      const wf = await ctx.app.inject({ method: 'POST', url: importUrl, headers: { ...f.hr.headers, 'content-type': wrongField.contentType }, payload: wrongField.body });
      expect(wf.statusCode).toBe(400);
      expect(JSON.parse(wf.body).details[0].field).toBe('file');
      const latin1 = await upload(ctx, f.hr, importUrl, Buffer.from([...Buffer.from(`${CSV_HEADER}\r\nL-1,Caf`), 0xe9, ...Buffer.from(`,${org},Adults,G7,1,filled,,\r\n`)]));
      expectErrorShape(latin1, 400);
      expect(latin1.body.details[0].reason).toContain('UTF-8');
      const quote = await upload(ctx, f.hr, importUrl, `${CSV_HEADER}\r\n"Q-1,unclosed,${org},Adults,G7,1,filled,,\r\n`);
      expectErrorShape(quote, 400);
      expect(quote.body.details[0].field).toBe('file');
      const xls = await upload(ctx, f.hr, importUrl, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'old.xls', 'application/vnd.ms-excel');
      expectErrorShape(xls, 415);
      const broken = await upload(ctx, f.hr, importUrl, Buffer.from('PK\x03\x04 not really a zip'), 'broken.xlsx', XLSX);
      expectErrorShape(broken, 400);
      const empty = await upload(ctx, f.hr, importUrl, '\ufeff\r\n');
      expectErrorShape(empty, 400);
      const dryRun = await upload(ctx, f.hr, `${importUrl}?dryRun=yes`, csv([CSV_HEADER]));
      expectErrorShape(dryRun, 400);
      expect(dryRun.body.details[0].field).toBe('dryRun');
      const missing = await upload(ctx, f.hr, `/api/v1/programmes/4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e/posts/import`, csv([CSV_HEADER]));
      expectErrorShape(missing, 404);
    });

    it('is for HR officers and admins only', async () => {
      await expectRouteAllows(ctx, 'POST', `${importUrl}?dryRun=true`, [Role.Admin, Role.HrOfficer]);
    });

    it('accepts a real multipart upload over HTTP, as `curl -F file=@posts.csv` sends it', async () => {
      await ctx.app.listen({ port: 0, host: '127.0.0.1' }); // closed with the app in afterAll
      const address = ctx.app.getHttpServer().address() as { port: number };
      const form = new FormData();
      form.append('file', new Blob([csv([CSV_HEADER, `HTTP-1,Over the wire,${org},Adults,G7,1,filled,,`])], { type: 'text/csv' }), 'posts.csv');
      const res = await fetch(`http://127.0.0.1:${address.port}${importUrl}?dryRun=true`, { method: 'POST', body: form, headers: { ...f.hr.headers, connection: 'close' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ dryRun: true, valid: true, created: 1 });
    });
  });

  describe('export', () => {
    let users: Record<Role, TestUser>;
    beforeAll(async () => {
      users = await createUsersForAllRoles(ctx, { [Role.Manager]: [{ programmeId: f.programme, thematicAreaId: f.areas.outOfScope }] });
      for (const [reference, title] of [
        ['INJ-1', '=1+1'],
        ['INJ-2', '+44 161 234 5000'],
        ['INJ-3', '-2+3'],
        ['INJ-4', '@SUM(A1:A2)'],
      ]) {
        await createPost(ctx, f, { reference, title });
      }
      await createPost(ctx, f, { reference: 'KIDS-1', title: 'Placement Officer', thematicAreaId: f.areas.outOfScope, fte: 0.5 });
    });

    const exportUrl = () => `/api/v1/programmes/${f.programme}/posts/export`;

    it('escapes cells a spreadsheet would run in CSV (=1+1 comes back escaped); XLSX writes them as text cells, with no apostrophe', async () => {
      const c = await download(ctx, f.hr, exportUrl());
      expect(c.statusCode).toBe(200);
      expect(c.headers['content-type']).toMatch(/^text\/csv/);
      const rows = readCsv(c.raw);
      expect(rows[0]).toEqual(CSV_HEADER.split(','));
      const title = (ref: string) => rows.find((r) => r[0] === ref)?.[1];
      expect(title('INJ-1')).toBe("'=1+1");
      expect(title('INJ-2')).toBe("'+44 161 234 5000");
      expect(title('INJ-3')).toBe("'-2+3");
      expect(title('INJ-4')).toBe("'@SUM(A1:A2)");
      expect(c.raw.toString('utf8')).toContain("\r\nINJ-1,'=1+1,");

      const x = await download(ctx, f.hr, `${exportUrl()}?format=xlsx`);
      expect(x.headers['content-type']).toBe(XLSX);
      const sheet = await readXlsx(x.raw);
      // A plain text cell, shown as typed: no literal apostrophe, and not a formula (ExcelJS reads a formula cell back as a { formula } object, not a string).
      expect(sheet.filter((r) => String(r[0]).startsWith('INJ-')).map((r) => r[1])).toEqual(['=1+1', '+44 161 234 5000', '-2+3', '@SUM(A1:A2)']);
      expect(sheet.find((r) => r[0] === 'KIDS-1')?.[5]).toBe(0.5);
    });

    it('round-trips: the export imports back unchanged', async () => {
      const c = await download(ctx, f.hr, exportUrl());
      const res = await upload(ctx, f.hr, `${importUrl}?dryRun=true`, c.raw, 'export.csv');
      expect(res.body).toMatchObject({ valid: true, created: 0, updated: 0, errorCount: 0 });
      expect(res.body.unchanged).toBe(res.body.rows);
      const x = await download(ctx, f.hr, `${exportUrl()}?format=xlsx`);
      const rx = await upload(ctx, f.hr, `${importUrl}?dryRun=true`, x.raw, 'export.xlsx', XLSX);
      expect(rx.body).toMatchObject({ valid: true, created: 0, updated: 0 });
      expect(rx.body.unchanged).toBe(rx.body.rows);
    });

    it("gives a manager only their areas' posts; refuses trade union reps", async () => {
      const m = readCsv((await download(ctx, users[Role.Manager], exportUrl())).raw);
      expect(m.slice(1).map((r) => r[3])).toEqual(expect.arrayContaining(["Children's"]));
      expect(new Set(m.slice(1).map((r) => r[3]))).toEqual(new Set(["Children's"]));
      await expectRouteAllows(ctx, 'GET', exportUrl(), [Role.Admin, Role.HrOfficer, Role.Manager], { users });
      const outsider = await createUser(ctx, Role.Manager, { scopes: [{ programmeId: f.other.programme, thematicAreaId: f.other.area }] });
      expectErrorShape(await ctx.api.get(exportUrl(), { headers: outsider.headers }), 404);
      const json = await ctx.api.get(exportUrl(), { headers: { ...f.hr.headers, accept: 'application/json' } });
      expectErrorShape(json, 406);
    });
  });
});

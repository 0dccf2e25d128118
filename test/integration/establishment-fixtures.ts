/**
 * Shared set-up for the establishment integration specs: a small programme built through the API
 * (so the API is exercised), multipart bodies as a browser or `curl -F` sends them, and sheet
 * parsing for the exports.
 */
import ExcelJS from 'exceljs';
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { Role } from '../../src/common/access/role.enum';
import { createUser, TestUser } from '../support/auth';
import { TestContext, TestResponse } from '../support/test-app';

export interface Fixture {
  admin: TestUser;
  hr: TestUser;
  orgs: { council: string; ccg: string; merged: string; outsider: string };
  grades: { smg1: string; g7: string; g5: string; ccgBand5: string; outsiderG7: string };
  programme: string;
  areas: { inScope: string; outOfScope: string };
  /** A second programme, for "outside your scope". */
  other: { programme: string; area: string };
}

function ok<T>(res: TestResponse<T>, status: number, what: string): T {
  if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode} ${res.text}`);
  return res.body;
}

export async function buildFixture(ctx: TestContext): Promise<Fixture> {
  const tag = randomBytes(3).toString('hex');
  const admin = await createUser(ctx, Role.Admin);
  const hr = await createUser(ctx, Role.HrOfficer);
  const org = async (name: string, kind: string, status: string, shortName: string) =>
    ok(await ctx.api.post('/api/v1/organisations', { name: `${name} ${tag}`, shortName, kind, status }, { headers: admin.headers }), 201, `organisation ${name}`).id as string;
  const council = await org('Test City Council', 'council', 'active', `TCC${tag}`);
  const ccg = await org('Test CCG', 'ccg', 'to_be_disestablished', `TCCG${tag}`);
  const merged = await org('Test Merged CCG', 'merged_ccg', 'proposed', `TMCCG${tag}`);
  const outsider = await org('Elsewhere Council', 'council', 'active', `EC${tag}`);
  const grade = async (orgId: string, code: string, rank: number, reportGroup: string | null) =>
    ok(await ctx.api.post(`/api/v1/organisations/${orgId}/grades`, { code, rank, reportGroup, payMin: 20000, payMax: 30000 }, { headers: hr.headers }), 201, `grade ${code}`)
      .id as string;
  const grades = {
    smg1: await grade(council, 'SMG1', 13, '>G12'),
    g7: await grade(council, 'G7', 7, 'G7'),
    g5: await grade(council, 'G5', 5, null),
    ccgBand5: await grade(ccg, 'Band 5', 5, null),
    outsiderG7: await grade(outsider, 'G7', 7, 'G7'),
  };
  const programme = ok(
    await ctx.api.post(
      '/api/v1/programmes',
      { name: `Test programme ${tag}`, destinationOrganisationId: merged, sourceOrganisationIds: [council, ccg], goLiveDate: '2017-04-01' },
      { headers: admin.headers },
    ),
    201,
    'programme',
  ).id as string;
  const area = async (programmeId: string, name: string, defaultScope: string) =>
    ok(await ctx.api.post(`/api/v1/programmes/${programmeId}/thematic-areas`, { name, defaultScope }, { headers: hr.headers }), 201, `area ${name}`).id as string;
  const areas = { inScope: await area(programme, 'Adults', 'in_scope'), outOfScope: await area(programme, "Children's", 'out_of_scope') };
  const otherProgramme = ok(
    await ctx.api.post(
      '/api/v1/programmes',
      { name: `Other programme ${tag}`, destinationOrganisationId: merged, sourceOrganisationIds: [outsider], goLiveDate: '2018-04-01' },
      { headers: admin.headers },
    ),
    201,
    'other programme',
  ).id as string;
  const otherArea = await area(otherProgramme, 'Elsewhere', 'in_scope');
  return { admin, hr, orgs: { council, ccg, merged, outsider }, grades, programme, areas, other: { programme: otherProgramme, area: otherArea } };
}

export function postBody(f: Fixture, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    programmeId: f.programme,
    organisationId: f.orgs.council,
    thematicAreaId: f.areas.inScope,
    gradeId: f.grades.g7,
    reference: `P-${randomBytes(4).toString('hex')}`,
    title: 'Commissioning Officer',
    fte: 1,
    establishmentStatus: 'filled',
    ...over,
  };
}

export async function createPost(ctx: TestContext, f: Fixture, over: Record<string, unknown> = {}): Promise<any> {
  return ok(await ctx.api.post('/api/v1/posts', postBody(f, over), { headers: f.hr.headers }), 201, 'post');
}

/** Insert an employee holding the post (as the people feature would). */
export async function addHolder(ctx: TestContext, postId: string, fte = '1.00'): Promise<{ firstName: string; lastName: string; staffNumber: string }> {
  const tag = randomBytes(3).toString('hex');
  const e = { firstName: `Firstname${tag}`, lastName: `Lastname${tag}`, staffNumber: `S${tag}` };
  const { rows } = await ctx.sql.query(`INSERT INTO employees (staff_number, first_name, last_name) VALUES ($1, $2, $3) RETURNING id`, [e.staffNumber, e.firstName, e.lastName]);
  await ctx.sql.query(`INSERT INTO post_assignments (post_id, employee_id, fte, starts_on) VALUES ($1, $2, $3, '2015-01-01')`, [postId, rows[0].id, fte]);
  return e;
}

/** A multipart/form-data body as browsers and `curl -F file=@x` send it. */
export function multipart(parts: { name: string; filename?: string; contentType?: string; content: Buffer | string }[]): { body: Buffer; contentType: string } {
  const boundary = `----wtt${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename ? `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content, 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function upload(
  ctx: TestContext,
  user: TestUser,
  url: string,
  file: Buffer | string,
  filename = 'posts.csv',
  contentType = 'text/csv',
): Promise<TestResponse> {
  const { body, contentType: ct } = multipart([{ name: 'file', filename, contentType, content: file }]);
  const res = await ctx.app.inject({ method: 'POST', url, headers: { ...user.headers, 'content-type': ct }, payload: body });
  return { statusCode: res.statusCode, headers: res.headers, body: res.body.length && String(res.headers['content-type']).includes('json') ? JSON.parse(res.body) : res.body, text: res.body };
}

/** GET returning the raw bytes (CSV/XLSX). */
export async function download(ctx: TestContext, user: TestUser, url: string, headers: Record<string, string> = {}): Promise<{ statusCode: number; headers: Record<string, unknown>; raw: Buffer }> {
  const res = await ctx.app.inject({ method: 'GET', url, headers: { ...user.headers, ...headers } });
  return { statusCode: res.statusCode, headers: res.headers, raw: res.rawPayload };
}

export function readCsv(raw: Buffer): string[][] {
  return parse(raw.toString('utf8'), { bom: true }) as string[][];
}

export async function readXlsx(raw: Buffer, sheet?: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(raw as unknown as ExcelJS.Buffer);
  const ws = sheet ? wb.getWorksheet(sheet)! : wb.worksheets[0];
  const rows: unknown[][] = [];
  ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

export async function xlsxOf(rows: (string | number | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Posts');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const CSV_HEADER = 'reference,title,organisation,thematic_area,grade,fte,establishment_status,scope,scope_reason';

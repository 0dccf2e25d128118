import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Role } from '../../src/common/access/role.enum';
import { seedDemo } from '../../src/seed/seed';
import { FuzzRequest, judge, OpenApiDoc, operationsOf, requestOf } from '../acceptance/fuzz';
import { ApiProcess, startApiProcess } from '../support/api-process';

/**
 * Acceptance suite (issue 17), against the real API as its own process over TCP:
 * 1. a corpus of hand-made hostile requests (every finding of the issue and more of their kind);
 * 2. a schema-driven fuzz pass (fast-check, from the API's own OpenAPI document) over every
 *    operation as every role and anonymously.
 * Fails on any 5xx and on any error answer outside the one error shape.
 * FUZZ_REQUESTS sets the fuzz size (default 1,500 here; `make fuzz` sends 24,000 and writes a
 * report to bench/out/). FUZZ_SEED replays a run.
 */
const FUZZ_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1500);
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 17);
const CONCURRENCY = 8;

describe('acceptance: no 5xx and one error shape, whatever is sent', () => {
  let api: ApiProcess;
  let ids: string[];
  let programmeId: string;
  let postId: string;

  beforeAll(async () => {
    api = await startApiProcess();
    await seedDemo(api.db.url);
    const pick = async (table: string, n = 3) => (await api.sql.query(`SELECT id::text AS id FROM ${table} ORDER BY id LIMIT ${n}`)).rows.map((r) => r.id as string);
    const tables = ['programmes', 'organisations', 'thematic_areas', 'grades', 'posts', 'employees', 'post_assignments', 'transition_cases', 'consultations', 'milestones', 'forums', 'forum_meetings', 'trade_unions', 'scope_proposals'];
    ids = [];
    for (const t of tables) ids.push(...(await pick(t).catch(() => [])));
    programmeId = (await pick('programmes', 1))[0];
    postId = (await pick('posts', 1))[0];
    const [area] = (await api.sql.query(`SELECT id FROM thematic_areas WHERE programme_id = $1 LIMIT 1`, [programmeId])).rows;
    for (const role of [Role.Manager, Role.TuRep]) {
      const [u] = (await api.sql.query(`SELECT id FROM users WHERE role = $1 AND email LIKE '%@acceptance.test'`, [role])).rows;
      await api.sql.query(`INSERT INTO user_scopes (user_id, programme_id, thematic_area_id) VALUES ($1, $2, $3)`, [u.id, programmeId, role === Role.Manager ? area.id : null]);
    }
  }, 180_000);
  afterAll(async () => api?.stop());

  const send = async (r: { method: string; url: string; headers?: Record<string, string>; body?: string }) => {
    const res = await fetch(`${api.base}${r.url}`, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual' });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, verdict: judge(res.status, res.headers, text) };
  };
  const as = (role: Role | null, extra: Record<string, string> = {}) => ({ ...(role ? { authorization: `Bearer ${api.tokens[role]}` } : {}), ...extra });
  const json = { 'content-type': 'application/json' };

  it('the bad-input corpus: every case is a 4xx in the error shape', async () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const cursor = Buffer.from(JSON.stringify(['\u0000', '00000000-0000-4000-8000-000000000000'])).toString('base64url');
    const cases: { name: string; method: string; url: string; role: Role | null; body?: string; status?: number; headers?: Record<string, string> }[] = [
      { name: 'NUL in posts q', method: 'GET', url: '/api/v1/posts?q=%00', role: Role.HrOfficer, status: 400 },
      { name: 'NUL in employees q', method: 'GET', url: '/api/v1/employees?q=a%00', role: Role.HrOfficer, status: 400 },
      { name: 'NUL in audit entityType', method: 'GET', url: '/api/v1/audit?entityType=%00', role: Role.Admin, status: 400 },
      { name: 'crafted posts cursor', method: 'GET', url: `/api/v1/posts?cursor=${cursor}`, role: Role.HrOfficer, status: 400 },
      { name: 'cursor of junk', method: 'GET', url: '/api/v1/posts?cursor=%E2%80%AE%00', role: Role.HrOfficer, status: 400 },
      { name: 'NUL in a union name', method: 'POST', url: '/api/v1/unions', role: Role.Admin, body: JSON.stringify({ name: 'U\u0000' }), status: 400 },
      { name: 'NUL in a post title', method: 'PATCH', url: `/api/v1/posts/${postId}`, role: Role.HrOfficer, body: JSON.stringify({ title: 'x\u0000', version: 1 }), status: 400 },
      { name: 'NUL in a scope-proposal reason', method: 'POST', url: `/api/v1/posts/${postId}/scope-proposals`, role: Role.HrOfficer, body: JSON.stringify({ proposedScope: 'out_of_scope', reason: '\u0000' }) },
      { name: 'NUL in a path parameter', method: 'GET', url: '/api/v1/posts/%00', role: Role.HrOfficer, status: 400 },
      { name: 'unpaired surrogate', method: 'POST', url: '/api/v1/unions', role: Role.Admin, body: '{"name":"\\ud800"}', status: 400 },
      { name: '1,500 nested arrays to sign-in, anonymous', method: 'POST', url: '/api/v1/auth/sign-in', role: null, body: `{"email":"a@b.test","password":${nested(1500)}}`, status: 400 },
      { name: '1,500 nested arrays to posts', method: 'POST', url: '/api/v1/posts', role: Role.HrOfficer, body: nested(1500), status: 400 },
      { name: '1,500 nested arrays to users', method: 'POST', url: '/api/v1/users', role: Role.Admin, body: `{"x":${nested(1500)}}`, status: 400 },
      { name: '1,500 nested arrays to bulk preview', method: 'POST', url: `/api/v1/programmes/${programmeId}/cases/bulk/preview`, role: Role.HrOfficer, body: `{"filter":${nested(1500)}}`, status: 400 },
      { name: 'fte 1e-7', method: 'PATCH', url: `/api/v1/posts/${postId}`, role: Role.HrOfficer, body: '{"fte":1e-7,"version":1}', status: 400 },
      { name: 'fte 5e-324', method: 'PATCH', url: `/api/v1/posts/${postId}`, role: Role.HrOfficer, body: '{"fte":5e-324,"version":1}', status: 400 },
      { name: 'bands [[]]', method: 'POST', url: '/api/v1/consultation-rules', role: Role.Admin, body: '{"appliesFrom":"2099-01-01","bands":[[]]}', status: 400 },
      { name: 'bands [null]', method: 'POST', url: '/api/v1/consultation-rules', role: Role.Admin, body: '{"appliesFrom":"2099-01-01","bands":[null]}', status: 400 },
      { name: 'audit from=2017-02-30', method: 'GET', url: '/api/v1/audit?from=2017-02-30', role: Role.Admin, status: 400 },
      { name: 'limit=0x10', method: 'GET', url: '/api/v1/audit?limit=0x10', role: Role.Admin, status: 400 },
      { name: 'limit=1e1 on posts', method: 'GET', url: '/api/v1/posts?limit=1e1', role: Role.HrOfficer, status: 400 },
      { name: 'dateOfBirth 9999-12-31', method: 'POST', url: '/api/v1/employees', role: Role.HrOfficer, body: JSON.stringify({ staffNumber: 'ACC1', firstName: 'A', lastName: 'B', contractType: 'permanent', contractedFte: 1, dateOfBirth: '9999-12-31' }), status: 400 },
      { name: 'path parameter over 100 characters, anonymous', method: 'GET', url: `/api/v1/posts/${'a'.repeat(150)}`, role: null, status: 414 },
      { name: 'malformed JSON', method: 'POST', url: '/api/v1/auth/sign-in', role: null, body: '{"email":', status: 400 },
      { name: 'a JSON string body', method: 'POST', url: '/api/v1/auth/sign-in', role: null, body: '"x"', status: 400 },
      { name: '__proto__ in a body', method: 'POST', url: '/api/v1/auth/sign-in', role: null, body: '{"__proto__":{"admin":true},"email":"a@b.test","password":"x"}', status: 400 },
      { name: 'an unknown route', method: 'GET', url: '/api/v1/nothing-here', role: Role.Admin, status: 404 },
      { name: 'a bad URL encoding', method: 'GET', url: '/api/v1/posts/%E0%A4%A', role: Role.Admin, status: 400 },
      { name: 'LIKE wildcards and escapes in q', method: 'GET', url: '/api/v1/posts?q=%5C%25_%5C', role: Role.HrOfficer },
      { name: 'a regex in q', method: 'GET', url: '/api/v1/employees?q=(%3F%3A', role: Role.HrOfficer },
      { name: 'a huge integer version', method: 'PATCH', url: `/api/v1/posts/${postId}`, role: Role.HrOfficer, body: '{"version":1e308}', status: 400 },
      { name: 'a uuid out of range', method: 'GET', url: '/api/v1/posts/ffffffff-ffff-ffff-ffff-ffffffffffff', role: Role.HrOfficer },
      { name: 'two file parts', method: 'POST', url: `/api/v1/programmes/${programmeId}/posts/import?dryRun=true`, role: Role.HrOfficer, headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nreference\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="b.csv"\r\n\r\nreference\r\n--b--\r\n', status: 400 },
      { name: 'a CSV cell with NUL', method: 'POST', url: `/api/v1/programmes/${programmeId}/posts/import`, role: Role.HrOfficer, headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nreference,title,organisation,thematic_area,grade,fte,establishment_status\r\nN-1,a\u0000,x,y,z,1,filled\r\n--b--\r\n', status: 422 },
    ];
    const failures: string[] = [];
    for (const c of cases) {
      const res = await send({ method: c.method, url: c.url, headers: as(c.role, c.body !== undefined ? { ...json, ...(c.headers ?? {}) } : (c.headers ?? {})), body: c.body });
      if (res.verdict.problem) failures.push(`${c.name}: ${res.verdict.problem}`);
      else if (c.status !== undefined && res.status !== c.status) failures.push(`${c.name}: expected ${c.status}, got ${res.status} ${res.text.slice(0, 200)}`);
      else if (c.status === undefined && res.status >= 500) failures.push(`${c.name}: ${res.status}`);
    }
    // Node's own 431 (headers too large) comes in the error shape too
    const big = await send({ method: 'GET', url: '/health/live', headers: { 'x-big': 'a'.repeat(40_000) } });
    if (big.status !== 431 || big.verdict.problem) failures.push(`431: ${big.status} ${big.verdict.problem ?? ''}`);
    expect(failures).toEqual([]);
  });

  it(`the schema-driven fuzz pass: ${FUZZ_REQUESTS} requests over every operation, every role and anonymous`, async () => {
    const doc = (await (await fetch(`${api.base}/docs/json`)).json()) as OpenApiDoc;
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(100);
    const tokens: Record<string, string | undefined> = { ...api.tokens, anonymous: undefined };
    const perPair = Math.max(1, Math.ceil(FUZZ_REQUESTS / (ops.length * Object.keys(tokens).length)));
    const requests: FuzzRequest[] = [];
    ops.forEach((op, i) => {
      for (const role of Object.keys(tokens)) {
        requests.push(...fc.sample(requestOf(doc, op, ids, { [role]: tokens[role] }), { numRuns: perPair, seed: FUZZ_SEED * 7919 + i * 31 + role.length }));
      }
    });
    const started = Date.now();
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    const coveredOps = new Set<string>();
    const coveredRoles = new Set<string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const r = requests[next++];
          let res;
          try {
            res = await send(r);
          } catch (e) {
            problems.push(`${r.role} ${r.method} ${r.url.slice(0, 200)}: request failed: ${(e as Error).message}`);
            continue;
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          coveredOps.add(r.op);
          coveredRoles.add(r.role);
          if (res.verdict.problem && problems.length < 50) problems.push(`${r.role} ${r.method} ${r.url.slice(0, 200)}: ${res.verdict.problem}`);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    const summary = [
      `requests: ${requests.length} in ${seconds.toFixed(1)} s (${Math.round(requests.length / seconds)}/s, ${CONCURRENCY} concurrent)`,
      `operations: ${coveredOps.size} of ${ops.length}; roles: ${[...coveredRoles].sort().join(', ')}`,
      `seed: ${FUZZ_SEED}; 5xx: ${fivexx}; outside the error shape: ${problems.length}`,
      `statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s}: ${c}`).join(', ')}`,
    ];
    if (process.env.FUZZ_REPORT) {
      const dir = join(__dirname, '..', '..', 'bench', 'out');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `fuzz-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), `# Fuzz run\n\n${summary.map((l) => `- ${l}`).join('\n')}\n\n${problems.map((p) => `- ${p}`).join('\n')}\n`);
    }
    console.log(summary.join('\n'));
    expect(problems).toEqual([]);
    expect(coveredOps.size).toBe(ops.length);
    expect(coveredRoles.size).toBe(Object.keys(tokens).length);
  }, Math.max(600_000, FUZZ_REQUESTS * 200)); // a guard against a hang, not a timing check: a shared CI machine can be slow
});

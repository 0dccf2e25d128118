import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import PizZip from 'pizzip';
import { AuthService } from '../../src/auth/auth.service';
import { Role } from '../../src/common/access/role.enum';
import { MANIFEST_NAME } from '../../src/documents/evidence/evidence-zip';
import { DEMO_USERS } from '../../src/seed/demo-users';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, TestUser } from '../support/auth';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';

const run = promisify(execFile);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The text of a PDF (poppler's pdftotext), whitespace squashed, and whether it is tagged (pdfinfo). */
async function pdfText(pdf: Buffer): Promise<{ text: string; tagged: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'wtt-evidence-'));
  try {
    const file = join(dir, 'pack.pdf');
    await writeFile(file, pdf);
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-'], { maxBuffer: 64 * 1024 * 1024 });
    const info = await run('pdfinfo', [file]);
    return { text: squash(stdout), tagged: /Tagged:\s+yes/.test(info.stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseManifest(csv: string): { path: string; sha256: string; bytes: number }[] {
  const [head, ...lines] = csv.trim().split(/\r\n/);
  expect(head).toBe('path,sha256,bytes,source');
  return lines.map((l) => {
    const cells = l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
    return { path: cells[0], sha256: cells[1], bytes: Number(cells[2]) };
  });
}

/**
 * The consultation evidence pack (issue 15), end to end on the real API, worker, PostgreSQL, Redis
 * and LibreOffice: the demo consultation's pack lists its meetings and every representation with
 * its response (read from the database), the ZIP's manifest matches its files, the reps' copy
 * names no demo person, access is by role, everything is audited, and a failed build leaves the
 * previous pack downloadable.
 */
describe('documents: the consultation evidence pack', () => {
  let ctx: TestContext;
  let consultationId: string;
  let forumId: string;
  let hr: TestUser;
  let manager: TestUser;
  let repHeaders: Record<string, string>;
  let packId: string;

  const latest = (headers: Record<string, string>) => ctx.api.get(`/api/v1/consultations/${consultationId}/evidence-packs/latest`, { headers });
  const waitFinished = (id: string) =>
    eventually(
      () => latest(hr.headers),
      (r) => r.body.latest?.id === id && ['ready', 'failed'].includes(r.body.latest.status),
      180_000,
      500,
    );
  const download = async (href: string, headers: Record<string, string>) => {
    const res = await ctx.app.inject({ method: 'GET', url: href, headers });
    expect(res.statusCode).toBe(200);
    return res.rawPayload;
  };

  beforeAll(async () => {
    ctx = await startTestApp({ worker: true });
    expect((await seedDemo(ctx.db.url)).skipped).toBe(false);
    const programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
    consultationId = (await ctx.sql.query(`SELECT id FROM consultations WHERE programme_id = $1`, [programmeId])).rows[0].id;
    forumId = (await ctx.sql.query(`SELECT id FROM forums WHERE programme_id = $1`, [programmeId])).rows[0].id;
    hr = await createUser(ctx, Role.HrOfficer);
    const area = (await ctx.sql.query(`SELECT id FROM thematic_areas WHERE programme_id = $1 LIMIT 1`, [programmeId])).rows[0].id;
    manager = await createUser(ctx, Role.Manager, { scopes: [{ programmeId, thematicAreaId: area }] });
    const repEmail = DEMO_USERS.find((u) => u.role === Role.TuRep)!.email;
    const repId = (await ctx.sql.query(`SELECT id FROM users WHERE email = $1`, [repEmail])).rows[0].id;
    repHeaders = { authorization: `Bearer ${await ctx.app.get(AuthService).issueAccessToken(repId)}` };
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('is built by the worker after a 202, with its progress recorded, and only HR and admins may ask', async () => {
    expectErrorShape(await ctx.api.post(`/api/v1/consultations/${consultationId}/evidence-packs`, {}, { headers: repHeaders }), 403);
    expectErrorShape(await ctx.api.post(`/api/v1/consultations/${consultationId}/evidence-packs`, {}, { headers: manager.headers }), 403);
    expectErrorShape(await ctx.api.post(`/api/v1/consultations/00000000-0000-4000-8000-000000000000/evidence-packs`, {}, { headers: hr.headers }), 404);

    const res = await ctx.api.post(`/api/v1/consultations/${consultationId}/evidence-packs`, {}, { headers: hr.headers });
    expect(res.statusCode).toBe(202);
    expect(['queued', 'running']).toContain(res.body.status);
    packId = res.body.id;
    // A second request while it is under way gets the same build.
    const again = await ctx.api.post(`/api/v1/consultations/${consultationId}/evidence-packs`, {}, { headers: hr.headers });
    if (['queued', 'running'].includes(again.body.status)) expect(again.body.id).toBe(packId);

    const done = await waitFinished(packId);
    expect(done.body.latest).toMatchObject({ id: packId, status: 'ready', progress: 100, step: 'Ready', error: null, requestedBy: hr.email });
    expect(done.body.lastReady.id).toBe(packId);
    expect(done.body.latest.files.map((f: { copy: string; format: string }) => `${f.copy}.${f.format}`).sort()).toEqual(['full.pdf', 'full.zip', 'rep.pdf', 'rep.zip']);

    const { rows: audit } = await ctx.sql.query(`SELECT action, actor_label FROM audit_log WHERE entity_type = 'evidence_pack' AND entity_id = $1 ORDER BY id`, [packId]);
    expect(audit.map((a) => a.action)).toEqual(['evidence_pack.request', 'evidence_pack.build']);
    expect(audit[0].actor_label).toBe(hr.email);
  }, 200_000);

  it('the full copy is a tagged, indexed PDF listing the 8 meetings and every representation with its response, as the database holds them', async () => {
    const { body } = await latest(hr.headers);
    const pdfFile = body.lastReady.files.find((f: { copy: string; format: string }) => f.copy === 'full' && f.format === 'pdf');
    const pdf = await download(pdfFile.href, hr.headers);
    expect(sha(pdf)).toBe(pdfFile.sha256);
    const { text, tagged } = await pdfText(pdf);
    expect(tagged).toBe(true);
    for (const s of ['Contents', 'Timeline of milestones and meetings', 'Attendees by role', 'Meetings and minutes', 'Representations and responses', 'Documents issued', 'HR1 notification', 'Statutory rules applied']) {
      expect(text).toContain(s);
    }

    const { rows: meetings } = await ctx.sql.query(`SELECT title, minutes FROM forum_meetings WHERE forum_id = $1 AND (consultation_id = $2 OR consultation_id IS NULL)`, [forumId, consultationId]);
    expect(meetings).toHaveLength(8);
    expect(body.lastReady.contents.meetings).toBe(8);
    for (const m of meetings) {
      expect(text).toContain(squash(m.title));
      if (m.minutes) expect(text).toContain(squash(m.minutes));
    }
    const { rows: reps } = await ctx.sql.query(`SELECT subject, body, response, response_reasons FROM representations WHERE forum_id = $1 AND (consultation_id = $2 OR consultation_id IS NULL)`, [forumId, consultationId]);
    expect(reps.length).toBeGreaterThanOrEqual(3);
    expect(body.lastReady.contents.representations).toBe(reps.length);
    for (const r of reps) {
      expect(text).toContain(squash(r.subject));
      expect(text).toContain(squash(r.body));
      if (r.response) {
        expect(text).toContain(squash(r.response));
        expect(text).toContain(squash(r.response_reasons));
      }
    }
    const unanswered = reps.filter((r) => !r.response).length;
    expect(unanswered).toBeGreaterThan(0);
    expect(text.split('No response yet: this representation is awaiting').length - 1).toBe(unanswered);

    const { rows: docs } = await ctx.sql.query(
      `SELECT f.sha256 FROM documents d JOIN stored_files f ON f.id = d.docx_file_id
        WHERE d.issued_at IS NOT NULL AND (d.consultation_id = $1 OR d.case_id IN (SELECT id FROM transition_cases WHERE consultation_id = $1))`,
      [consultationId],
    );
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(text).toContain(`SHA-256 of the DOCX issued: ${d.sha256}`);
    // The demo consultation is TUPE: no HR1, said plainly; the rules carry their citations and dates.
    expect(text).toContain('No HR1 is required');
    expect(text).toContain('TUPE 2006 reg. 13(2) and (6)');
    expect(text).toContain('6 April 2006');
    // HR's copy names the forum's members (in a table: pdftotext may interleave a wrapped cell's words with the next cell's).
    const { rows: members } = await ctx.sql.query(`SELECT display_name FROM forum_members WHERE forum_id = $1`, [forumId]);
    const attendees = text.slice(text.indexOf('2. Attendees by role', text.indexOf('2. Attendees by role') + 1), text.indexOf('3. Meetings and minutes', text.indexOf('3. Meetings and minutes') + 1));
    for (const m of members) for (const word of m.display_name.split(' ')) expect(attendees).toContain(word);
  }, 60_000);

  it('the ZIP of the originals holds every issued document under its original name, the minutes, and a manifest whose hashes match', async () => {
    const { body } = await latest(hr.headers);
    const zipFile = body.lastReady.files.find((f: { copy: string; format: string }) => f.copy === 'full' && f.format === 'zip');
    const zip = new PizZip(await download(zipFile.href, hr.headers));
    const names = Object.keys(zip.files).filter((n) => !zip.files[n].dir);
    const manifest = parseManifest(zip.file(MANIFEST_NAME)!.asText());
    expect(manifest.map((m) => m.path).sort()).toEqual(names.filter((n) => n !== MANIFEST_NAME).sort());
    for (const m of manifest) {
      const bytes = zip.file(m.path)!.asNodeBuffer();
      expect(sha(bytes)).toBe(m.sha256);
      expect(bytes.length).toBe(m.bytes);
    }
    const { rows: stored } = await ctx.sql.query(
      `SELECT f.sha256, f.filename FROM documents d JOIN stored_files f ON f.id IN (d.docx_file_id, d.pdf_file_id)
        WHERE d.issued_at IS NOT NULL AND (d.consultation_id = $1 OR d.case_id IN (SELECT id FROM transition_cases WHERE consultation_id = $1))`,
      [consultationId],
    );
    const docEntries = manifest.filter((m) => m.path.startsWith('documents/'));
    expect(docEntries.map((m) => m.sha256).sort()).toEqual(stored.map((s) => s.sha256).sort());
    for (const s of stored) expect(docEntries.some((m) => m.path.endsWith(`/${s.filename}`) && m.sha256 === s.sha256)).toBe(true);
    const { rows: minuted } = await ctx.sql.query(`SELECT count(*)::int AS n FROM forum_meetings WHERE forum_id = $1 AND (consultation_id = $2 OR consultation_id IS NULL) AND minutes IS NOT NULL`, [forumId, consultationId]);
    expect(manifest.filter((m) => m.path.endsWith('/minutes.txt'))).toHaveLength(minuted[0].n);
  }, 60_000);

  it('a rep downloads only the reps’ copy, which names no demo person; a manager gets 403; every download is audited', async () => {
    expectErrorShape(await latest(manager.headers), 403);
    const { body } = await latest(repHeaders);
    expect(body.lastReady.requestedBy).toBeNull();
    expect(body.lastReady.files.map((f: { copy: string }) => f.copy)).toEqual(['rep', 'rep']);
    expectErrorShape(await ctx.api.get(`/api/v1/consultations/${consultationId}/evidence-packs/${packId}/pdf?copy=full`, { headers: repHeaders }), 403);
    expectErrorShape(await ctx.api.get(`/api/v1/consultations/${consultationId}/evidence-packs/${packId}/zip?copy=full`, { headers: repHeaders }), 403);
    expectErrorShape(await ctx.api.get(`/api/v1/consultations/${consultationId}/evidence-packs/${packId}/pdf?copy=bogus`, { headers: hr.headers }), 400);
    expectErrorShape(await ctx.api.get(`/api/v1/consultations/${consultationId}/evidence-packs/${packId}/pdf`, { headers: manager.headers }), 403);

    const pdf = await download(body.lastReady.files.find((f: { format: string }) => f.format === 'pdf').href, repHeaders);
    const zipBytes = await download(`/api/v1/consultations/${consultationId}/evidence-packs/${packId}/zip`, repHeaders);
    const { text, tagged } = await pdfText(pdf);
    expect(tagged).toBe(true);
    const zip = new PizZip(zipBytes);
    const zipText = Object.keys(zip.files)
      .filter((n) => !zip.files[n].dir)
      .map((n) => `${n}\n${n.endsWith('.txt') || n.endsWith('.csv') ? zip.file(n)!.asText() : ''}`)
      .join('\n');
    const everything = `${text}\n${zipText}`.toLowerCase();

    const { rows: people } = await ctx.sql.query(
      `SELECT first_name || ' ' || last_name AS name, staff_number AS ref FROM employees
        UNION ALL SELECT display_name, NULL FROM forum_members WHERE forum_id = $1
        UNION ALL SELECT display_name, email FROM users WHERE is_demo`,
      [forumId],
    );
    expect(people.length).toBeGreaterThan(10);
    for (const p of people) {
      expect(everything).not.toContain(p.name.toLowerCase());
      if (p.ref) expect(everything).not.toContain(p.ref.toLowerCase());
    }
    // Still the evidence: meetings, representations by union, the unanswered one said plainly, attendees by role.
    expect(text).toContain('Representatives’ copy: no personal data');
    expect(text).toContain('Branch secretary, Manchester City UNISON');
    expect(text).toContain('No response yet');
    const { rows: meetings } = await ctx.sql.query(`SELECT title FROM forum_meetings WHERE forum_id = $1`, [forumId]);
    for (const m of meetings) expect(text).toContain(squash(m.title));
    // Case letters only as counts, "<5" under 5.
    const { rows: letters } = await ctx.sql.query(
      `SELECT kind, count(*)::int AS n FROM documents WHERE issued_at IS NOT NULL AND case_id IN (SELECT id FROM transition_cases WHERE consultation_id = $1) GROUP BY kind`,
      [consultationId],
    );
    expect(letters.length).toBeGreaterThan(0);
    expect(zipText).not.toMatch(/transfer_letter|secondment_agreement/);

    const { rows: audit } = await ctx.sql.query(
      `SELECT metadata->>'copy' AS copy, metadata->>'format' AS format FROM audit_log WHERE action = 'evidence_pack.download' AND entity_id = $1 AND actor_label = $2 ORDER BY id`,
      [packId, DEMO_USERS.find((u) => u.role === Role.TuRep)!.email],
    );
    expect(audit).toEqual([
      { copy: 'rep', format: 'pdf' },
      { copy: 'rep', format: 'zip' },
    ]);
  }, 60_000);

  it('a build that fails says why, and the previous pack stays the one to download', async () => {
    // Break an issued letter's stored bytes behind the application's back (the table refuses UPDATE
    // to the app; the superuser lifts the trigger): the worker refuses to pack a file that no longer
    // matches its SHA-256, on every attempt.
    const [{ id: fileId, content }] = (
      await ctx.sql.query(
        `SELECT f.id, f.content FROM documents d JOIN stored_files f ON f.id = d.docx_file_id
          WHERE d.issued_at IS NOT NULL AND d.case_id IN (SELECT id FROM transition_cases WHERE consultation_id = $1) ORDER BY d.id LIMIT 1`,
        [consultationId],
      )
    ).rows;
    await ctx.sql.query(`ALTER TABLE stored_files DISABLE TRIGGER stored_files_immutable`);
    await ctx.sql.query(`UPDATE stored_files SET content = $2 WHERE id = $1`, [fileId, Buffer.concat([content.subarray(0, content.length - 1), Buffer.from([content[content.length - 1] ^ 0xff])])]);
    try {
      const res = await ctx.api.post(`/api/v1/consultations/${consultationId}/evidence-packs`, {}, { headers: hr.headers });
      expect(res.statusCode).toBe(202);
      expect(res.body.id).not.toBe(packId);
      const done = await waitFinished(res.body.id);
      expect(done.body.latest).toMatchObject({ id: res.body.id, status: 'failed', step: 'Failed', files: [] });
      expect(done.body.latest.error).toContain('does not match its SHA-256');
      expect(done.body.lastReady.id).toBe(packId);
      const pdf = done.body.lastReady.files.find((f: { copy: string; format: string }) => f.copy === 'full' && f.format === 'pdf');
      expect(sha(await download(pdf.href, hr.headers))).toBe(pdf.sha256);
      expectErrorShape(await ctx.api.get(`/api/v1/consultations/${consultationId}/evidence-packs/${res.body.id}/pdf`, { headers: hr.headers }), 409);
      const { rows: audit } = await ctx.sql.query(`SELECT changes FROM audit_log WHERE action = 'evidence_pack.build' AND entity_id = $1`, [res.body.id]);
      expect(audit).toHaveLength(1);
    } finally {
      await ctx.sql.query(`UPDATE stored_files SET content = $2 WHERE id = $1`, [fileId, content]);
      await ctx.sql.query(`ALTER TABLE stored_files ENABLE TRIGGER stored_files_immutable`);
    }
  }, 240_000);
});

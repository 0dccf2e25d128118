import { createHash } from 'node:crypto';
import { Role } from '../../src/common/access/role.enum';
import { DocumentSweep } from '../../src/documents/delivery/document-sweep';
import { JobProducer } from '../../src/queue/job-producer.service';
import { JobName, QueueName } from '../../src/queue/queue.contract';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, TestUser } from '../support/auth';
import { ReceivedMail, splitHeaders, SmtpSink, startSmtpSink } from '../support/smtp-sink';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The PDF attachments of a received message, decoded from its MIME parts. */
function pdfAttachments(raw: string): { filename: string; bytes: Buffer }[] {
  const out: { filename: string; bytes: Buffer }[] = [];
  const walk = (headers: Record<string, string>, body: string) => {
    const type = headers['content-type'] ?? '';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (/^multipart\//i.test(type) && boundary) {
      for (const p of body.split(`--${boundary}`).slice(1).filter((x) => !x.startsWith('--'))) {
        const part = splitHeaders(p.replace(/^\r?\n/, ''));
        walk(part.headers, part.body);
      }
    } else if (/^application\/pdf/i.test(type)) {
      const filename = /filename="?([^";]+)"?/i.exec(headers['content-disposition'] ?? type)?.[1] ?? '';
      out.push({ filename, bytes: Buffer.from(body.replace(/\s+/g, ''), 'base64') });
    }
  };
  const { headers, body } = splitHeaders(raw);
  walk(headers, body);
  return out;
}

/**
 * Issued documents by email (issue 15), on the real worker, LibreOffice, PostgreSQL, Redis and a
 * real SMTP server: the PDF arrives attached, byte for byte the stored one; the delivery is
 * recorded once with its Message-ID; a refused delivery retries and is recorded; the reg. 13
 * information goes to every union member of the forum; the sweep gives pending PDFs their jobs.
 */
describe('documents: issued letters by email with the PDF attached, and the pending-PDF sweep', () => {
  let ctx: TestContext;
  let sink: SmtpSink;
  let hr: TestUser;
  let programmeId: string;
  const q = async <T = Record<string, any>>(text: string, params: unknown[] = []) => (await ctx.sql.query(text, params)).rows as T[];
  const waitForPdf = (id: string) =>
    eventually(
      () => ctx.api.get(`/api/v1/documents/${id}`, { headers: hr.headers }),
      (r) => r.body.pdfStatus !== 'pending',
      150_000,
      250,
    );
  const agreedTransfers = () =>
    q<{ id: string; email: string }>(
      `SELECT c.id, e.work_email AS email FROM transition_cases c JOIN employees e ON e.id = c.employee_id JOIN posts p ON p.id = c.post_id
        WHERE c.programme_id = $1 AND c.route IN ('tupe_transfer', 'cosop_transfer') AND c.state = 'agreed' AND e.work_email IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id) ORDER BY p.reference`,
      [programmeId],
    );
  const draftWithPdf = async (caseId: string) => {
    const res = await ctx.api.post(`/api/v1/cases/${caseId}/documents`, { kind: 'transfer_letter' }, { headers: hr.headers });
    expect(res.statusCode).toBe(201);
    expect((await waitForPdf(res.body.id)).body.pdfStatus).toBe('ready');
    return res.body.id as string;
  };
  const mailsOf = (documentId: string) => (m: ReceivedMail[]) => m.filter((x) => x.headers['x-wtt-document-id'] === documentId);

  beforeAll(async () => {
    sink = await startSmtpSink();
    ctx = await startTestApp({ worker: true, env: { SMTP_URL: sink.url, NOTIFY_RETRY_ATTEMPTS: '6', NOTIFY_RETRY_BASE_MS: '300', DOCUMENT_SWEEP_EVERY_MS: '3000' } });
    // The demo loaded while the stack runs (as `make seed` does): its letters' PDFs are pending, and nobody enqueued them.
    await seedDemo(ctx.db.url);
    programmeId = (await q(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME]))[0].id;
    hr = await createUser(ctx, Role.HrOfficer);
  }, 180_000);
  afterAll(async () => {
    await ctx?.close();
    await sink?.close();
  });

  it('the sweep enqueues every pending PDF under its own job id (twice is still once), and the worker makes them', async () => {
    const pending = await q(`SELECT id FROM documents WHERE pdf_status = 'pending'`);
    expect(pending.length).toBeGreaterThan(0);
    const producer = ctx.worker!.get(JobProducer);
    const total = async () => Object.values(await producer.jobCounts(QueueName.Documents, 'waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children')).reduce((a, b) => a + b, 0);
    const sweep = ctx.worker!.get(DocumentSweep);
    const before = await total();
    const first = await sweep.sweep();
    const second = await sweep.sweep();
    expect(first.pdfs).toBeGreaterThan(0);
    expect(second.pdfs).toBeLessThanOrEqual(first.pdfs);
    // Each pending document has one job whatever the number of sweeps (the scheduler's runs included).
    expect((await total()) - before).toBeLessThanOrEqual(first.pdfs + 1);
    for (const p of pending.slice(0, 3)) expect(await producer.jobState(JobName.DocumentPdf, `pdf-${p.id}`)).not.toBe('unknown');
    await eventually(() => q<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE pdf_status = 'pending'`), (r) => r[0].n === 0, 300_000, 1000);
  }, 320_000);

  it('"send by email": the employee receives the PDF attached, the same bytes as stored; the delivery is recorded once with its Message-ID', async () => {
    const [c] = await agreedTransfers();
    const id = await draftWithPdf(c.id);
    const issued = await ctx.api.post(`/api/v1/documents/${id}/issue`, { delivery: 'email' }, { headers: hr.headers });
    expect(issued.statusCode).toBe(200);
    expect(issued.body.delivery).toBe('email');
    const [mail] = mailsOf(id)(await sink.waitFor((m) => mailsOf(id)(m).length >= 1, 60_000));
    expect(mail.to).toEqual([c.email]);
    const [pdf] = pdfAttachments(mail.raw);
    expect(pdf.filename).toMatch(/\.pdf$/);
    const [stored] = await q(`SELECT f.sha256 FROM documents d JOIN stored_files f ON f.id = d.pdf_file_id WHERE d.id = $1`, [id]);
    expect(sha(pdf.bytes)).toBe(stored.sha256);
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const [row] = await eventually(() => q(`SELECT status, message_id, sent_at, attempts, address FROM document_deliveries WHERE document_id = $1`, [id]), (r) => r[0]?.status === 'sent', 20_000);
    expect(row).toMatchObject({ status: 'sent', address: c.email, attempts: 1, message_id: mail.messageId });
    expect(row.sent_at).toBeInstanceOf(Date);
    const audits = await q(`SELECT changes, actor_label FROM audit_log WHERE entity_id = $1 AND action = 'document.email_sent'`, [id]);
    expect(audits).toHaveLength(1);
    expect(audits[0].changes.pdfSha256.to).toBe(stored.sha256);
    expect(audits[0].changes.messageId.to).toBe(mail.messageId);
    // The register shows the delivery beside its recipient.
    const reg = await ctx.api.get(`/api/v1/programmes/${programmeId}/document-register?caseId=${c.id}`, { headers: hr.headers });
    expect(reg.body.items[0].recipients[0].emailDelivery).toMatchObject({ status: 'sent', attempts: 1 });
  }, 240_000);

  it('a refused delivery is counted and retried until the mail server takes it', async () => {
    const [c] = await agreedTransfers();
    const id = await draftWithPdf(c.id);
    sink.setMode('refuse');
    await ctx.api.post(`/api/v1/documents/${id}/issue`, { delivery: 'email' }, { headers: hr.headers });
    const [failing] = await eventually(() => q(`SELECT status, attempts, last_error FROM document_deliveries WHERE document_id = $1`, [id]), (r) => r[0]?.attempts >= 1, 30_000);
    expect(failing.status).toBe('queued');
    expect(failing.last_error).toMatch(/451|try again/i);
    sink.setMode('accept');
    await sink.waitFor((m) => mailsOf(id)(m).length >= 1, 60_000);
    const [sent] = await eventually(() => q(`SELECT status, attempts FROM document_deliveries WHERE document_id = $1`, [id]), (r) => r[0]?.status === 'sent', 20_000);
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it('email to someone with no address is a 422 naming delivery, and nothing is issued', async () => {
    const [c] = await agreedTransfers();
    const id = await draftWithPdf(c.id);
    await ctx.sql.query(`UPDATE employees SET work_email = NULL WHERE id = (SELECT employee_id FROM transition_cases WHERE id = $1)`, [c.id]);
    const res = await ctx.api.post(`/api/v1/documents/${id}/issue`, { delivery: 'email' }, { headers: hr.headers });
    expectErrorShape(res, 422);
    expect(res.body.details[0].field).toBe('delivery');
    expect((await q(`SELECT issued_at FROM documents WHERE id = $1`, [id]))[0].issued_at).toBeNull();
    expect(await q(`SELECT 1 FROM document_deliveries WHERE document_id = $1`, [id])).toHaveLength(0);
  }, 240_000);

  it('the reg. 13 information, once issued, goes by email with its PDF to every union member of the forum', async () => {
    const [k] = await q<{ id: string }>(`SELECT id FROM consultations WHERE programme_id = $1 ORDER BY created_at LIMIT 1`, [programmeId]);
    const reps = await q<{ email: string }>(
      `SELECT m.email FROM forum_members m JOIN forums f ON f.id = m.forum_id WHERE f.programme_id = $1 AND m.side = 'union' AND (m.left_on IS NULL OR m.left_on > current_date)`,
      [programmeId],
    );
    expect(reps.length).toBeGreaterThan(0);
    const gen = await ctx.api.post(
      `/api/v1/consultations/${k.id}/documents`,
      { kind: 'reg13_information', reasons: 'A single commissioning function', legalImplications: 'TUPE applies', economicImplications: 'None', socialImplications: 'None', measures: [] },
      { headers: hr.headers },
    );
    expect(gen.statusCode).toBe(201);
    await waitForPdf(gen.body.id);
    const issued = await ctx.api.post(`/api/v1/documents/${gen.body.id}/issue`, { delivery: 'handed_over' }, { headers: hr.headers });
    expect(issued.statusCode).toBe(200);
    const mails = mailsOf(gen.body.id)(await sink.waitFor((m) => mailsOf(gen.body.id)(m).length >= reps.length, 90_000));
    expect(mails.flatMap((m) => m.to).sort()).toEqual(reps.map((r) => r.email).sort());
    const [stored] = await q(`SELECT f.sha256 FROM documents d JOIN stored_files f ON f.id = d.pdf_file_id WHERE d.id = $1`, [gen.body.id]);
    for (const m of mails) expect(sha(pdfAttachments(m.raw)[0].bytes)).toBe(stored.sha256);
  }, 240_000);
});

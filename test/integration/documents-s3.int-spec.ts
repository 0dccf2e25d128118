import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Role } from '../../src/common/access/role.enum';
import { DOCUMENT_STORE, DocumentStore, MEDIA } from '../../src/documents/document-store';
import { S3DocumentStore } from '../../src/documents/s3-document-store';
import { DEMO_PROGRAMME_NAME, seedDemo } from '../../src/seed/seed';
import { createUser, TestUser } from '../support/auth';
import { RunningS3, startS3Server } from '../support/s3-server';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';
import { download } from './establishment-fixtures';

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * DOCUMENT_STORE=s3 against a real S3-protocol server (s3rver on a free port): the API and the
 * worker (real LibreOffice) keep new files in the bucket, content-addressed, and read every file
 * from where its row says, refusing bytes that no longer match.
 */
describe('documents in an S3-compatible store (DOCUMENT_STORE=s3)', () => {
  let s3: RunningS3;
  let ctx: TestContext;
  let hr: TestUser;
  let bucket: S3Client;
  let caseId: string;
  let letter: { id: string; docx_file_id: string; pdf_file_id: string };

  const listKeys = async (): Promise<string[]> => {
    const res = await bucket.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    return (res.Contents ?? []).map((o) => o.Key!);
  };
  const getObject = async (key: string): Promise<Buffer> =>
    Buffer.from(await (await bucket.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());
  const fileRow = async (id: string) =>
    (await ctx.sql.query(`SELECT store, object_key, content, sha256, size_bytes FROM stored_files WHERE id = $1`, [id])).rows[0];

  beforeAll(async () => {
    s3 = await startS3Server({ prefix: 'wtt/documents' });
    bucket = new S3Client({
      endpoint: s3.endpoint,
      region: 'eu-west-2',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    ctx = await startTestApp({ worker: true, env: s3.env });
    // The demo data as it was before the switch: the seed keeps PostgreSQL unless configured.
    process.env.DOCUMENT_STORE = 'postgres';
    try {
      await seedDemo(ctx.db.url);
    } finally {
      process.env.DOCUMENT_STORE = 's3';
    }
    hr = await createUser(ctx, Role.HrOfficer);
    const programmeId = (await ctx.sql.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME])).rows[0].id;
    const { rows } = await ctx.sql.query(
      `SELECT c.id FROM transition_cases c JOIN posts p ON p.id = c.post_id
        WHERE c.programme_id = $1 AND c.route = 'tupe_transfer' AND c.state = 'agreed' AND c.pension_arrangement IS NOT NULL
        ORDER BY p.reference LIMIT 1`,
      [programmeId],
    );
    expect(rows).toHaveLength(1);
    caseId = rows[0].id;
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    bucket?.destroy();
    await s3?.close();
  });

  it('issuing a demo case letter keeps its DOCX and the worker-made PDF in the bucket, by SHA-256, nothing in bytea', async () => {
    const gen = await ctx.api.post(`/api/v1/cases/${caseId}/documents`, { kind: 'transfer_letter' }, { headers: hr.headers });
    expect(gen.statusCode).toBe(201);
    const done = await eventually(
      () => ctx.api.get(`/api/v1/documents/${gen.body.id}`, { headers: hr.headers }),
      (r) => r.body.pdfStatus !== 'pending',
      120_000,
      250,
    );
    expect(done.body.pdfStatus).toBe('ready');
    const issued = await ctx.api.post(`/api/v1/documents/${gen.body.id}/issue`, { delivery: 'handed_over' }, { headers: hr.headers });
    expect(issued.statusCode).toBe(200);
    expect(issued.body.status).toBe('issued');

    letter = (await ctx.sql.query(`SELECT id, docx_file_id, pdf_file_id FROM documents WHERE id = $1`, [gen.body.id])).rows[0];
    const keys = await listKeys();
    for (const fileId of [letter.docx_file_id, letter.pdf_file_id]) {
      const row = await fileRow(fileId);
      expect(row).toMatchObject({ store: 's3', content: null, object_key: `wtt/documents/sha256/${row.sha256}` });
      expect(keys).toContain(row.object_key);
      const bytes = await getObject(row.object_key);
      expect(sha(bytes)).toBe(row.sha256);
      expect(bytes.length).toBe(row.size_bytes);
    }
    expect((await getObject((await fileRow(letter.pdf_file_id)).object_key)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Every object is named by the SHA-256 of its bytes; files written since the switch have no bytea.
    for (const key of keys) {
      expect(key).toMatch(/^wtt\/documents\/sha256\/[0-9a-f]{64}$/);
      expect(sha(await getObject(key))).toBe(key.slice(-64));
    }
    const { rows } = await ctx.sql.query(`SELECT count(*)::int AS n FROM stored_files WHERE store = 's3' AND content IS NOT NULL`);
    expect(rows[0].n).toBe(0);
  }, 180_000);

  it('downloads through the API give the same bytes as the bucket holds', async () => {
    for (const [format, fileId, type] of [
      ['docx', letter.docx_file_id, MEDIA.docx],
      ['pdf', letter.pdf_file_id, MEDIA.pdf],
    ] as const) {
      const res = await download(ctx, hr, `/api/v1/documents/${letter.id}/file?format=${format}`);
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['content-type'])).toContain(type);
      const row = await fileRow(fileId);
      expect(sha(res.raw)).toBe(row.sha256);
      expect(sha(res.raw)).toBe(sha(await getObject(row.object_key)));
    }
  });

  it('an object altered in the bucket is refused on download (502 naming the file), not served', async () => {
    const row = await fileRow(letter.docx_file_id);
    const original = await getObject(row.object_key);
    const altered = Buffer.from(original);
    altered[altered.length - 1] ^= 0xff;
    await bucket.send(new PutObjectCommand({ Bucket: s3.bucket, Key: row.object_key, Body: altered }));
    try {
      const res = await ctx.api.get(`/api/v1/documents/${letter.id}/file?format=docx`, { headers: hr.headers });
      expectErrorShape(res, 502);
      expect(res.body.message).toContain(letter.docx_file_id);
      expect(res.body.message).toContain('does not match its SHA-256');
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'file' })]);
      expect(String(res.headers['content-type'])).toContain('application/json');
    } finally {
      await bucket.send(new PutObjectCommand({ Bucket: s3.bucket, Key: row.object_key, Body: original }));
    }
    const again = await download(ctx, hr, `/api/v1/documents/${letter.id}/file?format=docx`);
    expect(again.statusCode).toBe(200);
    expect(sha(again.raw)).toBe(row.sha256);
  });

  it('a transaction that fails after the upload leaves no stored_files row; the orphan object is reused by the same content', async () => {
    const store = ctx.app.get<DocumentStore>(DOCUMENT_STORE);
    expect(store).toBeInstanceOf(S3DocumentStore);
    const ds = ctx.app.get(DataSource);
    const bytes = randomBytes(4096);
    const hash = sha(bytes);
    await expect(
      ds.transaction(async (em) => {
        await store.save(em, { bytes, mediaType: MEDIA.zip, filename: 'rolled-back.zip' });
        throw new Error('the change failed after the upload');
      }),
    ).rejects.toThrow('the change failed after the upload');
    expect((await ctx.sql.query(`SELECT count(*)::int AS n FROM stored_files WHERE sha256 = $1`, [hash])).rows[0].n).toBe(0);
    expect(await listKeys()).toContain(`wtt/documents/sha256/${hash}`);

    const saved = await ds.transaction((em) => store.save(em, { bytes, mediaType: MEDIA.zip, filename: 'kept.zip' }));
    const row = await fileRow(saved.id);
    expect(row).toMatchObject({ store: 's3', content: null, object_key: `wtt/documents/sha256/${hash}` });
    expect((await listKeys()).filter((k) => k.endsWith(hash))).toHaveLength(1);
    const loaded = await store.load(ds.manager, saved.id);
    expect(loaded && sha(loaded.bytes)).toBe(hash);
  });

  it('with the bucket unreachable, generating a letter is a 503 in the error shape and changes nothing', async () => {
    const before = (await ctx.sql.query(`SELECT (SELECT count(*) FROM documents)::int AS docs, (SELECT count(*) FROM stored_files)::int AS files, (SELECT count(*) FROM audit_log)::int AS audit`)).rows[0];
    await s3.stop();
    try {
      const res = await ctx.api.post(`/api/v1/cases/${caseId}/documents`, { kind: 'transfer_letter' }, { headers: hr.headers });
      expectErrorShape(res, 503);
      expect(res.body.details).toEqual([expect.objectContaining({ field: 'documentStore', retryAfterSeconds: expect.any(Number) })]);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await s3.restart();
    }
    const after = (await ctx.sql.query(`SELECT (SELECT count(*) FROM documents)::int AS docs, (SELECT count(*) FROM stored_files)::int AS files, (SELECT count(*) FROM audit_log)::int AS audit`)).rows[0];
    expect(after).toEqual(before);
  }, 60_000);

  it('a letter stored in PostgreSQL before the switch is still downloadable', async () => {
    const { rows } = await ctx.sql.query(
      `SELECT d.id, f.id AS file_id, f.sha256 FROM documents d JOIN stored_files f ON f.id = d.docx_file_id
        WHERE d.issued_at IS NOT NULL AND f.store = 'postgres' ORDER BY d.id LIMIT 1`,
    );
    expect(rows).toHaveLength(1);
    expect((await fileRow(rows[0].file_id)).content).toBeInstanceOf(Buffer);
    const res = await download(ctx, hr, `/api/v1/documents/${rows[0].id}/file?format=docx`);
    expect(res.statusCode).toBe(200);
    expect(sha(res.raw)).toBe(rows[0].sha256);
  });

  it('the database keeps the rule: an S3 row holds no bytes and a key ending in its own SHA-256', async () => {
    const hash = sha(Buffer.from('x'));
    const insert = (content: Buffer | null, key: string | null) =>
      ctx.sql.query(`INSERT INTO stored_files (media_type, filename, size_bytes, sha256, store, object_key, content) VALUES ('application/zip', 'x.zip', 1, $1, 's3', $2, $3)`, [
        hash,
        key,
        content,
      ]);
    await expect(insert(Buffer.from('x'), `wtt/documents/sha256/${hash}`)).rejects.toThrow(/stored_files_bytes/);
    await expect(insert(null, `wtt/documents/sha256/${'0'.repeat(64)}`)).rejects.toThrow(/stored_files_bytes/);
    await expect(insert(null, null)).rejects.toThrow(/stored_files_bytes/);
    await expect(ctx.sql.query(`UPDATE stored_files SET object_key = object_key WHERE store = 's3'`)).rejects.toThrow(/cannot be changed/);
  });
});

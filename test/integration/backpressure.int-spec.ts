import { DataSource } from 'typeorm';
import { ReportSlots } from '../../src/establishment/report-slots';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';
import { buildFixture, createPost, download, Fixture } from './establishment-fixtures';

/**
 * Load is answered with backpressure, never a 500: a request that cannot get a database connection
 * within DB_POOL_WAIT_MS, or a heavy report that cannot get a slot within REPORT_WAIT_MS, gets 503
 * with Retry-After in the one error shape, and the next request once there is room succeeds.
 */
describe('backpressure: 503 with Retry-After instead of 500', () => {
  let ctx: TestContext;
  let f: Fixture;
  const env = { DB_POOL_SIZE: '2', DB_POOL_WAIT_MS: '300', DB_RETRY_AFTER_SECONDS: '3', REPORT_CONCURRENCY: '1', REPORT_WAIT_MS: '200' };

  beforeAll(async () => {
    ctx = await startTestApp({ env });
    f = await buildFixture(ctx);
    await createPost(ctx, f, { reference: 'BP-1' });
  });
  afterAll(async () => {
    await ctx?.close();
    for (const k of Object.keys(env)) delete process.env[k];
  });

  it('every database connection held: the next request waits DB_POOL_WAIT_MS, then 503 + Retry-After; then it works again', async () => {
    const ds = ctx.app.get(DataSource);
    const held = [ds.createQueryRunner(), ds.createQueryRunner()];
    for (const q of held) await q.connect();
    try {
      const started = Date.now();
      const busy = await ctx.api.get('/api/v1/posts?limit=5', { headers: f.hr.headers });
      expectErrorShape(busy, 503);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(busy.headers['retry-after']).toBe('3');
      expect(busy.body.details).toEqual([{ field: 'database', reason: 'is busy: retry later', retryAfterSeconds: 3 }]);
    } finally {
      for (const q of held) await q.release();
    }
    const ok = await ctx.api.get('/api/v1/posts?limit=5', { headers: f.hr.headers });
    expect(ok.statusCode).toBe(200);
    expect(ok.body.items.map((p: { reference: string }) => p.reference)).toContain('BP-1');
  });

  it('heavy reports: over REPORT_CONCURRENCY, the matrix and the export wait REPORT_WAIT_MS, then 503 + Retry-After', async () => {
    const slots = ctx.app.get(ReportSlots);
    const release = await slots.acquire();
    try {
      const matrix = await ctx.api.get(`/api/v1/programmes/${f.programme}/establishment`, { headers: f.hr.headers });
      expectErrorShape(matrix, 503);
      expect(matrix.headers['retry-after']).toBe('1');
      expect(matrix.body.details).toEqual([{ field: 'report', reason: 'is busy: retry later', retryAfterSeconds: 1 }]);
      const exported = await ctx.api.get(`/api/v1/programmes/${f.programme}/posts/export?format=csv`, { headers: f.hr.headers });
      expectErrorShape(exported, 503);
    } finally {
      release();
    }
    expect(slots.inUse).toBe(0);
    const matrix = await ctx.api.get(`/api/v1/programmes/${f.programme}/establishment`, { headers: f.hr.headers });
    expect(matrix.statusCode).toBe(200);
    // A streamed export holds its slot until the file has gone, then gives it back.
    const csv = await download(ctx, f.hr, `/api/v1/programmes/${f.programme}/posts/export?format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.raw.toString('utf8')).toContain('BP-1');
    for (let i = 0; i < 50 && slots.inUse > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(slots.inUse).toBe(0);
  });

  it('a waiting report gets the slot as soon as it is released (within the bound)', async () => {
    const slots = ctx.app.get(ReportSlots);
    const release = await slots.acquire();
    const pending = ctx.api.get(`/api/v1/programmes/${f.programme}/establishment`, { headers: f.hr.headers });
    await new Promise((r) => setTimeout(r, 50));
    expect(slots.queued).toBe(1);
    release();
    expect((await pending).statusCode).toBe(200);
    expect(slots.inUse).toBe(0);
  });
});

import { startRedis, RunningRedis } from '../support/servers';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';

describe('health: liveness and readiness on real Postgres and Redis', () => {
  let redis: RunningRedis;
  let ctx: TestContext;

  beforeAll(async () => {
    redis = await startRedis(); // this file's own Redis, so stopping it touches no other test
    ctx = await startTestApp({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await ctx?.close();
    await redis?.stop();
  });

  it('GET /health/live answers 200', async () => {
    const res = await ctx.api.get('/health/live');
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /health/live before the router with what the routed answer carries (body, security headers, request id, no-store)', async () => {
    const early = await ctx.api.get('/health/live', { headers: { 'x-request-id': 'probe-1' } });
    const routed = await ctx.api.get('/health/live?via=router', { headers: { 'x-request-id': 'probe-2' } });
    expect(routed.statusCode).toBe(200);
    expect(early.text).toBe(routed.text);
    const drop = new Set(['x-request-id', 'date', 'content-length', 'connection', 'keep-alive']);
    const pick = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).filter(([k]) => !drop.has(k)).sort());
    expect(pick(early.headers)).toEqual(pick(routed.headers));
    expect(early.headers['x-request-id']).toBe('probe-1');
    expect(early.headers['cache-control']).toBe('no-store');
    expect(early.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('GET /health/ready answers 200 with database, redis and migrations up', async () => {
    const res = await ctx.api.get('/health/ready');
    expect(res.statusCode).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.info).sort()).toEqual(['database', 'migrations', 'redis']);
  });

  it('turns 503 within 2 s of Redis stopping, and 200 again once it is back, without a restart', async () => {
    await redis.kill();
    const stoppedAt = Date.now();
    const down = await eventually(() => ctx.api.get('/health/ready'), (r) => r.statusCode === 503, 2000, 50);
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(2000);
    expectErrorShape(down, 503);
    expect(down.body.details).toEqual([expect.objectContaining({ field: 'redis' })]);

    await redis.restart();
    const up = await eventually(() => ctx.api.get('/health/ready'), (r) => r.statusCode === 200, 10000, 100);
    expect(up.statusCode).toBe(200);
  });

  it('is not ready while a migration is pending', async () => {
    const { rows } = await ctx.sql.query('SELECT id, timestamp, name FROM schema_migrations ORDER BY id DESC LIMIT 1');
    await ctx.sql.query('DELETE FROM schema_migrations WHERE id = $1', [rows[0].id]);
    try {
      const res = await ctx.api.get('/health/ready');
      expectErrorShape(res, 503);
      expect(res.body.details).toEqual([{ field: 'migrations', reason: `down: pending: ${rows[0].name}` }]);
    } finally {
      await ctx.sql.query('INSERT INTO schema_migrations (id, timestamp, name) VALUES ($1, $2, $3)', [rows[0].id, rows[0].timestamp, rows[0].name]);
    }
    expect((await ctx.api.get('/health/ready')).statusCode).toBe(200);
  });
});

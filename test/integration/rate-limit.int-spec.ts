import { Role } from '../../src/common/access/role.enum';
import { createUser } from '../support/auth';
import { expectErrorShape, startTestApp, TestApi, TestContext } from '../support/test-app';

describe('rate limiting, shared through Redis', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({ env: { THROTTLE_LIMIT: '3', THROTTLE_TTL_SECONDS: '60' } });
    headers = (await createUser(ctx, Role.Admin)).headers;
  });
  let headers: Record<string, string>;
  afterAll(async () => {
    await ctx?.close();
    process.env.THROTTLE_LIMIT = '100000';
  });

  it('answers the request over the limit with 429 in the error shape, with Retry-After', async () => {
    const url = '/api/v1/system/smoke-jobs/4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e';
    for (let i = 0; i < 3; i++) expect((await ctx.api.get(url, { headers })).statusCode).toBe(404);
    const limited = await ctx.api.get(url, { headers });
    expectErrorShape(limited, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts across two API instances sharing Redis', async () => {
    const other = new TestApi(await ctx.startAnotherApi());
    // A different route from the test above: counters are per route and client.
    const url = '/api/v1/system/smoke-jobs';
    const bad = { unknownField: 1 }; // rejected with 400 after the limiter has counted it
    expect((await ctx.api.post(url, bad, { headers })).statusCode).toBe(400);
    expect((await other.post(url, bad, { headers })).statusCode).toBe(400);
    expect((await ctx.api.post(url, bad, { headers })).statusCode).toBe(400);
    expectErrorShape(await other.post(url, bad, { headers }), 429);
  });

  it('never limits the health checks', async () => {
    for (let i = 0; i < 6; i++) expect((await ctx.api.get('/health/live')).statusCode).toBe(200);
  });
});

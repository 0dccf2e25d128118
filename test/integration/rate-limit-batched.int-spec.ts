import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Role } from '../../src/common/access/role.enum';
import { BatchedThrottlerStorage, THROTTLE_FLUSH_MS } from '../../src/common/http/batched-throttler-storage';
import { RedisDegradation } from '../../src/redis/redis-degradation';
import { createUser } from '../support/auth';
import { startTestApp, TestApi, TestContext } from '../support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TTL = 60_000;

describe('rate limiting counted locally and shared through Redis in batches (real Redis)', () => {
  const clients: Redis[] = [];
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const instance = () => {
    const client = new Redis(process.env.WTT_TEST_REDIS_URL!);
    clients.push(client);
    return new BatchedThrottlerStorage(client, prefix, new RedisDegradation());
  };
  afterAll(async () => {
    for (const c of clients) c.disconnect();
  });

  it('two instances share one limit: the combined hits admitted are between the limit and limit + 2 x budget', async () => {
    const [a, b] = [instance(), instance()];
    const limit = 500;
    const budget = BatchedThrottlerStorage.localBudget(limit); // 10
    const key = randomUUID();
    const admitted = { a: 0, b: 0 };
    // Bursts from both at once, with pauses of about a flush interval: local counting, flushes and read-backs interleave.
    for (let burst = 0; burst < 40; burst++) {
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => a.increment(key, TTL, limit, TTL, 'default').then((r) => !r.isBlocked && admitted.a++)),
        ...Array.from({ length: 10 }, () => b.increment(key, TTL, limit, TTL, 'default').then((r) => !r.isBlocked && admitted.b++)),
      ]);
      expect(results).toHaveLength(20);
      await sleep(burst % 3 === 0 ? THROTTLE_FLUSH_MS + 20 : 5);
    }
    await Promise.all([a.close(), b.close()]);
    const total = admitted.a + admitted.b;
    expect(total).toBeGreaterThanOrEqual(limit);
    expect(total).toBeLessThanOrEqual(limit + 2 * budget);
    // Both instances did their share: neither alone could have admitted this many.
    expect(Math.min(admitted.a, admitted.b)).toBeGreaterThan(100);
    // Every admitted hit reached Redis (refusals answered locally from a known block are not sent).
    expect(Number(await clients[0].get(`{${prefix}:throttle:${key}:default}:hits`))).toBeGreaterThanOrEqual(total);
  });

  it('once one instance passes the limit, the other admits at most its budget and then refuses, within a flush interval', async () => {
    const [a, b] = [instance(), instance()];
    const limit = 1000;
    const budget = BatchedThrottlerStorage.localBudget(limit); // 20
    const key = randomUUID();
    // B has seen the key (a shared total of 1): later hits there are local while its view says there is room.
    expect((await b.increment(key, TTL, limit, TTL, 'default')).isBlocked).toBe(false);
    let aAdmitted = 0;
    for (let i = 0; i < limit + 5; i++) if (!(await a.increment(key, TTL, limit, TTL, 'default')).isBlocked) aAdmitted++;
    expect(aAdmitted).toBe(limit - 1);
    let bAdmitted = 0;
    const started = Date.now();
    let refusedAt = 0;
    while (!refusedAt && Date.now() - started < 2000) {
      const r = await b.increment(key, TTL, limit, TTL, 'default');
      if (r.isBlocked) refusedAt = Date.now();
      else bAdmitted++;
      expect(r.timeToExpire).toBeGreaterThan(0);
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(bAdmitted).toBeLessThanOrEqual(budget);
    expect(refusedAt - started).toBeLessThan(2000);
    // Blocked is remembered: B refuses again at once without asking, with the block's time to run.
    const again = await b.increment(key, TTL, limit, TTL, 'default');
    expect(again).toMatchObject({ isBlocked: true });
    expect(again.timeToBlockExpire).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('rate limiting across two API instances with local counting (THROTTLE_LIMIT 100: a budget of 2 each)', () => {
  let ctx: TestContext;
  let headers: Record<string, string>;
  beforeAll(async () => {
    ctx = await startTestApp({ env: { THROTTLE_LIMIT: '100', THROTTLE_TTL_SECONDS: '60' } });
    headers = (await createUser(ctx, Role.Admin)).headers;
  });
  afterAll(async () => {
    await ctx?.close();
    process.env.THROTTLE_LIMIT = '100000';
  });

  it('limits the requests of one client over both instances to between 100 and 104, then 429 with Retry-After on both', async () => {
    const other = new TestApi(await ctx.startAnotherApi());
    const url = `/api/v1/system/smoke-jobs/${randomUUID()}`;
    const statuses: number[] = [];
    for (let i = 0; i < 65; i++) {
      const [x, y] = await Promise.all([ctx.api.get(url, { headers }), other.get(url, { headers })]);
      statuses.push(x.statusCode, y.statusCode);
      if (i % 10 === 0) await sleep(THROTTLE_FLUSH_MS + 20);
    }
    const passed = statuses.filter((s) => s === 404).length;
    expect(statuses.filter((s) => s !== 404 && s !== 429)).toEqual([]);
    expect(passed).toBeGreaterThanOrEqual(100);
    expect(passed).toBeLessThanOrEqual(104);
    expect(statuses.slice(-4)).toEqual([429, 429, 429, 429]);
    for (const api of [ctx.api, other]) {
      const limited = await api.get(url, { headers });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ statusCode: 429, message: expect.stringMatching(/Too many requests/) });
    }
  });
});

import type Redis from 'ioredis';
import { RedisDegradation, redisFailOpenTotal } from '../../redis/redis-degradation';
import { BatchedThrottlerStorage } from './batched-throttler-storage';

type Reply = [number, number, number, number];

/** A stand-in for Redis running the count script's rules in memory, recording each call. */
class FakeRedis {
  hits = new Map<string, number>();
  blocked = new Set<string>();
  calls: Array<{ via: 'command' | 'pipeline'; keys: number; n: number[] }> = [];
  fail: Error | null = null;
  defineCommand = jest.fn();

  count(hitKey: string, blockKey: string, n: number, ttl: number, limit: number, blockDuration: number): Reply {
    const total = (this.hits.get(hitKey) ?? 0) + n;
    this.hits.set(hitKey, total);
    if (this.blocked.has(blockKey)) return [total, ttl, 1, blockDuration];
    if (n > 0 && total > limit) {
      this.blocked.add(blockKey);
      return [total, ttl, 1, blockDuration];
    }
    return [total, ttl, 0, 0];
  }

  throttleCount = jest.fn(async (...args: [string, string, number, number, number, number]) => {
    this.calls.push({ via: 'command', keys: 1, n: [args[2]] });
    if (this.fail) throw this.fail;
    return this.count(...args);
  });

  pipeline() {
    const queued: Array<[string, string, number, number, number, number]> = [];
    const pipe = {
      throttleCount: (...args: [string, string, number, number, number, number]) => queued.push(args),
      exec: async () => {
        this.calls.push({ via: 'pipeline', keys: queued.length, n: queued.map((q) => q[2]) });
        if (this.fail) return queued.map(() => [this.fail, null]);
        return queued.map((q) => [null, this.count(...q)]);
      },
    };
    return pipe;
  }
}

const TTL = 60_000;

function storage(redis: FakeRedis, degradation = new RedisDegradation()) {
  return new BatchedThrottlerStorage(redis as unknown as Redis, 'wtt', degradation, { flushMs: 60_000 });
}

async function hits(s: BatchedThrottlerStorage, count: number, limit: number, key = 'k') {
  const out = [];
  for (let i = 0; i < count; i++) out.push(await s.increment(key, TTL, limit, TTL, 'default'));
  return out;
}

describe('BatchedThrottlerStorage', () => {
  it('asks Redis for every hit when the limit is under 50 (a local budget of 0), deciding exactly', async () => {
    const redis = new FakeRedis();
    const results = await hits(storage(redis), 4, 3);
    expect(redis.calls).toEqual([1, 1, 1, 1].map((n) => ({ via: 'command', keys: 1, n: [n] })));
    expect(results.map((r) => r.isBlocked)).toEqual([false, false, false, true]);
    expect(results[3].timeToBlockExpire).toBe(60);
  });

  it('asks Redis for the first hit of a window, counts the next ones locally, and sends them in one pipeline', async () => {
    const redis = new FakeRedis();
    const s = storage(redis);
    const results = await hits(s, 10, 1000); // budget 20
    expect(redis.calls).toEqual([{ via: 'command', keys: 1, n: [1] }]);
    expect(results.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(results.every((r) => !r.isBlocked && r.timeToExpire === 60)).toBe(true);
    await hits(s, 3, 1000, 'other');
    await s.flush();
    expect(redis.calls.at(-1)).toEqual({ via: 'pipeline', keys: 2, n: [9, 2] });
    expect(redis.hits.get('{wtt:throttle:k:default}:hits')).toBe(10);
    expect(redis.hits.get('{wtt:throttle:other:default}:hits')).toBe(3);
  });

  it('decides on the shared total read back plus the local hits since', async () => {
    const redis = new FakeRedis();
    const s = storage(redis);
    await hits(s, 2, 1000);
    redis.hits.set('{wtt:throttle:k:default}:hits', 500); // another instance's hits
    await hits(s, 1, 1000);
    await s.flush(); // sends 2, reads back 502
    const [next] = await hits(s, 1, 1000);
    expect(next.totalHits).toBe(503);
  });

  it('asks Redis once its budget of unconfirmed hits is used, with the pending ones', async () => {
    const redis = new FakeRedis();
    const s = storage(redis);
    await hits(s, 1 + 20 + 1, 1000); // first, 20 local, then over budget
    expect(redis.calls).toEqual([
      { via: 'command', keys: 1, n: [1] },
      { via: 'command', keys: 1, n: [21] },
    ]);
  });

  it('asks Redis for a hit that would reach the limit, and blocks locally once Redis says blocked', async () => {
    const redis = new FakeRedis();
    const s = storage(redis);
    await hits(s, 2, 100); // budget 2: the second is pending
    redis.hits.set('{wtt:throttle:k:default}:hits', 97);
    await s.flush(); // reads back 98
    const results = await hits(s, 4, 100);
    expect(results.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [99, false],
      [100, false],
      [101, true],
      [101, true],
    ]);
    // The hit at 99 went locally (below the limit); 100 (with the pending 99) and 101 asked Redis; the last was answered locally.
    expect(redis.calls.map((c) => c.n)).toEqual([[1], [1], [2], [1]]);
  });

  it('admits at most limit + N x budget across N instances sharing a key (the stated bound)', async () => {
    const redis = new FakeRedis();
    const instances = [storage(redis), storage(redis), storage(redis)];
    const limit = 500; // budget 10
    let admitted = 0;
    for (let round = 0; round < 100; round++) {
      for (const s of instances) for (const r of await hits(s, 3, limit)) if (!r.isBlocked) admitted++;
      if (round % 4 === 0) await Promise.all(instances.map((s) => s.flush()));
    }
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + 3 * 10);
  });

  it('fails open when Redis fails: lets the request through, opens the breaker, then skips Redis and counts each skip', async () => {
    const redis = new FakeRedis();
    const degradation = new RedisDegradation();
    const s = storage(redis, degradation);
    redis.fail = new Error('Command timed out');
    const failOpen = async () => (await redisFailOpenTotal.get()).values.find((v) => v.labels.source === 'rate_limit')?.value ?? 0;
    const before = await failOpen();
    const [first, second] = await hits(s, 2, 3);
    expect((await failOpen()) - before).toBe(2); // the failed call and the skip
    expect(first).toEqual({ totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 });
    expect(second.isBlocked).toBe(false);
    expect(redis.calls).toHaveLength(1); // the second was skipped: breaker open
    expect(degradation.open).toBe(true);
    expect(degradation.recentFailure()).toBe('Command timed out');
  });

  it('a failed flush opens the breaker and drops the local counts', async () => {
    const redis = new FakeRedis();
    const degradation = new RedisDegradation();
    const s = storage(redis, degradation);
    await hits(s, 5, 1000);
    redis.fail = new Error('Connection is closed.');
    await s.flush();
    expect(degradation.open).toBe(true);
    expect((await hits(s, 1, 1000))[0].totalHits).toBe(0);
  });
});

import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type Redis from 'ioredis';
import { RedisDegradation } from '../../redis/redis-degradation';

/** How often each process sends its counted hits to Redis and reads the shared totals back. */
export const THROTTLE_FLUSH_MS = 100;

/** The share of a limit each process may count locally before it must ask Redis (see BatchedThrottlerStorage). */
export const THROTTLE_LOCAL_SHARE = 0.02;

/**
 * One key's counting in Redis, for `n` hits at once (n = 0 reads the total without counting).
 * The same keys and the same blocking as @nest-lab/throttler-storage-redis (hits, then a block
 * key set for blockDuration once the total passes the limit), so instances of either kind agree.
 * Returns { totalHits, timeToExpire ms, isBlocked 0/1, timeToBlockExpire ms }.
 */
const COUNT_SCRIPT = `
local hitKey = KEYS[1]
local blockKey = KEYS[2]
local n = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local blockDuration = tonumber(ARGV[4])
local totalHits
if n > 0 then
  totalHits = redis.call('INCRBY', hitKey, n)
else
  totalHits = tonumber(redis.call('GET', hitKey) or '0')
end
local timeToExpire = redis.call('PTTL', hitKey)
if timeToExpire <= 0 then
  if n > 0 then
    redis.call('PEXPIRE', hitKey, ttl)
    timeToExpire = ttl
  else
    timeToExpire = 0
  end
end
local isBlocked = redis.call('GET', blockKey)
local timeToBlockExpire = 0
if isBlocked then
  timeToBlockExpire = redis.call('PTTL', blockKey)
elseif n > 0 and totalHits > limit then
  redis.call('SET', blockKey, 1, 'PX', blockDuration)
  isBlocked = '1'
  timeToBlockExpire = blockDuration
end
if isBlocked and timeToBlockExpire <= 0 then
  redis.call('DEL', blockKey)
  redis.call('SET', hitKey, math.max(n, 1), 'PX', ttl)
  totalHits = math.max(n, 1)
  timeToExpire = ttl
  isBlocked = false
end
return { totalHits, timeToExpire, isBlocked and 1 or 0, timeToBlockExpire }
`;

interface RedisCounting {
  throttleCount(hitKey: string, blockKey: string, n: number, ttl: number, limit: number, blockDuration: number): Promise<[number, number, number, number]>;
}

/** What this process knows of one key's window. */
interface KeyState {
  hitKey: string;
  blockKey: string;
  ttl: number;
  limit: number;
  blockDuration: number;
  /** The shared total Redis last returned (every process's flushed hits). */
  shared: number;
  /** Local hits admitted and not yet sent. */
  pending: number;
  /** Local hits sent in a call that has not answered yet. */
  inflight: number;
  /** When the window ends (local clock, from Redis's PTTL). */
  expiresAt: number;
  /** Until when the key is blocked (0: not). */
  blockedUntil: number;
}

type Reply = [number, number, number, number];

/**
 * Rate-limit counters shared by every API instance through Redis, without a Redis round trip
 * per request. Each process counts a key's hits locally and, every THROTTLE_FLUSH_MS, sends the
 * hits of all its keys to Redis in one pipeline (INCRBY per key, the same keys and blocking as
 * @nest-lab/throttler-storage-redis) and reads the shared totals back. A request is decided on
 * (last shared total + local hits since):
 *
 * - the first hit of a key in a window, a hit that would reach the limit, and a hit beyond the
 *   process's local budget B = floor(limit × THROTTLE_LOCAL_SHARE) of hits not yet confirmed by
 *   Redis all ask Redis at once (with the key's pending hits), and are decided exactly on the
 *   total Redis returns, as the plain Redis storage would. With a limit under 50, B is 0: every
 *   hit asks Redis, exactly as before;
 * - any other hit is admitted locally.
 *
 * Overshoot bound: a key admits at most limit + N × B hits in a window, N the number of API
 * instances (each instance admits at most B hits Redis has not confirmed, and once the shared
 * total has passed the limit, an instance's next flush, within THROTTLE_FLUSH_MS plus a round
 * trip, shows it and every later hit asks Redis and is refused). With the default 300 a minute,
 * B is 6: two instances admit at most 312. A blocked key answers 429 locally until its block ends.
 *
 * Fail-open, as before: while Redis is unreachable or hung (REDIS_COMMAND_TIMEOUT_MS), requests
 * are let through. A failed call opens RedisDegradation's breaker; while it is open the limiter
 * does not count or ask Redis, each request let through unchecked is counted in
 * wtt_redis_fail_open_total{source="rate_limit"} and /health/ready reports it; the local counts
 * are dropped, and counting starts again from Redis's totals when it answers.
 */
export class BatchedThrottlerStorage implements ThrottlerStorage {
  private readonly keys = new Map<string, KeyState>();
  private readonly redis: Redis & RedisCounting;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly degradation: RedisDegradation = new RedisDegradation(),
    private readonly options: { flushMs?: number; localShare?: number } = {},
  ) {
    if (!(redis as Partial<RedisCounting>).throttleCount) redis.defineCommand('throttleCount', { numberOfKeys: 2, lua: COUNT_SCRIPT });
    this.redis = redis as Redis & RedisCounting;
  }

  /** The local budget for a limit: hits a process may admit that Redis has not confirmed. */
  static localBudget(limit: number, share = THROTTLE_LOCAL_SHARE): number {
    return Math.floor(limit * share);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (this.degradation.open) {
      this.degradation.skipped('rate_limit');
      if (this.keys.size) this.keys.clear();
      return PASS;
    }
    const id = `${key}:${throttlerName}`;
    const now = Date.now();
    let state = this.keys.get(id);
    if (state && now >= state.expiresAt && now >= state.blockedUntil && state.pending === 0 && state.inflight === 0) {
      this.keys.delete(id);
      state = undefined;
    }
    if (state && state.blockedUntil > now) {
      return { totalHits: state.shared + state.inflight + state.pending, timeToExpire: seconds(state.expiresAt - now), isBlocked: true, timeToBlockExpire: seconds(state.blockedUntil - now) };
    }
    if (state && state.expiresAt > now) {
      const unconfirmed = state.pending + state.inflight;
      const estimate = state.shared + unconfirmed + 1;
      if (unconfirmed < BatchedThrottlerStorage.localBudget(limit, this.options.localShare) && estimate < limit) {
        state.pending++;
        this.schedule();
        return { totalHits: estimate, timeToExpire: seconds(state.expiresAt - now), isBlocked: false, timeToBlockExpire: 0 };
      }
    }
    if (!state) {
      // The keys @nest-lab/throttler-storage-redis used under SharedThrottlerStorage's prefix: a rolling deploy keeps its counts.
      const base = `{${this.prefix}:throttle:${id}}`;
      state = { hitKey: `${base}:hits`, blockKey: `${base}:blocked`, ttl, limit, blockDuration, shared: 0, pending: 0, inflight: 0, expiresAt: 0, blockedUntil: 0 };
      this.keys.set(id, state);
    }
    return this.countNow(state);
  }

  /** Sends this hit and the key's pending ones to Redis and decides on the total it returns. */
  private async countNow(state: KeyState): Promise<ThrottlerStorageRecord> {
    const n = state.pending + 1;
    state.pending = 0;
    state.inflight += n;
    let reply: Reply;
    try {
      reply = await this.redis.throttleCount(state.hitKey, state.blockKey, n, state.ttl, state.limit, state.blockDuration);
    } catch (err) {
      this.degradation.failed('rate_limit', err);
      this.keys.clear();
      return PASS;
    }
    state.inflight -= n;
    this.apply(state, reply, Date.now());
    this.schedule(); // the sweep of ended windows
    const [totalHits, timeToExpire, isBlocked, timeToBlockExpire] = reply;
    return { totalHits, timeToExpire: seconds(timeToExpire), isBlocked: isBlocked === 1, timeToBlockExpire: seconds(timeToBlockExpire) };
  }

  private apply(state: KeyState, [totalHits, timeToExpire, isBlocked, timeToBlockExpire]: Reply, now: number): void {
    const expiresAt = now + timeToExpire;
    // A new window (Redis's key expired and began again) replaces the total; within a window it only grows.
    state.shared = expiresAt > state.expiresAt + 1000 || timeToExpire === 0 ? totalHits : Math.max(state.shared, totalHits);
    state.expiresAt = expiresAt;
    state.blockedUntil = isBlocked === 1 ? now + timeToBlockExpire : 0;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.options.flushMs ?? THROTTLE_FLUSH_MS);
    this.timer.unref();
  }

  /** Sends every key's pending hits in one pipeline and reads the shared totals back. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    const batch: Array<{ state: KeyState; n: number }> = [];
    const now = Date.now();
    for (const [id, state] of this.keys) {
      if (state.pending === 0) {
        if (state.inflight === 0 && now >= state.expiresAt && now >= state.blockedUntil) this.keys.delete(id);
        continue;
      }
      batch.push({ state, n: state.pending });
      state.inflight += state.pending;
      state.pending = 0;
    }
    if (!batch.length) return Promise.resolve();
    this.flushing = this.send(batch).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async send(batch: Array<{ state: KeyState; n: number }>): Promise<void> {
    const pipeline = this.redis.pipeline() as ReturnType<Redis['pipeline']> & { throttleCount(...args: unknown[]): unknown };
    for (const { state, n } of batch) pipeline.throttleCount(state.hitKey, state.blockKey, n, state.ttl, state.limit, state.blockDuration);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      results = null;
      this.degradation.failed('rate_limit', err);
    }
    const failure = results?.find(([err]) => err)?.[0];
    if (!results || failure) {
      if (failure) this.degradation.failed('rate_limit', failure);
      this.keys.clear();
      return;
    }
    const now = Date.now();
    batch.forEach(({ state, n }, i) => {
      state.inflight -= n;
      this.apply(state, results[i][1] as Reply, now);
    });
  }

  /** Stops the timer and sends what is pending (at shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush().catch(() => undefined);
  }
}

const PASS: ThrottlerStorageRecord = { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

// Unit tests of the Redis LockRegistry's semaphore kind on ioredis-mock (which runs the Lua
// scripts, with TIME on real time), driven by a hand-moved clock: permits, waiting, lease
// renewal and expiry, loss and release of an expired lease.
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LockLostError, LockTimeoutError, RedisLockRegistry, type RedisLockRegistryOptions } from '../../../app/index.js';
import { ManualClock, settle } from '../support/manual-clock.js';
import { lossOf, track } from '../support/observe.js';

const TTL = 3000;
const RENEW = 1000;
const SET_KEY = 'zabkit:lock:semaphore:pool';

let nextPort = 42_000;
let clock: ManualClock;
let redis: Redis;
const registries: RedisLockRegistry[] = [];

function registry(options: Partial<RedisLockRegistryOptions> = {}): RedisLockRegistry {
  const made = new RedisLockRegistry({ client: redis, ttlMs: TTL, renewEveryMs: RENEW, clock, random: () => 0.5, ...options });
  registries.push(made);
  return made;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ioredis-mock's TIME is not a clock: its seconds are Math.round(Date.now() / 1000) and its
// microseconds come from process.hrtime(), whose sub-second phase has nothing to do with the wall
// clock's. So the "now" the scripts compute falls back by up to a second once a second (measured:
// 3 backward jumps, the worst 998 ms, in 3 s of reads), and a test that compares two readings a
// few ms apart fails now and then. Redis's own TIME never goes back. This file's process gets an
// hrtime whose sub-second part is the wall clock's, half a second ahead to undo the rounding, so
// the mock's TIME reads Date.now() + 500 ms. (Each test file runs in its own process.)
const realHrtime = process.hrtime;
beforeAll(() => {
  const inPhase = ((): [number, number] => {
    const ms = Date.now();
    return [Math.floor(ms / 1000), ((ms + 500) % 1000) * 1e6];
  }) as typeof process.hrtime;
  inPhase.bigint = realHrtime.bigint;
  process.hrtime = inPhase;
});
afterAll(() => {
  process.hrtime = realHrtime;
});

beforeEach(() => {
  clock = new ManualClock();
  redis = new RedisMock({ port: nextPort++ });
});

afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.close()));
  redis.disconnect();
});

describe('a Redis semaphore', () => {
  it('lets `permits` holders in at once and makes the next one wait for a release', async () => {
    const locks = registry();
    const pool = (): ReturnType<RedisLockRegistry['obtain']> => locks.obtain('pool', { kind: 'semaphore', permits: 2 });
    const first = await pool().acquire();
    const second = await pool().acquire({ timeoutMs: 0 });
    expect(first.kind).toBe('semaphore');
    expect(first.fencingToken).toBeUndefined();
    expect(await redis.zcard(SET_KEY)).toBe(2);

    const third = track(pool().acquire({ timeoutMs: 5_000 }));
    await clock.advance(2_000);
    expect(third.settled).toBe(false);
    await second.release();
    expect(await redis.zcard(SET_KEY)).toBe(1);
    await clock.advance(250);
    expect(third.value?.isHeld).toBe(true);
    expect(await redis.zcard(SET_KEY)).toBe(2);
    expect(first.isHeld).toBe(true);
  });

  it('times out when every permit stays leased', async () => {
    const locks = registry();
    await locks.obtain('pool', { kind: 'semaphore', permits: 1 }).acquire();
    const waiter = track(locks.obtain('pool', { kind: 'semaphore', permits: 1 }).acquire({ timeoutMs: 1_000 }));
    await clock.advance(1_000);
    expect(waiter.error).toBeInstanceOf(LockTimeoutError);
    expect(await redis.zcard(SET_KEY)).toBe(1);
  });

  it('lives apart from a mutex of the same name', async () => {
    const locks = registry();
    const mutex = await locks.obtain('pool').acquire();
    const permit = await locks.obtain('pool', { kind: 'semaphore', permits: 1 }).acquire({ timeoutMs: 0 });
    expect(mutex.isHeld && permit.isHeld).toBe(true);
    expect(await redis.type('zabkit:lock:pool')).toBe('string');
    expect(await redis.type(SET_KEY)).toBe('zset');
  });

  it('the watchdog moves the lease expiry forward on Redis time', async () => {
    const held = await registry().obtain('pool', { kind: 'semaphore', permits: 3 }).acquire();
    const [token] = await redis.zrange(SET_KEY, 0, -1);
    const before = Number(await redis.zscore(SET_KEY, token!));
    await realSleep(30);
    await clock.advance(RENEW);
    const after = Number(await redis.zscore(SET_KEY, token!));
    expect(after).toBeGreaterThan(before);
    expect(await redis.pttl(SET_KEY)).toBeGreaterThan(TTL - 1000);
    expect(held.isHeld).toBe(true);
  });

  it('a lease that expired in Redis frees its permit, and its holder then learns `expired`', async () => {
    // A short TTL on Redis's (real) clock; the holder's watchdog is stalled on the manual one.
    const slow = registry({ ttlMs: 40, renewEveryMs: 30 });
    const held = await slow.obtain('pool', { kind: 'semaphore', permits: 1 }).acquire();
    const loss = lossOf(held);
    await realSleep(80);
    const next = await registry().obtain('pool', { kind: 'semaphore', permits: 1 }).acquire({ timeoutMs: 0 });
    expect(next.isHeld).toBe(true);
    await clock.advance(30); // the stalled holder's renewal finally runs
    expect(loss.error).toBeInstanceOf(LockLostError);
    expect(loss.error?.reason).toBe('expired');
    expect(held.isHeld).toBe(false);
    expect(await redis.zcard(SET_KEY)).toBe(1); // the newcomer's lease is untouched
  });

  it('reports `expired` when its lease is removed behind its back, and release() says so', async () => {
    const held = await registry().obtain('pool', { kind: 'semaphore', permits: 2 }).acquire();
    const loss = lossOf(held);
    await redis.del(SET_KEY);
    await clock.advance(RENEW);
    expect(loss.error?.reason).toBe('expired');
    await expect(held.release()).rejects.toBe(loss.error);
  });

  it('release() of a lease that already expired rejects and leaves the other leases alone', async () => {
    const slow = registry({ ttlMs: 40, renewEveryMs: 30 });
    const stale = await slow.obtain('pool', { kind: 'semaphore', permits: 2 }).acquire();
    await realSleep(80);
    const other = await registry().obtain('pool', { kind: 'semaphore', permits: 2 }).acquire({ timeoutMs: 0 });
    const refused = await stale.release().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockLostError);
    expect((refused as LockLostError).reason).toBe('expired');
    expect(await redis.zcard(SET_KEY)).toBe(1);
    expect(other.isHeld).toBe(true);
    await settle();
  });
});

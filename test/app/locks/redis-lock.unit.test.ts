// Unit tests of the Redis LockRegistry on ioredis-mock (an in-memory Redis that runs the Lua
// scripts), with a hand-driven clock for the watchdog, timeouts and poll delays, and a fault
// proxy for unanswered or failing commands. The real redis-server runs in the integration test.
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LockLostError,
  LockNotReentrantError,
  LockRegistryClosedError,
  LockTimeoutError,
  RedisLockRegistry,
  UnsupportedLockKindError,
  type RedisLockRegistryOptions,
} from '../../../app/index.js';
import { leaseValidityMs } from '../../../app/locks/redis/lease-watchdog.js';
import { MUTEX_RELEASE_COMMAND, MUTEX_RENEW_COMMAND } from '../../../app/locks/redis/mutex-commands.js';
import { ManualClock, settle } from '../support/manual-clock.js';
import { lossOf, track } from '../support/observe.js';
import { withFaults, type FaultyRedis } from '../support/redis-faults.js';

const TTL = 3000;
const RENEW = 1000;
const RENEW_SCRIPT = MUTEX_RENEW_COMMAND;
const RELEASE_SCRIPT = MUTEX_RELEASE_COMMAND;

// ioredis-mock shares one keyspace per host:port; each test gets its own "server".
let nextPort = 41_000;
let clock: ManualClock;
let redis: Redis;
let faults: FaultyRedis;
const registries: RedisLockRegistry[] = [];

function registry(options: Partial<RedisLockRegistryOptions> = {}): RedisLockRegistry {
  const made = new RedisLockRegistry({ client: faults.client, ttlMs: TTL, renewEveryMs: RENEW, clock, random: () => 0.5, ...options });
  registries.push(made);
  return made;
}

/** A second client on the same keyspace, as another process would have. */
function otherClient(): Redis {
  return new RedisMock({ port: (redis.options as { port: number }).port });
}

beforeEach(() => {
  clock = new ManualClock();
  redis = new RedisMock({ port: nextPort++ });
  faults = withFaults(redis);
});

afterEach(async () => {
  faults.heal();
  faults.deliver();
  await Promise.all(registries.splice(0).map((r) => r.close()));
  redis.disconnect();
});

describe('acquire and release', () => {
  it('sets the prefixed key to a random token with the TTL, and release deletes it', async () => {
    const locks = registry();
    const lock = locks.obtain('orders');
    const held = await lock.acquire();
    expect(held.isHeld).toBe(true);
    expect(lock.isHeld).toBe(true);
    expect(held.fencingToken).toBeUndefined();
    expect(held.kind).toBe('mutex');
    const token = await redis.get('zabkit:lock:orders');
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const pttl = await redis.pttl('zabkit:lock:orders');
    expect(pttl).toBeGreaterThan(TTL - 1000);
    expect(pttl).toBeLessThanOrEqual(TTL);

    const loss = lossOf(held);
    await held.release();
    expect(await redis.exists('zabkit:lock:orders')).toBe(0);
    expect(held.isHeld).toBe(false);
    expect(lock.isHeld).toBe(false);
    expect(loss).toEqual({ completed: true });
    expect(held.lostSignal.aborted).toBe(false);
    await expect(held.release()).resolves.toBeUndefined(); // a second release is a no-op
  });

  it('gives every acquisition a fresh token', async () => {
    const lock = registry().obtain('k');
    const first = await lock.acquire();
    const token1 = await redis.get('zabkit:lock:k');
    await first.release();
    await lock.acquire();
    const token2 = await redis.get('zabkit:lock:k');
    expect(token2).not.toBeNull();
    expect(token2).not.toBe(token1);
  });

  it('uses the keyPrefix option, and different prefixes do not contend', async () => {
    const a = await registry({ keyPrefix: 'app-a:' }).obtain('shared').acquire();
    const b = await registry({ keyPrefix: 'app-b:' }).obtain('shared').acquire({ timeoutMs: 0 });
    expect(await redis.exists('app-a:shared', 'app-b:shared')).toBe(2);
    expect(a.isHeld && b.isHeld).toBe(true);
  });

  it('is not re-entrant: a second acquire on the same contender is refused, another contender waits', async () => {
    const locks = registry();
    const lock = locks.obtain('k');
    const pending = lock.acquire();
    await expect(lock.acquire()).rejects.toBeInstanceOf(LockNotReentrantError); // while acquiring
    const held = await pending;
    await expect(lock.acquire()).rejects.toBeInstanceOf(LockNotReentrantError); // while held
    const other = track(locks.obtain('k').acquire({ timeoutMs: 0 })); // another contender is excluded
    await clock.advance(0);
    expect(other.error).toBeInstanceOf(LockTimeoutError);
    await held.release();
    const again = await lock.acquire(); // after release the contender may acquire again
    expect(again.isHeld).toBe(true);
  });
});

describe('contention', () => {
  it('a second contender waits, polling, until the holder releases', async () => {
    const locks = registry();
    const holder = await locks.obtain('k').acquire();
    const waiter = track(locks.obtain('k').acquire());
    await clock.advance(5_000);
    expect(waiter.settled).toBe(false);
    // Delays double from pollMinMs (10) and then stay within [pollMaxMs/2, pollMaxMs] = [125, 250]:
    // over 5 s that is between 5000/250 and 5000/125 polls, plus the few of the ramp.
    const polls = faults.calls('set');
    expect(polls).toBeGreaterThanOrEqual(5_000 / 250);
    expect(polls).toBeLessThanOrEqual(5_000 / 125 + 6);
    await holder.release();
    await clock.advance(250);
    expect(waiter.settled).toBe(true);
    expect(waiter.value?.isHeld).toBe(true);
  });

  it('contenders in different registries (other connections) exclude each other', async () => {
    const mine = registry();
    const theirs = registry({ client: otherClient() });
    const held = await mine.obtain('k').acquire();
    const other = theirs.obtain('k');
    const attempt = track(other.acquire({ timeoutMs: 2_000 }));
    await clock.advance(1_000);
    expect(attempt.settled).toBe(false);
    await held.release();
    await clock.advance(300);
    expect(attempt.value?.isHeld).toBe(true);
    expect(other.isHeld).toBe(true);
  });
});

describe('timeout and abort', () => {
  it('rejects with LockTimeoutError when the key stays taken, leaving no key of its own', async () => {
    const locks = registry();
    const holder = await locks.obtain('k').acquire();
    const token = await redis.get('zabkit:lock:k');
    const waiterLock = locks.obtain('k');
    const waiter = track(waiterLock.acquire({ timeoutMs: 1_500 }));
    await clock.advance(1_499);
    expect(waiter.settled).toBe(false);
    await clock.advance(1);
    expect(waiter.error).toBeInstanceOf(LockTimeoutError);
    expect(waiter.error).toMatchObject({ key: 'k', timeoutMs: 1_500 });
    expect(waiterLock.isHeld).toBe(false);
    expect(await redis.get('zabkit:lock:k')).toBe(token);
    expect(holder.isHeld).toBe(true);
  });

  it('timeoutMs 0 makes exactly one attempt: acquires a free lock, refuses a taken one', async () => {
    const locks = registry();
    const held = await locks.obtain('k').acquire({ timeoutMs: 0 });
    expect(held.isHeld).toBe(true);
    const before = faults.calls('set');
    const refused = track(locks.obtain('k').acquire({ timeoutMs: 0 }));
    await clock.advance(0);
    expect(refused.error).toBeInstanceOf(LockTimeoutError);
    expect(faults.calls('set') - before).toBe(1);
  });

  it('the first attempt is answered even if the timeout passes while it is in flight', async () => {
    const locks = registry();
    faults.hold('set');
    const attempt = track(locks.obtain('k').acquire({ timeoutMs: 10 }));
    await clock.advance(100);
    expect(attempt.settled).toBe(false);
    faults.deliver();
    await settle();
    expect(attempt.value?.isHeld).toBe(true);
  });

  it('a grant whose reply came back after its lease ran out is given back, and polling goes on', async () => {
    const locks = registry();
    faults.hold('set');
    const attempt = track(locks.obtain('k').acquire());
    await clock.advance(TTL); // the reply is this late: the key may have expired already
    faults.heal();
    faults.deliver();
    await settle();
    expect(attempt.settled).toBe(false);
    expect(await redis.exists('zabkit:lock:k')).toBe(0);
    await clock.advance(10); // the next poll
    expect(attempt.value?.isHeld).toBe(true);
    expect(faults.calls('set')).toBe(2);
  });

  it('a later attempt overtaken by the timeout is undone when it lands', async () => {
    const locks = registry();
    const holder = await locks.obtain('k').acquire();
    const waiter = track(locks.obtain('k').acquire({ timeoutMs: 1_000 }));
    await clock.advance(500);
    await holder.release();
    faults.hold('set'); // the next poll's SET wins on the server, but its reply is late
    await clock.advance(600);
    expect(waiter.error).toBeInstanceOf(LockTimeoutError);
    expect(await redis.exists('zabkit:lock:k')).toBe(1); // it did land...
    faults.deliver();
    await settle();
    expect(await redis.exists('zabkit:lock:k')).toBe(0); // ...and was taken back
  });

  it('abort rejects a waiting acquire with the signal reason', async () => {
    const locks = registry();
    await locks.obtain('k').acquire();
    const controller = new AbortController();
    const waiterLock = locks.obtain('k');
    const waiter = track(waiterLock.acquire({ signal: controller.signal }));
    await clock.advance(1_000);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await settle();
    expect(waiter.error).toBe(reason);
    expect(waiterLock.isHeld).toBe(false);
    expect(clock.pending).toBe(2); // only the holder's watchdog timers remain: no poll left behind
  });

  it('an already aborted signal rejects without touching Redis', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = faults.calls('set');
    await expect(registry().obtain('k').acquire({ signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(faults.calls('set')).toBe(before);
  });

  it('an abort that overtakes an in-flight SET undoes the SET when it lands', async () => {
    const locks = registry();
    faults.hold('set');
    const controller = new AbortController();
    const attempt = track(locks.obtain('k').acquire({ signal: controller.signal }));
    await settle();
    controller.abort();
    await settle();
    expect(attempt.error).toMatchObject({ name: 'AbortError' });
    expect(await redis.exists('zabkit:lock:k')).toBe(1);
    faults.heal();
    faults.deliver();
    await settle();
    expect(await redis.exists('zabkit:lock:k')).toBe(0);
    await expect(locks.obtain('k').acquire({ timeoutMs: 0 })).resolves.toMatchObject({ isHeld: true });
  });

  it('a failing SET rejects acquire with the Redis error', async () => {
    const boom = new Error('READONLY You cannot write against a read only replica.');
    faults.fail('set', boom);
    await expect(registry().obtain('k').acquire()).rejects.toBe(boom);
  });
});

describe('release by someone who no longer owns the key', () => {
  it('never deletes the new owner’s key, and reports the loss to the old holder', async () => {
    const mine = registry();
    const old = await mine.obtain('k').acquire();
    const oldLoss = lossOf(old);
    await redis.del('zabkit:lock:k'); // the key expired behind the holder's back
    const theirs = registry({ client: otherClient() });
    const current = await theirs.obtain('k').acquire({ timeoutMs: 0 });
    const theirToken = await redis.get('zabkit:lock:k');

    const refused = await old.release().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockLostError);
    expect(refused).toMatchObject({ key: 'k', reason: 'taken' });
    expect(await redis.get('zabkit:lock:k')).toBe(theirToken);
    expect(current.isHeld).toBe(true);
    expect(oldLoss.error).toBe(refused);
    expect(old.lostSignal.reason).toBe(refused);
    await expect(old.release()).rejects.toBe(refused); // and keeps saying so
  });

  it('the compare-and-delete script refuses a wrong token', async () => {
    await registry().obtain('k').acquire();
    const raw = redis as unknown as Record<string, (...args: string[]) => Promise<number>>;
    expect(await raw[RELEASE_SCRIPT]!('zabkit:lock:k', 'not-the-token')).toBe(0);
    expect(await redis.exists('zabkit:lock:k')).toBe(1);
  });
});

describe('the watchdog', () => {
  it('renews the key every renewEveryMs, so the lock outlives many TTLs', async () => {
    const held = await registry().obtain('k').acquire();
    const loss = lossOf(held);
    for (let i = 0; i < 10; i++) {
      await redis.pexpire('zabkit:lock:k', 200); // as if the TTL had nearly run out
      await clock.advance(RENEW);
      expect(await redis.pttl('zabkit:lock:k')).toBeGreaterThan(TTL - 1000);
    }
    expect(faults.calls(RENEW_SCRIPT)).toBe(10);
    expect(held.isHeld).toBe(true);
    expect(loss.completed).toBe(false);
  });

  it('stops renewing after release', async () => {
    const held = await registry().obtain('k').acquire();
    await held.release();
    await clock.advance(10 * RENEW);
    expect(faults.calls(RENEW_SCRIPT)).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('reports `expired` when the key is deleted behind its back', async () => {
    const lock = registry().obtain('k');
    const held = await lock.acquire();
    const loss = lossOf(held);
    await redis.del('zabkit:lock:k');
    await clock.advance(RENEW);
    expect(loss.error).toBeInstanceOf(LockLostError);
    expect(loss.error).toMatchObject({ key: 'k', reason: 'expired' });
    expect(loss.completed).toBe(true);
    expect(held.isHeld).toBe(false);
    expect(lock.isHeld).toBe(false);
    expect(held.lostSignal.aborted).toBe(true);
    expect(held.lostSignal.reason).toBe(loss.error);
    await expect(held.release()).rejects.toBe(loss.error);
    // lost$ replays the loss to a late subscriber
    expect(lossOf(held).error).toBe(loss.error);
    // the contender can go again
    await expect(lock.acquire({ timeoutMs: 0 })).resolves.toMatchObject({ isHeld: true });
  });

  it('reports `expired` when the key expires in Redis', async () => {
    const held = await registry().obtain('k').acquire();
    const loss = lossOf(held);
    await redis.pexpire('zabkit:lock:k', 1);
    await new Promise((resolve) => setTimeout(resolve, 20)); // ioredis-mock expires on real time
    await clock.advance(RENEW);
    expect(loss.error?.reason).toBe('expired');
  });

  it('reports `taken` when another holder owns the key at renewal', async () => {
    const held = await registry().obtain('k').acquire();
    const loss = lossOf(held);
    await redis.del('zabkit:lock:k');
    const other = await registry({ client: otherClient() }).obtain('k').acquire({ timeoutMs: 0 });
    await clock.advance(RENEW);
    expect(loss.error?.reason).toBe('taken');
    expect(other.isHeld).toBe(true);
  });

  it('reports `unconfirmed` when renewals go unanswered until the lease runs out, then deletes its key', async () => {
    const held = await registry().obtain('k').acquire();
    const loss = lossOf(held);
    faults.hang(RENEW_SCRIPT);
    await clock.advance(leaseValidityMs(TTL) - 1);
    expect(held.isHeld).toBe(true);
    expect(faults.calls(RENEW_SCRIPT)).toBe(1); // one renewal in flight at a time
    await clock.advance(1);
    expect(loss.error?.reason).toBe('unconfirmed');
    expect(loss.error?.cause).toBeUndefined();
    expect(held.isHeld).toBe(false);
    await settle();
    expect(await redis.exists('zabkit:lock:k')).toBe(0); // best-effort compare-and-delete
  });

  it('reports `unconfirmed` with the last error when every renewal fails', async () => {
    const held = await registry().obtain('k').acquire();
    const loss = lossOf(held);
    const down = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    faults.fail(RENEW_SCRIPT, down);
    await clock.advance(2 * RENEW);
    expect(held.isHeld).toBe(true); // still within the lease: failures are retried
    expect(faults.calls(RENEW_SCRIPT)).toBe(2);
    await clock.advance(leaseValidityMs(TTL) - 2 * RENEW);
    expect(loss.error?.reason).toBe('unconfirmed');
    expect(loss.error?.cause).toBe(down);
  });

  it('a failed renewal followed by a successful one keeps the lock', async () => {
    const held = await registry().obtain('k').acquire();
    faults.fail(RENEW_SCRIPT);
    await clock.advance(RENEW);
    faults.heal();
    await clock.advance(RENEW);
    await clock.advance(5 * TTL);
    expect(held.isHeld).toBe(true);
  });
});

describe('kinds, options and close', () => {
  it('offers mutex and semaphore, and refuses read / write with UnsupportedLockKindError', () => {
    const locks = registry();
    expect([...locks.kinds]).toEqual(['mutex', 'semaphore']);
    for (const kind of ['read', 'write'] as const) {
      expect(() => locks.obtain('k', { kind })).toThrow(UnsupportedLockKindError);
    }
    expect(() => locks.obtain('k', { kind: 'write' })).toThrow(/redis lock registry does not provide 'write'/);
  });

  it('refuses bad keys, bad timeouts and bad options', async () => {
    const locks = registry();
    expect(() => locks.obtain('')).toThrow(TypeError);
    await expect(locks.obtain('k').acquire({ timeoutMs: -1 })).rejects.toThrow(RangeError);
    await expect(locks.obtain('k').acquire({ timeoutMs: Number.NaN })).rejects.toThrow(RangeError);
    expect(() => registry({ ttlMs: 0 })).toThrow(RangeError);
    expect(() => registry({ ttlMs: 1.5 })).toThrow(RangeError);
    expect(() => registry({ ttlMs: 1000, renewEveryMs: 1000 })).toThrow(/below ttlMs/);
    expect(() => registry({ pollMinMs: 100, pollMaxMs: 50 })).toThrow(RangeError);
    expect(() => locks.obtain('k', { kind: 'semaphore' })).toThrow(/needs permits/);
    expect(() => locks.obtain('k', { kind: 'semaphore', permits: 0 })).toThrow(RangeError);
    expect(() => locks.obtain('k', { kind: 'semaphore', permits: 1.5 })).toThrow(RangeError);
  });

  it('close() releases what is held, rejects waiters and refuses new contenders', async () => {
    const locks = registry();
    const held = await locks.obtain('a').acquire();
    await registry({ client: otherClient() }).obtain('b').acquire();
    const waiter = track(locks.obtain('b').acquire());
    await clock.advance(100);
    await locks.close();
    await settle();
    expect(held.isHeld).toBe(false);
    expect(await redis.exists('zabkit:lock:a')).toBe(0);
    expect(waiter.error).toBeInstanceOf(LockRegistryClosedError);
    expect(() => locks.obtain('c')).toThrow(LockRegistryClosedError);
  });
});

// Integration tests of the Redis LockRegistry against a REAL redis-server (Debian's, started
// here on a free loopback port without persistence): mutual exclusion between registries on
// separate connections, the Lua scripts and watchdog on the real server, and what a holder
// learns when its key is deleted, Redis is put to sleep, restarted empty or killed, or the
// holder's own process is paused past the TTL.
import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import { firstValueFrom, timeout } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LockError, LockLostError, LockTimeoutError, RedisLockRegistry, type HeldLock, type RedisLockRegistryOptions } from '../../../app/index.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

const clients: Redis[] = [];
const registries: RedisLockRegistry[] = [];
let keyCount = 0;

function uniqueKey(label: string): string {
  return `${label}-${process.pid}-${++keyCount}`;
}

function connect(server: RedisServer, options: RedisOptions = {}): Redis {
  const client = new Redis(server.url, options);
  client.on('error', () => undefined); // connection errors surface through the commands
  clients.push(client);
  return client;
}

function registry(on: RedisServer | Redis, options: Partial<RedisLockRegistryOptions> = {}): RedisLockRegistry {
  const client = on instanceof Redis ? on : connect(on);
  const made = new RedisLockRegistry({ client, ...options });
  registries.push(made);
  return made;
}

/** The loss lost$ reports, waiting at most `ms` (generous: the machine is slow and shared). */
function loss(held: HeldLock, ms = 20_000): Promise<LockLostError> {
  return firstValueFrom(held.lost$.pipe(timeout({ first: ms })));
}

async function ready(client: Redis): Promise<void> {
  if (client.status !== 'ready') await once(client, 'ready');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.allSettled(registries.splice(0).map((r) => r.close()));
  for (const client of clients.splice(0)) client.disconnect();
});

describe('on a running redis-server', () => {
  let server: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('registries on separate connections never hold the key together', async () => {
    admin = connect(server);
    const key = uniqueKey('mutex');
    const counterKey = `${key}:counter`;
    const locks = Array.from({ length: 4 }, () => registry(server, { ttlMs: 5_000, pollMaxMs: 40 }));
    let holders = 0;
    let maxHolders = 0;
    let sections = 0;
    const worker = async (locks: RedisLockRegistry, witness: Redis): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        const held = await locks.obtain(key).acquire({ timeoutMs: 120_000 });
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        sections++;
        // A read-modify-write with a pause in the middle: without exclusion, updates get lost.
        const value = Number((await witness.get(counterKey)) ?? '0');
        await sleep(1 + (i % 3));
        await witness.set(counterKey, String(value + 1));
        holders--;
        await held.release();
      }
    };
    // Two workers per registry: contenders sharing a connection exclude each other too.
    await Promise.all(locks.flatMap((l) => [worker(l, connect(server)), worker(l, connect(server))]));
    expect(maxHolders).toBe(1);
    expect(sections).toBe(80);
    expect(await admin.get(counterKey)).toBe('80');
    expect(await admin.exists(`zabkit:lock:${key}`)).toBe(0);
  });

  it('a semaphore of 3 permits admits three holders on separate connections, and never a fourth', async () => {
    const key = uniqueKey('pool');
    const locks = Array.from({ length: 3 }, () => registry(server, { ttlMs: 5_000, pollMaxMs: 40 }));
    const permit = (i: number) => locks[i % 3]!.obtain(key, { kind: 'semaphore', permits: 3 });
    const three = [await permit(0).acquire({ timeoutMs: 0 }), await permit(1).acquire({ timeoutMs: 0 }), await permit(2).acquire({ timeoutMs: 0 })];
    const fourth = permit(0);
    await expect(fourth.acquire({ timeoutMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    await three[1]!.release();
    const admitted = await fourth.acquire({ timeoutMs: 10_000 });
    await Promise.all([admitted, three[0]!, three[2]!].map((held) => held.release()));

    let holders = 0;
    let maxHolders = 0;
    let sections = 0;
    const worker = async (i: number): Promise<void> => {
      for (let n = 0; n < 5; n++) {
        const held = await permit(i).acquire({ timeoutMs: 120_000 });
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        sections++;
        await sleep(2 + (n % 3));
        holders--;
        await held.release();
      }
    };
    await Promise.all(Array.from({ length: 9 }, (_, i) => worker(i)));
    expect(sections).toBe(45);
    expect(maxHolders).toBeGreaterThanOrEqual(1);
    expect(maxHolders).toBeLessThanOrEqual(3);
    expect(await connect(server).zcard(`zabkit:lock:semaphore:${key}`)).toBe(0);
  });

  it('the watchdog keeps the key alive for several TTLs on the real server, and release deletes it', async () => {
    admin = connect(server);
    const key = uniqueKey('renew');
    const held = await registry(server, { ttlMs: 1_500, renewEveryMs: 300 }).obtain(key).acquire();
    const token = await admin.get(`zabkit:lock:${key}`);
    expect(token).not.toBeNull();
    await sleep(4_500); // three TTLs
    expect(held.isHeld).toBe(true);
    expect(await admin.get(`zabkit:lock:${key}`)).toBe(token);
    const pttl = await admin.pttl(`zabkit:lock:${key}`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1_500);
    await held.release();
    expect(await admin.exists(`zabkit:lock:${key}`)).toBe(0);
  });

  it('a stale holder cannot delete the next holder’s key', async () => {
    admin = connect(server);
    const key = uniqueKey('stale');
    const stale = await registry(server, { ttlMs: 60_000 }).obtain(key).acquire();
    await admin.del(`zabkit:lock:${key}`); // as if its TTL had run out during a pause
    const next = await registry(server).obtain(key).acquire({ timeoutMs: 0 });
    const nextToken = await admin.get(`zabkit:lock:${key}`);
    const refused = await stale.release().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockLostError);
    expect((refused as LockLostError).reason).toBe('taken');
    expect(await admin.get(`zabkit:lock:${key}`)).toBe(nextToken);
    expect(next.isHeld).toBe(true);
  });

  it('lost$ fires `expired` when another client DELs the key', async () => {
    admin = connect(server);
    const key = uniqueKey('del');
    const held = await registry(server, { ttlMs: 3_000, renewEveryMs: 300 }).obtain(key).acquire();
    const lost = loss(held);
    await admin.del(`zabkit:lock:${key}`);
    const error = await lost;
    expect(error.reason).toBe('expired');
    expect(held.isHeld).toBe(false);
    expect(held.lostSignal.reason).toBe(error);
    await expect(held.release()).rejects.toBe(error);
  });

  it('lost$ fires when Redis sleeps (DEBUG SLEEP) past the TTL, and the key is free afterwards', async () => {
    admin = connect(server);
    const key = uniqueKey('sleep');
    const held = await registry(server, { ttlMs: 1_000, renewEveryMs: 200 }).obtain(key).acquire();
    const lost = loss(held);
    const napping = connect(server).call('DEBUG', 'SLEEP', '3');
    const error = await lost;
    // Normally the lease runs out while Redis sleeps (`unconfirmed`); a holder stalled past
    // the nap would instead hear from the woken Redis that the key is gone (`expired`).
    expect(['unconfirmed', 'expired']).toContain(error.reason);
    expect(held.isHeld).toBe(false);
    await napping;
    const next = await registry(server).obtain(key).acquire({ timeoutMs: 10_000 });
    expect(next.isHeld).toBe(true);
  });

  it('a holder paused past the TTL still believes it holds the lock until its timers run (Kleppmann)', async () => {
    admin = connect(server);
    const key = uniqueKey('pause');
    const held = await registry(server, { ttlMs: 1_000, renewEveryMs: 200 }).obtain(key).acquire();
    const lost = loss(held);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_500); // a GC pause, a stopped VM...
    // The hazard itself: the key has expired in Redis, but nothing here has run to notice.
    expect(held.isHeld).toBe(true);
    expect(await admin.exists(`zabkit:lock:${key}`)).toBe(0);
    // As soon as timers run, the overdue lease is declared lost.
    expect((await lost).reason).toBe('unconfirmed');
    expect(held.isHeld).toBe(false);
  });
});

describe('when redis-server goes away', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a restart without persistence loses every lock: lost$ fires `expired` after the reconnect', async () => {
    const key = uniqueKey('restart');
    const locks = registry(server, { ttlMs: 10_000, renewEveryMs: 300 });
    const held = await locks.obtain(key).acquire();
    const lost = loss(held);
    await server.restart();
    const error = await lost;
    expect(error.reason).toBe('expired');
    expect(held.isHeld).toBe(false);
    // The same registry works on the restarted server.
    const again = await locks.obtain(key).acquire({ timeoutMs: 10_000 });
    expect(again.isHeld).toBe(true);
  });

  it('killed while held: lost$ fires `unconfirmed` when the lease runs out; acquires fail with the client error', async () => {
    const key = uniqueKey('kill');
    const held = await registry(server, { ttlMs: 2_000, renewEveryMs: 300 }).obtain(key).acquire();
    const contenderClient = connect(server, { maxRetriesPerRequest: 1 });
    const contenderRegistry = registry(contenderClient);
    await ready(contenderClient);
    const lost = loss(held);
    await server.kill();

    const error = await lost;
    expect(error.reason).toBe('unconfirmed');
    expect(held.isHeld).toBe(false);
    await expect(held.release()).rejects.toBe(error);

    // With Redis down, acquire() fails with what the client reports: not a timeout, not a lock.
    const contender = contenderRegistry.obtain(key);
    const refused = await contender.acquire({ timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(LockError);
    expect(contender.isHeld).toBe(false);

    // Back up (empty): the contender gets the lock once its client has reconnected.
    await server.restart();
    await ready(contenderClient);
    const acquired = await contender.acquire({ timeoutMs: 10_000 });
    expect(acquired.isHeld).toBe(true);
  });
});

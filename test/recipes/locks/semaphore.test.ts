// InterProcessSemaphoreV2 and InterProcessSemaphoreMutex on zabkit's server and Apache ZooKeeper
// 3.8: Curator's locks/ + leases/ layout, at most maxLeases holders over many rounds, a waiter
// holding the internal lock and one extra lease node, all-or-nothing acquireMany, timeouts that
// leave no node behind, maxLeases from a shared count node (raised at run time), and the
// semaphore mutex's refusal to re-enter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../../framework/index.js';
import {
  InterProcessSemaphoreMutex, InterProcessSemaphoreV2, LockNotReentrantError, LockTimeoutError, SharedCount, bytesToCount,
  countToBytes,
} from '../../../recipes/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { childrenOf, Holders, sleep, track, useFrameworks, waitChildren } from './support.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe.each([ZABKIT, APACHE_STANDALONE])('InterProcessSemaphoreV2 on $name', (spec) => {
  let backend: Backend;
  let zk: ZooKeeperClient;
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    zk = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await zk?.close();
    await backend?.stop();
  });

  it("two leases among three sessions: Curator's layout, and a waiter holds the internal lock plus one lease node", async () => {
    const path = uniquePath('sem-layout');
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => open(backend.connectString, { defaultData: 'me' })));
    const la = await new InterProcessSemaphoreV2(a!, path, 2).acquire();
    const lb = await new InterProcessSemaphoreV2(b!, path, 2).acquire();
    expect(la.nodeName).toMatch(new RegExp(`^_c_${UUID}-lease-0000000000$`));
    expect(lb.nodeName).toMatch(/-lease-0000000001$/);
    expect(la.nodePath).toBe(`${path}/leases/${la.nodeName}`);
    expect(String(await la.getData())).toBe('me');
    expect(la.fencingToken).toBe((await zk.exists(la.nodePath))?.czxid);
    await expect(new InterProcessSemaphoreV2(c!, path, 2).acquire({ timeoutMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await childrenOf(zk, `${path}/leases`)).toHaveLength(2);
    expect(await childrenOf(zk, `${path}/locks`)).toEqual([]);

    const waiter = track(new InterProcessSemaphoreV2(c!, path, 2).acquire());
    await waitChildren(zk, `${path}/leases`, 3);
    await waitChildren(zk, `${path}/locks`, 1);
    const [lockNode] = await childrenOf(zk, `${path}/locks`);
    expect(lockNode).toMatch(new RegExp(`^_c_${UUID}-lock-\\d{10}$`));
    expect(waiter.settled()).toBe(false);
    await la.release();
    const lc = await waiter.promise;
    expect(await childrenOf(zk, `${path}/locks`)).toEqual([]);
    expect(lc.fencingToken).toBeGreaterThan(lb.fencingToken);
    expect((await new InterProcessSemaphoreV2(a!, path, 2).participantNodes()).sort()).toEqual([lb.nodeName, lc.nodeName].sort());
    await lb.release();
    await lc.release();
    expect(await childrenOf(zk, `${path}/leases`)).toEqual([]);
  });

  it('never more than maxLeases holders over many rounds', async () => {
    const path = uniquePath('sem-rounds');
    const frameworks = await Promise.all([0, 1, 2, 3].map(() => open(backend.connectString)));
    const holders = new Holders();
    await Promise.all(
      frameworks.map(async (fw) => {
        const semaphore = new InterProcessSemaphoreV2(fw, path, 2);
        for (let round = 0; round < 5; round++) {
          const lease = await semaphore.acquire();
          holders.enter();
          await zk.sync(path);
          holders.leave();
          await lease.release();
        }
      }),
    );
    expect(holders.entries).toBe(20);
    expect(holders.maxSeen).toBeLessThanOrEqual(2);
  });

  it('acquireMany is all or nothing: on timeout the leases taken are returned; abort likewise', async () => {
    const path = uniquePath('sem-many');
    const [a, b] = await Promise.all([0, 1].map(() => open(backend.connectString)));
    const semA = new InterProcessSemaphoreV2(a!, path, 3);
    const held = await semA.acquireMany(2);
    expect(held).toHaveLength(2);
    const semB = new InterProcessSemaphoreV2(b!, path, 3);
    await expect(semB.acquireMany(2, { timeoutMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await childrenOf(zk, `${path}/leases`)).toHaveLength(2);
    const controller = new AbortController();
    const pending = semB.acquireMany(2, { signal: controller.signal });
    await waitChildren(zk, `${path}/leases`, 4);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await waitChildren(zk, `${path}/leases`, 2);
    expect(await childrenOf(zk, `${path}/locks`)).toEqual([]);
    await semA.returnAll(held);
    const three = await semB.acquireMany(3, { timeoutMs: 5000 });
    expect(three).toHaveLength(3);
    await semB.returnAll(three);
    await expect(semB.acquireMany(0)).rejects.toBeInstanceOf(RangeError);
    expect(() => new InterProcessSemaphoreV2(b!, path, 0)).toThrow(RangeError);
  });

  it("maxLeases from the counters recipe's SharedCount (Curator's count node): raising the count admits a waiter", async () => {
    const path = uniquePath('sem-count');
    const countPath = `${path}-count`;
    const [a, b] = await Promise.all([0, 1].map(() => open(backend.connectString)));
    const countA = new SharedCount(a!, countPath, 1);
    const countB = new SharedCount(b!, countPath, 99); // exists by then: this seed is not used
    await countA.start();
    await countB.start();
    try {
      expect(bytesToCount(countPath, (await zk.getData(countPath)).data!)).toBe(1);
      const semA = new InterProcessSemaphoreV2(a!, path, countA);
      const semB = new InterProcessSemaphoreV2(b!, path, countB);
      expect(semB.maxLeases).toBe(1);
      const first = await semA.acquire();
      const waiter = track(semB.acquire());
      await waitChildren(zk, `${path}/leases`, 2);
      await sleep(200);
      expect(waiter.settled()).toBe(false);
      await zk.setData(countPath, countToBytes(2)); // any writer, e.g. a Java service's SharedCount
      const second = await waiter.promise;
      expect(semB.maxLeases).toBe(2);
      await eventually(() => countA.count === 2, 10_000, 'count seen by a');
      await first.release();
      await second.release();
    } finally {
      await countA.close();
      await countB.close();
    }
  });

  it('InterProcessSemaphoreMutex: one holder, not re-entrant (refused inside its scope), same layout as the semaphore', async () => {
    const path = uniquePath('sem-mutex');
    const [a, b] = await Promise.all([0, 1].map(() => open(backend.connectString)));
    const mutex = new InterProcessSemaphoreMutex(a!, path);
    let other;
    await mutex.withLock(async (lease) => {
      expect(lease.nodePath).toMatch(new RegExp(`^${path}/leases/_c_${UUID}-lease-\\d{10}$`));
      await expect(mutex.acquire()).rejects.toBeInstanceOf(LockNotReentrantError);
      other = track(new InterProcessSemaphoreMutex(b!, path).acquire());
      await waitChildren(zk, `${path}/leases`, 2);
      expect(other.settled()).toBe(false);
      expect(mutex.isAcquiredInThisProcess()).toBe(true);
    });
    expect(mutex.isAcquiredInThisProcess()).toBe(false);
    const otherLease = await other!.promise;
    // Outside any scope the same object is a new owner and waits like any other.
    await expect(mutex.acquire({ timeoutMs: 200 })).rejects.toBeInstanceOf(LockTimeoutError);
    await otherLease.release();
    await (await mutex.acquire({ timeoutMs: 5000 })).release();
    expect(await childrenOf(zk, `${path}/leases`)).toEqual([]);
  });
});

// The shared contender algorithm: sorting and the standard driver (pure), the stop and wake-up
// primitives, and LockInternals against zabkit's server and Apache ZooKeeper 3.8 — maxLeases > 1
// watching the node maxLeases ahead, a NoNode on the watched node meaning "check again at once",
// setMaxLeases waking waiters, node data, and a waiter whose session is killed starting over
// with a new node on its new session instead of waiting forever; an attempt given up leaves its
// node deleted, or listed in the framework's pending guaranteed deletes — never in limbo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoNodeError, ZooKeeperClient, type ZooKeeperFramework } from '../../../framework/index.js';
import { killSession } from '../../../framework/testing/index.js';
import {
  AttemptStop, LockInternals, childName, StandardLockInternalsDriver, Wakeup, sequenceOf, sortChildren, standardFixForSorting,
  type PredicateResults,
} from '../../../recipes/internal/index.js';
import { LockTimeoutError } from '../../../recipes/errors.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';
import { childrenOf, expectDataWatches, nextConnectionState, sleep, track, useFrameworks, waitChildren } from '../locks/support.js';

const U1 = '_c_11111111-1111-4111-8111-111111111111-';
const U2 = '_c_22222222-2222-4222-8222-222222222222-';
const U3 = '_c_00000000-0000-4000-8000-000000000000-';

describe('sorting and the standard driver', () => {
  it('sorts by the part after the lock name, ignoring protection prefixes; stable on ties', () => {
    expect(standardFixForSorting(`${U1}lock-0000000007`, 'lock-')).toBe('0000000007');
    expect(standardFixForSorting('other', 'lock-')).toBe('other');
    const children = [`${U3}lock-0000000002`, `${U1}lock-0000000000`, `${U2}lock-0000000001`];
    expect(sortChildren(children, 'lock-', new StandardLockInternalsDriver())).toEqual([children[1], children[2], children[0]]);
    const tie = [`${U2}x-0000000001`, `${U1}x-0000000001`];
    expect(sortChildren(tie, 'x-', new StandardLockInternalsDriver())).toEqual(tie);
    expect(sequenceOf(`${U1}lock-0000000042`)).toBe(42);
    expect(sequenceOf('no-sequence')).toBeUndefined();
  });

  it('holds within maxLeases of the front, else watches the node maxLeases ahead; missing node is NoNode', () => {
    const driver = new StandardLockInternalsDriver();
    const sorted = ['a-0', 'b-1', 'c-2', 'd-3'];
    expect(driver.getsTheLock(sorted, 'a-0', 1)).toEqual({ getsTheLock: true });
    expect(driver.getsTheLock(sorted, 'c-2', 1)).toEqual({ getsTheLock: false, pathToWatch: 'b-1' });
    expect(driver.getsTheLock(sorted, 'b-1', 2)).toEqual({ getsTheLock: true });
    expect(driver.getsTheLock(sorted, 'd-3', 2)).toEqual({ getsTheLock: false, pathToWatch: 'b-1' });
    expect(() => driver.getsTheLock(sorted, 'e-4', 1)).toThrow(NoNodeError);
  });
});

describe('stop and wake-up primitives', () => {
  it('a timeout only counts once the contender was judged, and never interrupts raceAbort', async () => {
    const stop = new AttemptStop({ timeoutMs: 20 }, (ms) => new LockTimeoutError('/p', ms));
    await sleep(60);
    expect(stop.stopped).toBe(false); // not judged yet: the first check always completes
    const confirming = stop.raceAbort(sleep(30).then(() => 'confirmed'));
    stop.markJudged();
    expect(stop.stopped).toBe(true);
    expect(stop.aborted).toBe(false);
    expect(stop.reason).toBeInstanceOf(LockTimeoutError);
    await expect(stop.race(new Promise(() => undefined))).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await confirming).toBe('confirmed');
    expect(stop.signal.aborted).toBe(true);
    stop.dispose();
  });

  it('abort wins at once, with the signal reason, also for pending races and the derived signal', async () => {
    const controller = new AbortController();
    const stop = new AttemptStop({ signal: controller.signal }, () => new Error('timeout'));
    const derived = stop.signal;
    const pending = stop.race(new Promise(() => undefined));
    const pendingAbort = stop.raceAbort(new Promise(() => undefined));
    const reason = new Error('go away');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(pendingAbort).rejects.toBe(reason);
    expect(derived.reason).toBe(reason);
    expect(stop.remainingMs()).toBeUndefined();
    expect(() => new AttemptStop({ timeoutMs: Number.NaN }, () => undefined)).toThrow(RangeError);
    stop.dispose();
  });

  it('a ring before the wait is not lost; reset forgets it', async () => {
    const wake = new Wakeup();
    wake.ring();
    await wake.wait();
    wake.ring();
    wake.reset();
    const waiting = track(wake.wait());
    await sleep(10);
    expect(waiting.settled()).toBe(false);
    wake.ring();
    await waiting.promise;
  });
});

describe.each([ZABKIT, APACHE_STANDALONE])('LockInternals on $name', (spec) => {
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
  const port = (): number => backend.servers[0]!.port;
  const internals = (fw: ZooKeeperFramework, basePath: string, maxLeases = 1): LockInternals =>
    new LockInternals(fw, { basePath, lockName: 'lease-', maxLeases });

  it('maxLeases 2: two hold, the third watches the node two ahead; setMaxLeases(3) admits it at once', async () => {
    const path = uniquePath('internals-leases');
    const fws = await Promise.all([0, 1, 2].map(() => open(backend.connectString)));
    const [h0, h1] = await Promise.all([internals(fws[0]!, path, 2).attemptLock(), internals(fws[1]!, path, 2).attemptLock()]);
    const third = internals(fws[2]!, path, 2);
    const waiting = track(third.attemptLock());
    await waitChildren(zk, path, 3);
    const nodes = await third.participantNodes();
    await expectDataWatches(port(), path, new Map([[nodes[0]!, [fws[2]!.client.sessionId]]]));
    expect(waiting.settled()).toBe(false);
    third.setMaxLeases(3);
    const h2 = await waiting.promise;
    expect(h2.path).toBe(nodes[2]);
    expect(() => third.setMaxLeases(0)).toThrow(RangeError);
    await Promise.all([h0!.release(), h1!.release(), h2.release()]);
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('a NoNode on the watched node means "check again at once", not a wait for an event that never comes', async () => {
    const path = uniquePath('internals-nonode');
    const fw = await open(backend.connectString);
    let checks = 0;
    class FirstWatchesAGhost extends StandardLockInternalsDriver {
      override getsTheLock(children: readonly string[], name: string, maxLeases: number): PredicateResults {
        checks++;
        if (checks === 1) return { getsTheLock: false, pathToWatch: 'ghost-0000000000' };
        return super.getsTheLock(children, name, maxLeases);
      }
    }
    const held = await new LockInternals(fw, { basePath: path, lockName: 'lock-', driver: new FirstWatchesAGhost() }).attemptLock({ timeoutMs: 10_000 });
    expect(checks).toBe(2);
    await held.release();
  });

  it('node data: given data, the framework default, or empty when revocable', async () => {
    const path = uniquePath('internals-data');
    const fw = await open(backend.connectString, { defaultData: 'default' });
    const plain = internals(fw, path);
    const a = await plain.attemptLock({ nodeData: Buffer.from('given') });
    expect(String((await zk.getData(a.path)).data)).toBe('given');
    await a.release();
    const b = await plain.attemptLock();
    expect(String((await zk.getData(b.path)).data)).toBe('default');
    await b.release();
    const revocable = internals(fw, path);
    revocable.makeRevocable();
    const c = await revocable.attemptLock({ nodeData: Buffer.from('ignored') });
    expect((await zk.getData(c.path)).data?.length ?? 0).toBe(0);
    expect(c.isRevocable).toBe(true);
    await c.release();
  });

  it('aborted while its create is in flight: the node is deleted before the attempt settles', async () => {
    const path = uniquePath('internals-abort-create');
    const fw = await open(backend.connectString);
    await fw.create(path); // the parent exists: the create is one request
    const controller = new AbortController();
    const attempt = internals(fw, path).attemptLock({ signal: controller.signal });
    const reason = new Error('changed my mind');
    controller.abort(reason); // the create was sent, its reply has not come yet
    await expect(attempt).rejects.toBe(reason);
    expect(fw.pendingGuaranteedDeletes).toEqual([]);
    expect(await childrenOf(fw.client, path)).toEqual([]); // same session: read after the create and its delete
  });

  it('given up while disconnected: rejects at once, its node listed in the pending guaranteed deletes until deleted', async () => {
    const path = uniquePath('internals-gone');
    const holderFw = await open(backend.connectString);
    const proxy = await startTcpProxy({ port: port() });
    try {
      const waiterFw = await open(proxy.connectString, { sessionTimeoutMs: 30_000 });
      const held = await internals(holderFw, path).attemptLock();
      const controller = new AbortController();
      const waiting = track(internals(waiterFw, path).attemptLock({ signal: controller.signal }));
      await waitChildren(zk, path, 2);
      const [holderNode, waiterNode] = await internals(holderFw, path).participantNodes();
      expect(holderNode).toBe(held.path);
      proxy.refuse(true);
      proxy.dropConnections();
      await nextConnectionState(waiterFw, 'SUSPENDED', 10_000, true);
      const reason = new Error('giving up');
      controller.abort(reason);
      await expect(waiting.promise).rejects.toBe(reason); // at once, though the server is out of reach
      expect(waiterFw.pendingGuaranteedDeletes).toEqual([waiterNode]);
      expect(await zk.exists(waiterNode!)).not.toBeNull(); // (still there: nothing can reach the server)
      proxy.refuse(false);
      await eventually(() => waiterFw.pendingGuaranteedDeletes.length === 0, 20_000, 'the guaranteed delete done');
      expect(await childrenOf(zk, path)).toEqual([childName(held.path)]);
      await held.release();
    } finally {
      await proxy.close();
    }
  });

  it('a waiter whose session is killed starts over on its new session and still gets the lock', async () => {
    const path = uniquePath('internals-restart');
    const holderFw = await open(backend.connectString);
    const waiterFw = await open(backend.connectString);
    const held = await internals(holderFw, path).attemptLock();
    const waiting = track(internals(waiterFw, path).attemptLock());
    await waitChildren(zk, path, 2);
    const [, firstNode] = await internals(holderFw, path).participantNodes();
    const oldSession = waiterFw.client.sessionId;
    await killSession(waiterFw.client, backend.connectString);
    await nextConnectionState(waiterFw, 'RECONNECTED', 30_000, true);
    await waitChildren(zk, path, 2); // the old node went with the session; a new one took its place
    const [, secondNode] = await internals(holderFw, path).participantNodes();
    expect(secondNode).not.toBe(firstNode);
    expect(waiting.settled()).toBe(false);
    await held.release();
    const granted = await waiting.promise;
    expect(granted.path).toBe(secondNode);
    expect(granted.sessionId).not.toBe(oldSession);
    expect(granted.sessionId).toBe(waiterFw.client.sessionId);
    await granted.release();
  });
});

// InterProcessMutex on zabkit's server and Apache ZooKeeper 3.8: Curator's node layout, mutual
// exclusion and FIFO order across sessions, predecessor-only watches, fencing tokens that grow
// even after the container parent is reaped, re-entrancy per async context, timeout / abort /
// close leaving no node and no watch behind, and cooperative revocation.
import { AsyncResource } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientClosedError, ZooKeeperClient, ZooKeeperFramework } from '../../../framework/index.js';
import { InterProcessMutex, LockTimeoutError, Revoker, type MutexLease } from '../../../recipes/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../../client/support/clients.js';
import { childrenOf, expectDataWatches, FAST_FRAMEWORK, Holders, sleep, statOf, track, useFrameworks, waitChildren } from './support.js';

const PROTECTED_LOCK = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-lock-\d{10}$/;

describe.each([ZABKIT, APACHE_STANDALONE])('InterProcessMutex on $name', (spec) => {
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

  it("creates Curator's layout: a protected ephemeral-sequential lock- node with the default data, in a container parent", async () => {
    const fw = await open(backend.connectString, { defaultData: 'host-a' });
    const path = `${uniquePath('mutex-layout')}/lock`;
    const mutex = new InterProcessMutex(fw, path);
    const lease = await mutex.acquire();
    const [name] = await childrenOf(zk, path);
    expect(name).toMatch(PROTECTED_LOCK);
    expect(lease.nodePath).toBe(`${path}/${name}`);
    expect(lease.lockPath).toBe(path);
    const node = await zk.getData(lease.nodePath);
    expect(node.data?.toString()).toBe('host-a');
    expect(node.stat.ephemeralOwner).toBe(fw.client.sessionId);
    expect(lease.fencingToken).toBe(node.stat.czxid);
    expect(lease.sequence).toBe(0);
    expect((await statOf(zk, path)).ephemeralOwner).toBe(0n);
    expect(await mutex.participantNodes()).toEqual([lease.nodePath]);
    expect(lease.isHeld).toBe(true);
    await lease.release();
    expect(lease.isHeld).toBe(false);
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('works under a namespace: nodes live below it, paths given and returned stay namespace-free', async () => {
    const ns = uniquePath('ns').slice(1);
    const [a, b] = await Promise.all([0, 1].map(() => open(backend.connectString, { namespace: ns })));
    const held = await new InterProcessMutex(a!, '/jobs/lock').acquire();
    expect(held.nodePath.startsWith('/jobs/lock/_c_')).toBe(true);
    expect((await zk.exists(`/${ns}${held.nodePath}`))?.czxid).toBe(held.fencingToken);
    const waiting = track(new InterProcessMutex(b!, '/jobs/lock').acquire());
    await waitChildren(zk, `/${ns}/jobs/lock`, 2);
    await held.release();
    const next = await waiting.promise;
    expect(next.isHeld).toBe(true);
    await next.release();
    expect(await childrenOf(zk, `/${ns}/jobs/lock`)).toEqual([]);
  });

  it('three sessions over many rounds: never two holders, a lost-update-free counter, grants in token order', async () => {
    const path = uniquePath('mutex-rounds');
    const counter = uniquePath('mutex-counter');
    await zk.create(counter, '0');
    const frameworks = await Promise.all([0, 1, 2].map(() => open(backend.connectString)));
    const holders = new Holders();
    const ROUNDS = 8;
    const grants: bigint[] = [];
    await Promise.all(
      frameworks.map(async (fw) => {
        const mutex = new InterProcessMutex(fw, path);
        for (let round = 0; round < ROUNDS; round++) {
          await mutex.withLock(async (lease) => {
            holders.enter();
            grants.push(lease.fencingToken);
            const { data } = await zk.getData(counter);
            await zk.setData(counter, String(Number(data?.toString()) + 1));
            holders.leave();
          });
        }
      }),
    );
    expect(holders.maxSeen).toBe(1);
    expect(String((await zk.getData(counter)).data)).toBe(String(3 * ROUNDS));
    // Granted in node order: each grant's token (czxid) is larger than every earlier one.
    for (let i = 1; i < grants.length; i++) expect(grants[i]!).toBeGreaterThan(grants[i - 1]!);
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('waiters are served first come, first served, each watching only its predecessor (getData watch)', async () => {
    const path = uniquePath('mutex-fifo');
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => open(backend.connectString)));
    const held = await new InterProcessMutex(a!, path).acquire();
    const second = track(new InterProcessMutex(b!, path).acquire());
    await waitChildren(zk, path, 2);
    const third = track(new InterProcessMutex(c!, path).acquire());
    await waitChildren(zk, path, 3);
    const nodes = await new InterProcessMutex(a!, path).participantNodes();
    await expectDataWatches(port(), path, new Map([
      [nodes[0]!, [b!.client.sessionId]],
      [nodes[1]!, [c!.client.sessionId]],
    ]));
    expect(second.settled() || third.settled()).toBe(false);
    await held.release();
    const secondLease = await second.promise;
    expect(secondLease.nodePath).toBe(nodes[1]);
    expect(third.settled()).toBe(false);
    await secondLease.release();
    const thirdLease = await third.promise;
    expect(thirdLease.nodePath).toBe(nodes[2]);
    await thirdLease.release();
    await expectDataWatches(port(), path, new Map());
  });

  it('fencing tokens (czxid) grow with every holder, also after the container parent was reaped and sequences restarted', async () => {
    const path = `${uniquePath('mutex-fencing')}/lock`;
    const fw = await open(backend.connectString);
    const other = await open(backend.connectString);
    const tokens: bigint[] = [];
    const sequences: Array<number | undefined> = [];
    for (const who of [fw, other, fw]) {
      await new InterProcessMutex(who, path).withLock((lease) => {
        tokens.push(lease.fencingToken);
        sequences.push(lease.sequence);
      });
    }
    // The empty container is reaped (checked every second here), so the sequence counter restarts.
    await eventually(async () => (await zk.exists(path)) === null, 20_000, 'container reaped');
    await new InterProcessMutex(other, path).withLock((lease) => {
      tokens.push(lease.fencingToken);
      sequences.push(lease.sequence);
    });
    expect(sequences.at(-1)).toBe(0); // (the parent may also have been reaped between earlier holders)
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]!).toBeGreaterThan(tokens[i - 1]!);
  });

  it('is re-entrant per async context: withLock / lease.run nest on one node; other contexts wait', async () => {
    const fw = await open(backend.connectString);
    const path = uniquePath('mutex-reentrant');
    const mutex = new InterProcessMutex(fw, path);
    let competitor: ReturnType<typeof track<MutexLease>> | undefined;
    // Work started from outside the scope (here: a function bound to the test's own context).
    const fromOutside = AsyncResource.bind(() => mutex.acquire());
    await mutex.withLock(async (outer) => {
      expect(mutex.isOwnedByCurrentContext()).toBe(true);
      const inner = await mutex.acquire(); // same context: re-entry, no new node
      expect(inner.nodePath).toBe(outer.nodePath);
      expect(inner.holdCount).toBe(2);
      await mutex.withLock(async (third) => {
        expect(third.fencingToken).toBe(outer.fencingToken);
        expect(await childrenOf(zk, path)).toHaveLength(1);
      });
      await inner.release();
      await inner.release(); // idempotent
      expect(outer.holdCount).toBe(1);
      expect(outer.isHeld).toBe(true);
      // A context outside this scope is another owner: it must wait, even on the same object.
      competitor = track(fromOutside());
      await waitChildren(zk, path, 2);
      expect(competitor.settled()).toBe(false);
    });
    expect(mutex.isOwnedByCurrentContext()).toBe(false);
    const theirs = await competitor!.promise;
    expect(theirs.nodePath).not.toBe(undefined);
    expect(mutex.isAcquiredInThisProcess()).toBe(true);
    await theirs.release();
    expect(mutex.isAcquiredInThisProcess()).toBe(false);
    expect(await childrenOf(zk, path)).toEqual([]);
  });

  it('a bare acquire is its own owner; lease.run makes a scope its owner', async () => {
    const fw = await open(backend.connectString);
    const path = uniquePath('mutex-run');
    const mutex = new InterProcessMutex(fw, path);
    const lease = await mutex.acquire();
    expect(mutex.isOwnedByCurrentContext()).toBe(false);
    await expect(mutex.acquire({ timeoutMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
    const again = await lease.run(() => mutex.acquire());
    expect(again.nodePath).toBe(lease.nodePath);
    await again.release();
    await lease.release();
    expect(() => lease.run(() => undefined)).toThrow(/has been released/);
  });

  it('timeout: LockTimeoutError, and neither its node nor its watch stays behind; timeoutMs 0 takes a free lock', async () => {
    const path = uniquePath('mutex-timeout');
    const [a, b] = await Promise.all([0, 1].map(() => open(backend.connectString)));
    expect(await new InterProcessMutex(b!, `${path}-free`).acquire({ timeoutMs: 0 }).then((l) => l.release())).toBeUndefined();
    const held = await new InterProcessMutex(a!, path).acquire();
    const error = await new InterProcessMutex(b!, path).acquire({ timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect((error as LockTimeoutError).timeoutMs).toBe(300);
    expect(await childrenOf(zk, path)).toEqual([held.nodePath.split('/').pop()]);
    await expectDataWatches(port(), path, new Map());
    await expect(new InterProcessMutex(b!, path).acquire({ timeoutMs: 0 })).rejects.toBeInstanceOf(LockTimeoutError);
    await held.release();
    await expect(new InterProcessMutex(b!, path).acquire({ timeoutMs: -1 })).rejects.toBeInstanceOf(RangeError);
  });

  it('abort: rejects with the reason at once, before or while waiting, leaving nothing behind', async () => {
    const path = uniquePath('mutex-abort');
    const [a, b] = await Promise.all([0, 1].map(() => open(backend.connectString)));
    const preAborted = AbortSignal.abort(new Error('never mind'));
    await expect(new InterProcessMutex(b!, path).acquire({ signal: preAborted })).rejects.toThrow('never mind');
    expect(await childrenOf(zk, path)).toEqual([]);

    const held = await new InterProcessMutex(a!, path).acquire();
    const controller = new AbortController();
    const waiting = track(new InterProcessMutex(b!, path).acquire({ signal: controller.signal }));
    await waitChildren(zk, path, 2);
    await expectDataWatches(port(), path, new Map([[held.nodePath, [b!.client.sessionId]]]));
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(waiting.promise).rejects.toBe(reason);
    await waitChildren(zk, path, 1);
    await expectDataWatches(port(), path, new Map());
    await held.release();
  });

  it('closing the framework ends a waiting acquire with ClientClosedError; its node goes with the session', async () => {
    const path = uniquePath('mutex-close');
    const holder = await open(backend.connectString);
    const held = await new InterProcessMutex(holder, path).acquire();
    const closing = ZooKeeperFramework.start({ ...FAST_FRAMEWORK, connectString: backend.connectString });
    const waiting = track(new InterProcessMutex(closing, path).acquire());
    await waitChildren(zk, path, 2);
    await closing.close();
    await expect(waiting.promise).rejects.toBeInstanceOf(ClientClosedError);
    await waitChildren(zk, path, 1);
    await held.release();
    await expect(new InterProcessMutex(closing, path).acquire()).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('revocation: "__REVOKE__" written to the holder node calls its listener; a request made while waiting arrives once it holds', async () => {
    const path = uniquePath('mutex-revoke');
    const [a, b, admin] = await Promise.all([0, 1, 2].map(() => open(backend.connectString, { defaultData: 'not-used' })));
    const revocable = new InterProcessMutex(a!, path);
    const requests: MutexLease[] = [];
    revocable.makeRevocable((lock, lease) => {
      expect(lock).toBe(revocable);
      requests.push(lease as MutexLease);
      void lease.release();
    });
    const lease = await revocable.acquire();
    expect((await zk.getData(lease.nodePath)).data?.length ?? 0).toBe(0); // revocable nodes are created empty, as Curator's
    const waiter = track(new InterProcessMutex(b!, path).acquire());
    await waitChildren(zk, path, 2);
    const [first] = await new InterProcessMutex(admin!, path).participantNodes();
    await Revoker.attemptRevoke(admin!, first!);
    const granted = await waiter.promise;
    expect(requests).toEqual([lease]);
    expect(lease.isHeld).toBe(false);

    // Asked to revoke while still waiting: delivered when it holds.
    const late = track(revocable.acquire());
    await waitChildren(zk, path, 2);
    const nodes = await revocable.participantNodes();
    await Revoker.attemptRevoke(admin!, nodes[1]!);
    await sleep(200);
    expect(requests).toHaveLength(1);
    await granted.release();
    const lateLease = await late.promise;
    await eventually(() => requests.length === 2, 10_000, 'second revocation');
    expect(requests[1]).toBe(lateLease);
    await waitChildren(zk, path, 0);
    await Revoker.attemptRevoke(admin!, `${path}/gone`); // a missing node is fine
  });
});

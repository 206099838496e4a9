// DistributedBarrier and DistributedDoubleBarrier on zabkit's server and Apache ZooKeeper 3.8:
// Curator's layouts (barrier node; ephemeral UUID members + `ready`), waiters released only by
// the real condition (never by a watch that fired for something else), timeouts / aborts /
// close that leave no node and no watch behind, and session loss while waiting.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BadArgumentsError, ClientClosedError, CreateMode, KeeperState, Op, WatcherType, ZooKeeperClient, type ZooKeeperFramework,
} from '../../../framework/index.js';
import { killSessionAndWait } from '../../../framework/testing/index.js';
import { DistributedBarrier, DistributedDoubleBarrier } from '../../../recipes/barriers/index.js';
import { BarrierMembershipLostError, BarrierTimeoutError } from '../../../recipes/errors.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { dataWatchesUnder, track } from '../../support/curator/observe.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each([ZABKIT, APACHE_STANDALONE])('barriers on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const open = useFrameworks();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });

  const port = (): number => backend.servers[0]!.port;
  /** Sessions with a data watch on exactly `path`. */
  const watchersOf = async (path: string): Promise<bigint[]> => (await dataWatchesUnder(port(), path)).get(path) ?? [];

  describe('DistributedBarrier', () => {
    it('is a node: set twice and removed twice without error, parents as containers; no barrier means no wait', async () => {
      const fw = await open(backend.connectString);
      const root = uniquePath('barrier');
      const barrier = new DistributedBarrier(fw, `${root}/a/gate`);
      await barrier.waitOnBarrier({ timeoutMs: 0 });
      expect(await barrier.isSet()).toBe(false);
      await barrier.setBarrier();
      await barrier.setBarrier();
      expect(await barrier.isSet()).toBe(true);
      const parent = await admin.exists(`${root}/a`);
      expect(parent?.ephemeralOwner).toBe(0n);
      expect((await admin.getData(`${root}/a/gate`)).stat.ephemeralOwner).toBe(0n);
      await barrier.removeBarrier();
      await barrier.removeBarrier();
      expect(await admin.exists(`${root}/a/gate`)).toBeNull();
      expect(await watchersOf(`${root}/a/gate`)).toEqual([]); // the wait at the start left no watch
    });

    it('waiters on other sessions block until the barrier is removed, each with one watch, gone afterwards', async () => {
      const path = `${uniquePath('barrier')}/gate`;
      const setter = new DistributedBarrier(await open(backend.connectString), path);
      await setter.setBarrier();
      const fws = await Promise.all([0, 1, 2].map(() => open(backend.connectString)));
      const waits = fws.map((fw) => track(new DistributedBarrier(fw, path).waitOnBarrier()));
      const sessions = fws.map((fw) => fw.client.sessionId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      await eventually(async () => (await watchersOf(path)).length === 3, 15_000, 'three watches on the barrier');
      expect(await watchersOf(path)).toEqual(sessions);
      expect(waits.some((w) => w.settled())).toBe(false);
      await setter.removeBarrier();
      await Promise.all(waits.map((w) => w.promise));
      expect(await watchersOf(path)).toEqual([]);
    });

    it('a timeout rejects with BarrierTimeoutError, an abort with its reason, a close with ClientClosedError; no watch is left', async () => {
      const fw = await open(backend.connectString);
      const path = `${uniquePath('barrier')}/gate`;
      const barrier = new DistributedBarrier(fw, path);
      await barrier.setBarrier();
      const timedOut = await barrier.waitOnBarrier({ timeoutMs: 200 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(BarrierTimeoutError);
      expect((timedOut as BarrierTimeoutError).path).toBe(path);
      expect((timedOut as BarrierTimeoutError).timeoutMs).toBe(200);

      const controller = new AbortController();
      const aborted = barrier.waitOnBarrier({ signal: controller.signal }).catch((e: unknown) => e);
      await eventually(async () => (await watchersOf(path)).length === 1, 15_000, 'the waiter watches');
      controller.abort(new Error('no longer needed'));
      expect(((await aborted) as Error).message).toBe('no longer needed');
      await eventually(async () => (await watchersOf(path)).length === 0, 15_000, 'the watch removed');
      await expect(barrier.waitOnBarrier({ signal: controller.signal })).rejects.toThrow('no longer needed');

      const other = await open(backend.connectString);
      const closing = new DistributedBarrier(other, path).waitOnBarrier().catch((e: unknown) => e);
      await eventually(async () => (await watchersOf(path)).length === 1, 15_000, 'the second framework watches');
      await other.close();
      expect(await closing).toBeInstanceOf(ClientClosedError);
      await expect(new DistributedBarrier(other, path).waitOnBarrier()).rejects.toBeInstanceOf(ClientClosedError);
      await barrier.removeBarrier();
    });

    it('a wait outlives a session expiry: it watches again on the new session and is released by the removal', async () => {
      const fw = await open(backend.connectString);
      const path = `${uniquePath('barrier')}/gate`;
      const barrier = new DistributedBarrier(fw, path);
      await barrier.setBarrier();
      const waiting = track(barrier.waitOnBarrier());
      await eventually(async () => (await watchersOf(path)).length === 1, 15_000, 'the waiter watches');
      const oldSession = fw.client.sessionId;
      await killSessionAndWait(fw.client, backend.connectString);
      await eventually(async () => {
        const w = await watchersOf(path);
        return w.length === 1 && w[0] !== oldSession;
      }, 20_000, 'the watch set again on the new session');
      expect(waiting.settled()).toBe(false);
      await admin.delete(path);
      await waiting.promise;
    });
  });

  describe('DistributedDoubleBarrier', () => {
    it('nobody enters before memberQty members are there; then all do, through the ready node (Curator layout)', async () => {
      const path = uniquePath('double');
      const fws = await Promise.all([0, 1, 2].map(() => open(backend.connectString)));
      const barriers = fws.map((fw) => new DistributedDoubleBarrier(fw, path, 3));
      const first = [track(barriers[0]!.enter()), track(barriers[1]!.enter())];
      await eventually(async () => (await admin.getChildren(path).catch(() => ({ children: [] }))).children.length === 2, 15_000, 'two members');
      // Both waiters watch `ready`, which does not exist yet.
      await eventually(async () => (await watchersOf(`${path}/ready`)).length === 2, 15_000, 'two watches on ready');
      expect(first.some((t) => t.settled())).toBe(false);
      const { children } = await admin.getChildren(path);
      for (const name of children) {
        expect(name).toMatch(UUID);
        const { stat } = await admin.getData(`${path}/${name}`);
        expect(stat.ephemeralOwner).not.toBe(0n);
      }
      expect((await admin.exists(path))?.ephemeralOwner).toBe(0n);

      await barriers[2]!.enter();
      await Promise.all(first.map((t) => t.promise));
      expect(barriers.every((b) => b.isInside)).toBe(true);
      const after = (await admin.getChildren(path)).children.sort();
      expect(after).toContain('ready');
      expect(after.filter((n) => n !== 'ready').sort()).toEqual(barriers.map((b) => b.memberPath.slice(path.length + 1)).sort());
      expect((await admin.getData(`${path}/ready`)).stat.ephemeralOwner).toBe(0n);
      expect(await watchersOf(`${path}/ready`)).toEqual([]);

      // Leaving: the first two wait for the last; the last one out deletes ready.
      const leaving = [track(barriers[0]!.leave()), track(barriers[1]!.leave())];
      await sleep(300);
      expect(leaving.some((t) => t.settled())).toBe(false);
      await barriers[2]!.leave();
      await Promise.all(leaving.map((t) => t.promise));
      expect((await admin.getChildren(path)).children).toEqual([]);
      // The barrier path is a container: the server reaps it once empty.
      await eventually(async () => (await admin.exists(path)) === null, 20_000, 'the container reaped');
    });

    it('no bypass: watch events for unrelated changes (ready created and deleted at once, a removed watch, a reconnect) only cause a re-check', async () => {
      const path = uniquePath('double');
      const proxy = await startTcpProxy({ port: port() });
      const fw = await open(proxy.connectString);
      const barrier = new DistributedDoubleBarrier(fw, path, 2);
      const existsCalls = vi.spyOn(fw, 'exists');
      const entering = track(barrier.enter());
      await eventually(async () => (await barrier.members()).length === 1, 15_000, 'the member node');
      await eventually(async () => (await watchersOf(`${path}/ready`)).length === 1, 15_000, 'the member watches ready');
      const rechecked = async (before: number): Promise<void> => {
        // The wake-up leads to a fresh look at ready (exists) and at the members; it must then wait again.
        await eventually(() => existsCalls.mock.calls.length > before, 15_000, 're-check after the wake-up');
        await eventually(async () => (await watchersOf(`${path}/ready`)).length === 1, 15_000, 'the watch re-armed');
        await sleep(100);
        expect(entering.settled()).toBe(false);
      };

      // 1. ready appears and disappears within one transaction: the watch fires, the barrier is not open.
      let before = existsCalls.mock.calls.length;
      await admin.multi([Op.create(`${path}/ready`, null, { mode: CreateMode.PERSISTENT }), Op.delete(`${path}/ready`, -1)]);
      await rechecked(before);

      // 2. the watch is removed from outside (its watcher gets a DataWatchRemoved event).
      before = existsCalls.mock.calls.length;
      await fw.removeWatches(`${path}/ready`, WatcherType.Data, {});
      await rechecked(before);

      // 3. a reconnect (same session) rings every waiter.
      before = existsCalls.mock.calls.length;
      await dropConnection(fw, proxy);
      await rechecked(before);

      // The real condition still opens it.
      const second = new DistributedDoubleBarrier(await open(backend.connectString), path, 2);
      await second.enter();
      await entering.promise;
      await Promise.all([barrier.leave(), second.leave()]);
      await proxy.close();
    });

    it('more than memberQty may enter (a threshold, not a limit); a late member goes straight through while ready exists', async () => {
      const path = uniquePath('double');
      const barriers = await Promise.all([0, 1, 2].map(async () => new DistributedDoubleBarrier(await open(backend.connectString), path, 2)));
      await Promise.all([barriers[0]!.enter(), barriers[1]!.enter()]);
      await barriers[2]!.enter({ timeoutMs: 0 });
      expect((await barriers[0]!.members()).length).toBe(3);
      await Promise.all(barriers.map((b) => b.leave()));
      expect(await barriers[0]!.members()).toEqual([]);
      expect(await admin.exists(`${path}/ready`)).toBeNull();
    });

    it('an enter that times out or is aborted takes its member node away again (it must not count)', async () => {
      const path = uniquePath('double');
      const fw = await open(backend.connectString);
      const barrier = new DistributedDoubleBarrier(fw, path, 2);
      const timedOut = await barrier.enter({ timeoutMs: 200 }).catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(BarrierTimeoutError);
      expect((timedOut as BarrierTimeoutError).waitingFor).toBe('enter');
      expect(await barrier.members()).toEqual([]);
      expect(barrier.isInside).toBe(false);

      const controller = new AbortController();
      const aborted = barrier.enter({ signal: controller.signal }).catch((e: unknown) => e);
      await eventually(async () => (await barrier.members()).length === 1, 15_000, 'the member node');
      controller.abort(new Error('stop'));
      expect(((await aborted) as Error).message).toBe('stop');
      expect(await barrier.members()).toEqual([]);
      expect(await watchersOf(`${path}/ready`)).toEqual([]);

      // A second member alone does not get in: the aborted one is not counted.
      const other = new DistributedDoubleBarrier(await open(backend.connectString), path, 2);
      await expect(other.enter({ timeoutMs: 300 })).rejects.toBeInstanceOf(BarrierTimeoutError);
    });

    it('a leave that times out removes this member all the same; the others keep waiting for who is left', async () => {
      const path = uniquePath('double');
      const barriers = await Promise.all([0, 1, 2].map(async () => new DistributedDoubleBarrier(await open(backend.connectString), path, 3)));
      await Promise.all(barriers.map((b) => b.enter()));
      // Members 0 and 1 leave; member 2 stays inside.
      const results = await Promise.all([barriers[0]!.leave({ timeoutMs: 300 }), barriers[1]!.leave({ timeoutMs: 300 })].map((p) => p.catch((e: unknown) => e)));
      for (const r of results) expect(r).toBeInstanceOf(BarrierTimeoutError);
      expect(await barriers[2]!.members()).toEqual([barriers[2]!.memberPath.slice(path.length + 1)]);
      expect(await admin.exists(`${path}/ready`)).not.toBeNull(); // ready stays while someone is inside
      await barriers[2]!.leave({ timeoutMs: 0 });
      expect(await barriers[2]!.members()).toEqual([]);
      expect(await admin.exists(`${path}/ready`)).toBeNull();
    });

    it('a session lost while entering rejects with BarrierMembershipLostError; one lost while leaving counts as left', async () => {
      const path = uniquePath('double');
      const fw = await open(backend.connectString);
      const barrier = new DistributedDoubleBarrier(fw, path, 2);
      const entering = barrier.enter().catch((e: unknown) => e);
      await eventually(async () => (await barrier.members()).length === 1, 15_000, 'the member node');
      await killSessionAndWait(fw.client, backend.connectString);
      const error = await entering;
      expect(error).toBeInstanceOf(BarrierMembershipLostError);
      expect((error as BarrierMembershipLostError).memberPath).toBe(barrier.memberPath);
      expect(barrier.isInside).toBe(false);
      expect(await barrier.members()).toEqual([]);

      // Leaving: the lowest member waits for the others; killing another member's session releases it.
      const a = new DistributedDoubleBarrier(await open(backend.connectString), path, 2, { memberName: 'a' });
      const bFw = await open(backend.connectString);
      const b = new DistributedDoubleBarrier(bFw, path, 2, { memberName: 'b' });
      await Promise.all([a.enter(), b.enter()]);
      const aLeaving = track(a.leave());
      await sleep(300);
      expect(aLeaving.settled()).toBe(false); // 'a' is the lowest: it waits for 'b'
      await killSessionAndWait(bFw.client, backend.connectString);
      await aLeaving.promise;
      // b's node went with its session; its own leave finds nobody left and returns.
      await b.leave({ timeoutMs: 5000 });
      expect(await a.members()).toEqual([]);
    });

    it('misuse is refused: leave before enter, enter twice, a member named "ready", memberQty < 1', async () => {
      const fw = await open(backend.connectString);
      const path = uniquePath('double');
      const barrier = new DistributedDoubleBarrier(fw, path, 1);
      await expect(barrier.leave()).rejects.toThrow(/cannot leave while outside/);
      await barrier.enter();
      await expect(barrier.enter()).rejects.toThrow(/cannot enter while inside/);
      await barrier.leave();
      expect(() => new DistributedDoubleBarrier(fw, path, 0)).toThrow(RangeError);
      expect(() => new DistributedDoubleBarrier(fw, path, 2, { memberName: 'ready' })).toThrow(RangeError);
      expect(() => new DistributedDoubleBarrier(fw, 'no-slash', 2)).toThrow(BadArgumentsError);
    });
  });
});

/** Drops the framework's TCP connection through `proxy`; resolves once it is back on the same session. */
async function dropConnection(fw: ZooKeeperFramework, proxy: TcpProxy): Promise<void> {
  const session = fw.client.sessionId;
  const reconnected = new Promise<void>((resolve) => {
    let sawDisconnect = false;
    const sub = fw.client.state$.subscribe((e) => {
      if (e.state === KeeperState.Disconnected) sawDisconnect = true;
      else if (sawDisconnect && e.state === KeeperState.SyncConnected) {
        queueMicrotask(() => sub.unsubscribe());
        resolve();
      }
    });
  });
  proxy.dropConnections();
  await reconnected;
  expect(fw.client.sessionId).toBe(session);
}

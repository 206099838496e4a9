// Caches converge after a dropped connection (same session) during which another client changed
// the tree, on zabkit's server and Apache ZooKeeper 3.8: after the reconnection each cache holds
// what the server holds and has emitted exactly the differences — a node deleted and created
// again with the same data and version included (told apart by czxid).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeeperState, Op, type ZooKeeperClient } from '../../../framework/index.js';
import { NodeCache, PathChildrenCache, TreeCache, type CacheEvent } from '../../../framework/cache/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { nextState, uniquePath, useClients } from '../../client/support/clients.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { changeSet, eventually, imageOf, record, sameImage, serverImage } from './support.js';

describe.each([ZABKIT, APACHE_STANDALONE])('cache convergence after a dropped connection on $name', (spec) => {
  let backend: Backend;
  let proxy: TcpProxy;
  const open = useClients();
  beforeAll(async () => {
    backend = await spec.start();
    proxy = await startTcpProxy({ port: backend.servers[0]!.port });
  });
  afterEach(() => {
    proxy.refuse(false);
  });
  afterAll(async () => {
    await proxy?.close();
    await backend?.stop();
  });

  /** Cuts `victim` off, runs `change` with `admin`, lets the victim back in (same session). */
  async function whileDisconnected(victim: ZooKeeperClient, change: () => Promise<void>): Promise<void> {
    const session = victim.sessionId;
    const down = nextState(victim, KeeperState.Disconnected);
    proxy.refuse(true);
    proxy.dropConnections();
    await down;
    await change();
    const up = nextState(victim, KeeperState.SyncConnected);
    proxy.refuse(false);
    await up;
    expect(victim.sessionId).toBe(session);
  }

  async function changeTree(admin: ZooKeeperClient, root: string): Promise<void> {
    await admin.setData(`${root}/a`, 'a2');
    await admin.delete(`${root}/b`);
    await admin.multi([Op.delete(`${root}/c`), Op.create(`${root}/c`, 'c')]);
    await admin.create(`${root}/e`, 'e');
    await admin.delete(`${root}/d/x`);
    await admin.create(`${root}/d/y`, 'y');
  }

  async function buildTree(admin: ZooKeeperClient, root: string): Promise<void> {
    await admin.create(root, 'r');
    for (const n of ['a', 'b', 'c', 'd']) await admin.create(`${root}/${n}`, n);
    await admin.create(`${root}/d/x`, 'x');
  }

  it.each([true, false])('TreeCache (recursive watch: %s) re-reads and emits exactly the differences', async (recursiveWatch) => {
    const admin = await open(backend.connectString);
    const victim = await open(proxy.connectString);
    const root = uniquePath('conv');
    await buildTree(admin, root);
    const cache = new TreeCache(victim, root, { recursiveWatch });
    const rec = record(cache.events$);
    await rec.next('initialized');
    const from = rec.events.length;
    await whileDisconnected(victim, () => changeTree(admin, root));
    const want = await serverImage(admin, root);
    await eventually(() => sameImage(imageOf(cache.currentTree().values()), want), 'cache equal to the server');
    await admin.create(`${root}/fence`);
    await rec.next(`added ${root}/fence`);
    rec.unsubscribe();
    const diff = changeSet(rec.events.slice(from, -1));
    expect(diff).toEqual([
      `added ${root}/c=c`, `added ${root}/d/y=y`, `added ${root}/e=e`,
      `removed ${root}/b`, `removed ${root}/c`, `removed ${root}/d/x`, `updated ${root}/a=a2`,
    ]);
    const removedC = rec.events.slice(from).findIndex((e) => e.type === 'removed' && e.path === `${root}/c`);
    const addedC = rec.events.slice(from).findIndex((e) => e.type === 'added' && e.path === `${root}/c`);
    expect(removedC).toBeLessThan(addedC);
  });

  it('PathChildrenCache re-reads and emits exactly the differences', async () => {
    const admin = await open(backend.connectString);
    const victim = await open(proxy.connectString);
    const root = uniquePath('conv');
    await buildTree(admin, root);
    const cache = new PathChildrenCache(victim, root);
    const rec = record(cache.events$);
    await rec.next('initialized');
    const from = rec.events.length;
    await whileDisconnected(victim, () => changeTree(admin, root));
    const want = await serverImage(admin, root, 1);
    delete want[root];
    await eventually(() => sameImage(imageOf(cache.currentData()), want), 'cache equal to the server');
    await admin.create(`${root}/fence`);
    await rec.next(`added ${root}/fence`);
    rec.unsubscribe();
    expect(changeSet(rec.events.slice(from, -1))).toEqual([
      `added ${root}/c=c`, `added ${root}/e=e`, `removed ${root}/b`, `removed ${root}/c`, `updated ${root}/a=a2`,
    ]);
  });

  it('NodeCache sees a node re-created with the same data and version while it was away', async () => {
    const admin = await open(backend.connectString);
    const victim = await open(proxy.connectString);
    const path = uniquePath('conv');
    await admin.create(path, 'same');
    const cache = new NodeCache(victim, path);
    const rec = record(cache.events$);
    await rec.next('initialized');
    const before = cache.current!.stat;
    await whileDisconnected(victim, async () => {
      await admin.delete(path);
      await admin.create(path, 'same');
    });
    await rec.next(`added ${path}=same`);
    expect(cache.current!.stat.version).toBe(before.version);
    expect(cache.current!.stat.czxid).toBeGreaterThan(before.czxid);
    await admin.setData(path, 'fence');
    await rec.next(`updated ${path}=fence`);
    rec.unsubscribe();
    expect(rec.described()).toEqual([`added ${path}=same`, 'initialized', `removed ${path}`, `added ${path}=same`, `updated ${path}=fence`]);
  });

  it('a cache started while disconnected initializes once the connection is back', async () => {
    const admin = await open(backend.connectString);
    const victim = await open(proxy.connectString);
    const root = uniquePath('conv');
    await buildTree(admin, root);
    let rec: ReturnType<typeof record> | undefined;
    await whileDisconnected(victim, async () => {
      rec = record(new TreeCache(victim, root).events$);
    });
    await rec!.next('initialized');
    rec!.unsubscribe();
    expect(changeSet(rec!.events as CacheEvent[]).length).toBe(6);
  });
});

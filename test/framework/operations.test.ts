// The framework's operations on zabkit's server and Apache ZooKeeper 3.8: namespaces, parents
// (plain and containers), orSetData, idempotent create / setData / delete, quietly,
// deletingChildrenIfNeeded, ACL provider, authorization, compression and one-shot watches.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadArgumentsError, BadVersionError, CreateMode, CREATOR_ALL_ACL, EventType, NoAuthError, NodeExistsError, NoNodeError, NotEmptyError, NoWatcherError,
  OPEN_ACL_UNSAFE, PathAclProvider, Perms, READ_ACL_UNSAFE, WatcherType, ZooKeeperClient, type WatchedEvent,
} from '../../framework/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../client/support/backends.js';
import { eventually, FAST, uniquePath } from '../client/support/clients.js';
import { useFrameworks } from './support/frameworks.js';

describe.each([ZABKIT, APACHE_STANDALONE])('framework operations on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });
  const open = useFrameworks();

  it('create / getData / setData / exists / getChildren / delete round-trip', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('fw');
    expect(await zk.create(p, 'v1')).toBe(p);
    expect(await zk.create(`${p}/seq-`, 'x', { mode: CreateMode.PERSISTENT_SEQUENTIAL })).toBe(`${p}/seq-0000000000`);
    const read = await zk.getData(p);
    expect(read.data?.toString()).toBe('v1');
    const stat = await zk.setData(p, 'v2', { version: read.stat.version });
    expect(stat.version).toBe(1);
    await expect(zk.setData(p, 'v3', { version: 0 })).rejects.toBeInstanceOf(BadVersionError);
    expect((await zk.exists(p))?.numChildren).toBe(1);
    expect(await zk.getChildren(p)).toEqual(['seq-0000000000']);
    await expect(zk.delete(p)).rejects.toBeInstanceOf(NotEmptyError);
    await zk.delete(`${p}/seq-0000000000`);
    await zk.delete(p, { version: 1 });
    expect(await zk.exists(p)).toBeNull();
    await expect(zk.getData(p)).rejects.toBeInstanceOf(NoNodeError);
  });

  it('operations reach the server in the order they are called, also while the namespace node is being created', async () => {
    const ns = uniquePath('ns').slice(1);
    const zk = await open(backend.connectString, { namespace: ns });
    const p = '/ordered';
    const calls = [
      zk.create(p, 'a'),
      zk.getData(p),
      zk.setData(p, 'b'),
      zk.getData(p),
      zk.transaction().setData(p, 'c').check(p, 2).commit(),
      zk.exists(p),
      zk.getChildren('/'),
      zk.delete(p),
      zk.exists(p),
    ] as const;
    const [, first, , second, , stat, children, , gone] = await Promise.all(calls);
    expect(first.data?.toString()).toBe('a');
    expect(second.data?.toString()).toBe('b');
    expect(stat?.version).toBe(2);
    expect(children).toEqual(['ordered']);
    expect(gone).toBeNull();
  });

  it('create without data stores the default data (empty unless configured)', async () => {
    const zk = await open(backend.connectString);
    const custom = await open(backend.connectString, { defaultData: 'default!' });
    const p = uniquePath('fw');
    await zk.create(p);
    expect((await admin.getData(p)).data).toEqual(Buffer.alloc(0));
    await custom.create(`${p}/c`);
    expect((await admin.getData(`${p}/c`)).data?.toString()).toBe('default!');
    await zk.create(`${p}/n`, null);
    expect((await admin.getData(`${p}/n`)).data).toBeNull();
  });

  it('a namespace prefixes every path, is created on first use (as a container) and is stripped from results', async () => {
    const ns = uniquePath('ns').slice(1);
    const zk = await open(backend.connectString, { namespace: `${ns}/app` });
    expect(zk.namespace).toBe(`${ns}/app`);
    expect(await admin.exists(`/${ns}`)).toBeNull();
    expect(await zk.create('/config', 'x')).toBe('/config');
    expect((await admin.getData(`/${ns}/app/config`)).data?.toString()).toBe('x');
    expect(await zk.create('/q/item-', 'y', { mode: CreateMode.PERSISTENT_SEQUENTIAL, creatingParentsIfNeeded: true })).toBe('/q/item-0000000000');
    expect((await zk.getChildren('/')).sort()).toEqual(['config', 'q']);
    expect(zk.fixForNamespace('/config')).toBe(`/${ns}/app/config`);
    expect(zk.unfixForNamespace(`/${ns}/app/config`)).toBe('/config');
    expect(zk.unfixForNamespace(`/${ns}/apples`)).toBe(`/${ns}/apples`);

    // usingNamespace: another view on the same session.
    const other = zk.usingNamespace(`${ns}/other`);
    expect(other.client).toBe(zk.client);
    expect(zk.usingNamespace(`${ns}/other`)).toBe(other);
    await other.create('/config', 'z');
    expect((await admin.getData(`/${ns}/other/config`)).data?.toString()).toBe('z');
    const root = zk.usingNamespace(undefined);
    expect((await root.getChildren(`/${ns}`)).sort()).toEqual(['app', 'other']);
    await expect(other.close()).rejects.toThrow(/namespace view/);

    // The namespace nodes are containers: once emptied the server removes them.
    await root.delete(`/${ns}`, { deletingChildrenIfNeeded: true });
    expect(await admin.exists(`/${ns}`)).toBeNull();
  });

  it('an invalid namespace is refused', async () => {
    await expect(open(backend.connectString, { namespace: 'bad//ns' })).rejects.toBeInstanceOf(BadArgumentsError);
  });

  it('creatingParentsIfNeeded makes persistent parents; creatingParentContainersIfNeeded makes containers', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('fw');
    await expect(zk.create(`${p}/a/b/c`, 'leaf')).rejects.toBeInstanceOf(NoNodeError);
    expect(await zk.create(`${p}/a/b/c`, 'leaf', { creatingParentsIfNeeded: true })).toBe(`${p}/a/b/c`);
    expect((await admin.getData(`${p}/a`)).data).toEqual(Buffer.alloc(0));
    await zk.create(`${p}/k/l`, 'leaf', { creatingParentContainersIfNeeded: true, mode: CreateMode.EPHEMERAL });
    await zk.delete(`${p}/k/l`);
    await zk.delete(`${p}/a/b/c`);
    // Containers are reaped once empty (check interval 1 s); persistent parents stay.
    await eventually(async () => (await admin.exists(`${p}/k`)) === null, 20_000, 'container parent reaped');
    expect(await admin.exists(`${p}/a/b`)).not.toBeNull();
  });

  it('orSetData sets the data of an existing node (optionally at a version)', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('fw');
    await zk.create(p, 'one');
    await expect(zk.create(p, 'two')).rejects.toBeInstanceOf(NodeExistsError);
    expect(await zk.create(p, 'two', { orSetData: true })).toBe(p);
    expect((await zk.getData(p)).data?.toString()).toBe('two');
    await expect(zk.create(p, 'three', { orSetData: { version: 0 } })).rejects.toBeInstanceOf(BadVersionError);
    await zk.create(p, 'three', { orSetData: { version: 1 } });
    expect((await zk.getData(p)).data?.toString()).toBe('three');
  });

  it('idempotent create succeeds on an identical node at version 0 only', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('fw');
    await zk.create(p, 'same');
    expect(await zk.create(p, 'same', { idempotent: true })).toBe(p);
    await expect(zk.create(p, 'different', { idempotent: true })).rejects.toBeInstanceOf(NodeExistsError);
    await zk.setData(p, 'same');
    await expect(zk.create(p, 'same', { idempotent: true })).rejects.toBeInstanceOf(NodeExistsError);
  });

  it('idempotent setData accepts a BadVersion caused by the very same write', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('fw');
    await zk.create(p, 'a');
    await zk.setData(p, 'b', { version: 0 });
    // Replaying the write at version 0 (as a retry after a lost reply would): already done.
    expect((await zk.setData(p, 'b', { version: 0, idempotent: true })).version).toBe(1);
    await expect(zk.setData(p, 'c', { version: 0, idempotent: true })).rejects.toBeInstanceOf(BadVersionError);
    await zk.setData(p, 'd');
    await expect(zk.setData(p, 'd', { version: 0, idempotent: true })).rejects.toBeInstanceOf(BadVersionError);
  });

  it('quietly / idempotent delete ignore a missing node; deletingChildrenIfNeeded deletes the subtree', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('fw');
    await expect(zk.delete(p)).rejects.toBeInstanceOf(NoNodeError);
    await zk.delete(p, { quietly: true });
    await zk.delete(p, { idempotent: true });
    await zk.create(`${p}/a/b/c`, 'x', { creatingParentsIfNeeded: true });
    await zk.create(`${p}/a/d`, 'y');
    await zk.delete(p, { deletingChildrenIfNeeded: true });
    expect(await admin.exists(p)).toBeNull();
  });

  it('the ACL provider gives created nodes and parents their ACL; an explicit acl wins', async () => {
    const p = uniquePath('fw');
    const readOnly = [{ perms: Perms.READ | Perms.CREATE | Perms.DELETE | Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } }];
    const zk = await open(backend.connectString, { aclProvider: new PathAclProvider(OPEN_ACL_UNSAFE, { [`${p}/locked`]: readOnly }) });
    await zk.create(`${p}/locked/a/b`, 'x', { creatingParentsIfNeeded: true });
    expect((await zk.getACL(`${p}/locked`)).acl).toEqual(readOnly);
    expect((await zk.getACL(`${p}/locked/a/b`)).acl).toEqual(readOnly);
    expect((await zk.getACL(p)).acl).toEqual(OPEN_ACL_UNSAFE);
    await expect(zk.setData(`${p}/locked/a/b`, 'y')).rejects.toBeInstanceOf(NoAuthError);
    await zk.create(`${p}/ro`, 'x', { acl: READ_ACL_UNSAFE });
    expect((await zk.getACL(`${p}/ro`)).acl).toEqual(READ_ACL_UNSAFE);
    const stat = await zk.setACL(`${p}/locked`, OPEN_ACL_UNSAFE, { version: 0 });
    expect(stat.aversion).toBe(1);
    await expect(zk.setACL(`${p}/ro`, OPEN_ACL_UNSAFE)).rejects.toBeInstanceOf(NoAuthError);
  });

  it('authorization is added to every session (digest + CREATOR_ALL_ACL)', async () => {
    const p = uniquePath('fw');
    const owner = await open(backend.connectString, { authorization: [{ scheme: 'digest', auth: 'alice:secret' }] });
    await owner.create(p, 'mine', { acl: CREATOR_ALL_ACL });
    expect((await owner.getData(p)).data?.toString()).toBe('mine');
    const stranger = await open(backend.connectString);
    await expect(stranger.getData(p)).rejects.toBeInstanceOf(NoAuthError);
    const [acl] = (await owner.getACL(p)).acl;
    expect(acl?.id.scheme).toBe('digest');
    expect(acl?.id.id.startsWith('alice:')).toBe(true);
  });

  it('compression: per op, and for every op when compressionEnabled', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath('fw');
    const text = 'compress me '.repeat(50);
    await zk.create(p, text, { compressed: true });
    const raw = (await admin.getData(p)).data!;
    expect(raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(raw.length).toBeLessThan(text.length);
    expect(gunzipSync(raw).toString()).toBe(text);
    expect((await zk.getData(p, { compressed: true })).data?.toString()).toBe(text);
    expect((await zk.getData(p)).data).toEqual(raw);
    await zk.setData(p, 'second', { compressed: true });
    expect((await zk.getData(p, { compressed: true })).data?.toString()).toBe('second');

    const always = await open(backend.connectString, { compressionEnabled: true });
    await always.create(`${p}/c`, 'auto');
    expect(gunzipSync((await admin.getData(`${p}/c`)).data!).toString()).toBe('auto');
    expect((await always.getData(`${p}/c`)).data?.toString()).toBe('auto');
    await always.setData(`${p}/c`, 'plain', { compressed: false });
    expect((await admin.getData(`${p}/c`)).data?.toString()).toBe('plain');
  });

  it('one-shot watches: a function gets namespace-free paths; watch: true goes to watchEvents$', async () => {
    const ns = uniquePath('ns').slice(1);
    const zk = await open(backend.connectString, { namespace: ns });
    await zk.create('/w', 'x');
    const events: WatchedEvent[] = [];
    const got = new Promise<void>((resolve) => {
      void zk.getData('/w', { watch: (e) => { events.push(e); resolve(); } });
    });
    const viaStream = new Promise<WatchedEvent>((resolve) => {
      const sub = zk.watchEvents$.subscribe((e) => {
        sub.unsubscribe();
        resolve(e);
      });
    });
    await zk.exists('/w/child', { watch: true });
    await zk.sync('/');
    await admin.setData(`/${ns}/w`, 'y');
    await admin.create(`/${ns}/w/child`);
    await got;
    expect(events.map((e) => `${e.type} ${e.path}`)).toEqual([`${EventType.NodeDataChanged} /w`]);
    const streamed = await viaStream;
    expect([streamed.type, streamed.path]).toEqual([EventType.NodeCreated, '/w/child']);

    // removeWatches takes the watcher the application gave.
    const watcher = (): void => undefined;
    await zk.getChildren('/w', { watch: watcher });
    await zk.removeWatches('/w', WatcherType.Children, { watcher });
    await expect(zk.removeWatches('/w', WatcherType.Children, { watcher })).rejects.toBeInstanceOf(NoWatcherError);
  });
});

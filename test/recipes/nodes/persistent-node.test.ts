// PersistentNode and PersistentTtlNode on zabkit's server and Apache ZooKeeper 3.8: the node is
// created in the background, comes back after someone deletes it and after the session is
// killed (on the new session, with the latest data), protected sequential nodes keep their
// sequence number, an existing node is adopted, close() leaves nothing behind; a TTL node lives
// while touched and is reaped after close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, take, toArray } from 'rxjs';
import { BadArgumentsError, CreateMode, NoNodeError, ZooKeeperClient } from '../../../framework/index.js';
import { killSessionAndWait } from '../../../framework/testing/index.js';
import { PersistentNode, PersistentTtlNode } from '../../../recipes/nodes/index.js';
import { APACHE_STANDALONE, ZABKIT, type Backend } from '../../client/support/backends.js';
import { eventually, FAST, sleep, uniquePath } from '../../client/support/clients.js';
import { useFrameworks } from '../../framework/support/frameworks.js';
import { useClosing } from './support.js';

const PROTECTED_SEQUENTIAL = /^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-member-(\d{10})$/;

describe.each([ZABKIT, APACHE_STANDALONE])('PersistentNode on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const open = useFrameworks();
  const closing = useClosing();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });

  it('creates an ephemeral node with its data and parents (containers), and close() deletes it', async () => {
    const fw = await open(backend.connectString);
    const parent = uniquePath('pn');
    const path = `${parent}/a/node`;
    const node = closing(new PersistentNode(fw, path, { mode: CreateMode.EPHEMERAL, data: 'hello' }));
    await expect(node.waitForInitialCreate(1000)).rejects.toThrow(/not started/);
    node.start();
    expect(() => node.start()).toThrow(/cannot be started/);
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    expect(node.actualPath).toBe(path);
    const read = await admin.getData(path);
    expect(read.data?.toString()).toBe('hello');
    expect(read.stat.ephemeralOwner).toBe(fw.client.sessionId);
    expect((await admin.exists(`${parent}/a`))?.ephemeralOwner).toBe(0n);
    await node.close();
    expect(await admin.exists(path)).toBeNull();
    expect(node.actualPath).toBeUndefined();
    await node.close(); // twice: nothing more
  });

  it('is created again, with the same name, after someone else deletes it', async () => {
    const fw = await open(backend.connectString);
    const path = `${uniquePath('pn')}/node`;
    const node = closing(new PersistentNode(fw, path, { mode: CreateMode.EPHEMERAL, data: 'v' }));
    const creations = firstValueFrom(node.created$.pipe(take(3), toArray()));
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    for (let round = 0; round < 2; round++) {
      const before = (await admin.exists(path))!.czxid;
      await admin.delete(path);
      await eventually(async () => ((await admin.exists(path))?.czxid ?? before) > before, 20_000, `re-created (round ${round})`);
    }
    expect(await creations).toEqual([path, path, path]);
    expect((await admin.getData(path)).data?.toString()).toBe('v');
  });

  it('keeps watching after the data is changed by someone else: a later deletion is still noticed', async () => {
    const fw = await open(backend.connectString);
    const path = `${uniquePath('pn')}/node`;
    const node = closing(new PersistentNode(fw, path, { mode: CreateMode.EPHEMERAL, data: 'mine' }));
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    await admin.setData(path, 'theirs');
    await sleep(200); // let the data-changed event re-arm the watch
    const before = (await admin.exists(path))!.czxid;
    await admin.delete(path);
    await eventually(async () => ((await admin.exists(path))?.czxid ?? before) > before, 20_000, 're-created');
  });

  it('comes back on the new session after its session is killed, with the data last set', async () => {
    const fw = await open(backend.connectString);
    const path = `${uniquePath('pn')}/node`;
    const node = closing(new PersistentNode(fw, path, { mode: CreateMode.EPHEMERAL, data: 'first' }));
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    await node.setData('second');
    expect((await admin.getData(path)).data?.toString()).toBe('second');
    const oldSession = fw.client.sessionId;
    await killSessionAndWait(fw.client, backend.connectString);
    await eventually(async () => {
      const stat = await admin.exists(path);
      return stat !== null && stat.ephemeralOwner !== oldSession && stat.ephemeralOwner === fw.client.sessionId;
    }, 30_000, 'node owned by the new session');
    expect((await admin.getData(path)).data?.toString()).toBe('second');
    expect(node.data.toString()).toBe('second');
  });

  it('setData is kept across re-creation and refused before the first create', async () => {
    const fw = await open(backend.connectString);
    const parent = uniquePath('pn');
    const path = `${parent}/node`;
    const node = closing(new PersistentNode(fw, path, { mode: CreateMode.EPHEMERAL, data: 'a', useParentCreation: false }));
    const errors: unknown[] = [];
    const orphan = closing(new PersistentNode(fw, `${parent}-missing/node`, { mode: CreateMode.EPHEMERAL, useParentCreation: false, onError: (e) => errors.push(e) }));
    orphan.start();
    await expect(orphan.setData('x')).rejects.toThrow(/initial create has not completed/);
    expect(await orphan.waitForInitialCreate(1000)).toBe(false);
    expect(errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(NoNodeError);
    await expect(orphan.setData('x')).rejects.toThrow(/parent does not exist/);

    await admin.create(parent);
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    await node.setData('b');
    await admin.delete(path);
    await eventually(async () => (await admin.exists(path)) !== null, 20_000, 're-created');
    expect((await admin.getData(path)).data?.toString()).toBe('b');
  });

  it('a protected ephemeral-sequential node keeps its sequence number when re-created (under a new protection prefix)', async () => {
    const fw = await open(backend.connectString);
    const parent = uniquePath('pn');
    await admin.create(parent);
    await admin.create(`${parent}/other-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }); // uses up 0000000000
    const node = closing(new PersistentNode(fw, `${parent}/member-`, { mode: CreateMode.EPHEMERAL_SEQUENTIAL, useProtection: true, data: 'm' }));
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    const first = node.actualPath!;
    const name = first.slice(parent.length + 1);
    expect(name).toMatch(PROTECTED_SEQUENTIAL);
    expect(PROTECTED_SEQUENTIAL.exec(name)![1]).toBe('0000000001');
    await admin.delete(first);
    await eventually(async () => (await admin.getChildren(parent)).children.some((c) => c.endsWith('member-0000000001') && `${parent}/${c}` !== first), 20_000, 're-created');
    const children = (await admin.getChildren(parent)).children.filter((c) => c.includes('member-'));
    expect(children).toHaveLength(1);
    expect(children[0]).toMatch(PROTECTED_SEQUENTIAL);
    expect(PROTECTED_SEQUENTIAL.exec(children[0]!)![1]).toBe('0000000001');
    expect(node.actualPath).toBe(`${parent}/${children[0]}`);
    const stat = await admin.exists(node.actualPath!);
    expect(stat?.ephemeralOwner).toBe(fw.client.sessionId);
    await node.close();
    expect((await admin.getChildren(parent)).children.filter((c) => c.includes('member-'))).toEqual([]);
  });

  it('adopts a node that already exists and gives it our data; a persistent node is deleted on close', async () => {
    const fw = await open(backend.connectString);
    const path = uniquePath('pn');
    await admin.create(path, 'old');
    const node = closing(new PersistentNode(fw, path, { mode: CreateMode.PERSISTENT, data: 'new' }));
    const created: string[] = [];
    node.created$.subscribe((p) => created.push(p));
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    expect((await admin.getData(path)).data?.toString()).toBe('new');
    expect(created).toEqual([]); // adopted, not created
    await node.close();
    expect(await admin.exists(path)).toBeNull();
  });

  it('close() right after start() leaves no node, even with the create in flight', async () => {
    const fw = await open(backend.connectString);
    const parent = uniquePath('pn');
    for (let i = 0; i < 5; i++) {
      const node = new PersistentNode(fw, `${parent}/n${i}`, { mode: CreateMode.EPHEMERAL });
      node.start();
      if (i > 0) await sleep(i * 2);
      await node.close();
      expect(await admin.exists(`${parent}/n${i}`)).toBeNull();
      expect(node.actualPath).toBeUndefined();
    }
  });

  it("works in a framework's namespace: paths are the application's, the node comes back after a deletion", async () => {
    const ns = uniquePath('ns').slice(1);
    const fw = await open(backend.connectString, { namespace: ns });
    const node = closing(new PersistentNode(fw, '/app/node', { mode: CreateMode.EPHEMERAL, data: 'n' }));
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    expect(node.actualPath).toBe('/app/node');
    const before = (await admin.exists(`/${ns}/app/node`))!.czxid;
    await admin.delete(`/${ns}/app/node`);
    await eventually(async () => ((await admin.exists(`/${ns}/app/node`))?.czxid ?? before) > before, 20_000, 're-created');
    await node.close();
    expect(await admin.exists(`/${ns}/app/node`)).toBeNull();
  });

  it('rejects bad arguments', async () => {
    const fw = await open(backend.connectString);
    expect(() => new PersistentNode(fw, 'relative', { mode: CreateMode.EPHEMERAL })).toThrow(BadArgumentsError);
    expect(() => new PersistentNode(fw, '/trailing/', { mode: CreateMode.EPHEMERAL_SEQUENTIAL })).toThrow(BadArgumentsError);
    expect(() => new PersistentNode(fw, '/x', { mode: 42 as CreateMode })).toThrow(/unknown create mode/);
    expect(() => new PersistentNode(fw, '/x', { mode: CreateMode.PERSISTENT_WITH_TTL })).toThrow(/ttlMs/);
  });
});

describe.each([ZABKIT, APACHE_STANDALONE])('PersistentTtlNode on $name', (spec) => {
  let backend: Backend;
  let admin: ZooKeeperClient;
  const open = useFrameworks();
  const closing = useClosing();
  beforeAll(async () => {
    backend = await spec.start();
    admin = await ZooKeeperClient.connect(backend.connectString, FAST);
  });
  afterAll(async () => {
    await admin?.close();
    await backend?.stop();
  });

  it('lives while touched (the parent sees no keep-alive writes), then the TTL reaps child and parent after close', async () => {
    const fw = await open(backend.connectString);
    const path = `${uniquePath('ttl')}/node`;
    const ttlMs = 1500;
    const node = closing(new PersistentTtlNode(fw, path, ttlMs, { data: 'payload', touchScheduleFactor: 5 }));
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    await eventually(async () => (await admin.exists(node.childPath)) !== null, 20_000, 'touch child created');
    const parentStat = (await admin.exists(path))!;
    const firstTouch = (await admin.exists(node.childPath))!;
    // Well past the TTL and several container sweeps (every second): both stay.
    await sleep(4 * ttlMs);
    const later = await admin.exists(path);
    expect(later?.czxid).toBe(parentStat.czxid);
    expect(later?.mzxid).toBe(parentStat.mzxid);
    expect((await admin.getData(path)).data?.toString()).toBe('payload');
    const touched = (await admin.exists(node.childPath))!;
    expect(touched.czxid).toBe(firstTouch.czxid);
    expect(touched.version).toBeGreaterThan(firstTouch.version);
    await node.close();
    expect(await admin.exists(path)).not.toBeNull(); // close leaves it to the TTL
    await eventually(async () => (await admin.exists(path)) === null, 30_000, 'reaped by the TTL');
  });

  it('re-creates the parent if it is deleted, and the touch child with it', async () => {
    const fw = await open(backend.connectString);
    const path = `${uniquePath('ttl')}/node`;
    const node = closing(new PersistentTtlNode(fw, path, 2000, { touchScheduleFactor: 10 }));
    node.start();
    expect(await node.waitForInitialCreate(20_000)).toBe(true);
    await eventually(async () => (await admin.exists(node.childPath)) !== null, 20_000, 'touch child created');
    const before = (await admin.exists(path))!.czxid;
    await admin.delete(node.childPath).catch(() => undefined);
    await admin.delete(path);
    await eventually(async () => ((await admin.exists(path))?.czxid ?? before) > before, 20_000, 'parent re-created');
    await eventually(async () => (await admin.exists(node.childPath)) !== null, 20_000, 'child re-created');
  });

  it('rejects bad arguments', async () => {
    const fw = await open(backend.connectString);
    expect(() => new PersistentTtlNode(fw, '/x', 0)).toThrow(/ttlMs/);
    expect(() => new PersistentTtlNode(fw, '/x', 1000, { touchScheduleFactor: 0 })).toThrow(/touchScheduleFactor/);
  });
});

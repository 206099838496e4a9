// npm node-zookeeper-client 1.1.x (a pure-JS, ZooKeeper 3.4-era client that sends the old
// ConnectRequest without the readOnly byte) against zabkit: CRUD with stats, watches, multi,
// ephemeral/sequential nodes, ACLs with digest auth, and ephemerals vanishing on close; on the
// standalone server and on a 3-member ensemble (+ observer) through a follower, and an observer.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourLetterWord } from '../support/apache-zookeeper.js';
import { ZABKIT_FOLLOWER, ZABKIT_OBSERVER, ZABKIT_STANDALONE, type InteropTarget } from './targets.js';
import { codeOf, connectNzk, long, Nzk, watchProbe, withTimeout, zookeeper } from './nzk.js';

const { ACL, Id, Permission, CreateMode, Exception } = zookeeper;

let server: InteropTarget;
let a: Nzk;
let b: Nzk;

const text = (buf: Buffer | undefined): string | undefined => buf?.toString('utf8');
const digestId = (user: string, password: string): string =>
  `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;

// The standalone server, and a zabkit ensemble reached through one follower or the observer only.
describe.each([ZABKIT_STANDALONE, ZABKIT_FOLLOWER, ZABKIT_OBSERVER])('node-zookeeper-client against $name', (spec) => {
  beforeAll(async () => {
    server = await spec.start();
    [a, b] = await Promise.all([connectNzk(server.connectString), connectNzk(server.connectString)]);
  });

  afterAll(async () => {
    await Promise.all([a?.close().catch(() => undefined), b?.close().catch(() => undefined)]);
    await server?.close();
  });

  it('negotiates a session with the old-style ConnectRequest', async () => {
    expect(await fourLetterWord(server.port, 'srvr')).toMatch(new RegExp(`^Mode: ${server.mode}$`, 'm'));
    expect(a.sessionId).not.toBe(0n);
    expect(a.sessionId).not.toBe(b.sessionId);
    // the id of the server that created the session in the top byte (standalone: 1)
    expect(a.sessionId >> 56n).toBe(BigInt(server.serverId));
    expect(a.raw.getSessionTimeout()).toBe(10_000);
    expect(a.raw.getSessionPassword().length).toBe(16);
  });

  it('creates, reads, updates and deletes with consistent stats', async () => {
    const before = Date.now();
    expect(await a.create('/nzk-crud', Buffer.from('v0'))).toBe('/nzk-crud');
    const got = await a.getData('/nzk-crud');
    expect(text(got.data)).toBe('v0');
    const s0 = got.stat;
    expect(long(s0.czxid)).toBe(long(s0.mzxid));
    expect(long(s0.pzxid)).toBe(long(s0.czxid));
    expect(Number(long(s0.ctime))).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(long(s0.ctime))).toBeLessThanOrEqual(Date.now() + 1000);
    expect(long(s0.mtime)).toBe(long(s0.ctime));
    expect([s0.version, s0.cversion, s0.aversion, s0.dataLength, s0.numChildren, long(s0.ephemeralOwner)]).toEqual([0, 0, 0, 2, 0, 0n]);

    const s1 = await b.setData('/nzk-crud', Buffer.from('value-1'), 0);
    expect(s1.version).toBe(1);
    expect(s1.dataLength).toBe(7);
    expect(long(s1.mzxid)).toBeGreaterThan(long(s0.mzxid));
    expect(long(s1.czxid)).toBe(long(s0.czxid));
    expect(await codeOf(a.setData('/nzk-crud', Buffer.from('x'), 0))).toBe(Exception.BAD_VERSION);

    await a.create('/nzk-crud/k1');
    await a.create('/nzk-crud/k2', Buffer.alloc(0));
    const kids = await b.getChildren('/nzk-crud');
    expect(kids.children.sort()).toEqual(['k1', 'k2']);
    expect([kids.stat.numChildren, kids.stat.cversion, kids.stat.version]).toEqual([2, 2, 1]);
    expect(long(kids.stat.pzxid)).toBeGreaterThan(long(s1.mzxid));

    // null data and empty data stay distinct
    expect((await a.getData('/nzk-crud/k1')).data).toBeUndefined();
    expect((await a.getData('/nzk-crud/k2')).data).toEqual(Buffer.alloc(0));

    expect(await codeOf(a.create('/nzk-crud'))).toBe(Exception.NODE_EXISTS);
    expect(await codeOf(a.create('/nzk-missing/child'))).toBe(Exception.NO_NODE);
    expect(await codeOf(a.remove('/nzk-crud'))).toBe(Exception.NOT_EMPTY);
    expect(await codeOf(a.remove('/nzk-crud/k1', 3))).toBe(Exception.BAD_VERSION);
    await a.remove('/nzk-crud/k1', 0);
    await a.remove('/nzk-crud/k2');
    const s2 = (await a.getData('/nzk-crud')).stat;
    expect([s2.numChildren, s2.cversion]).toEqual([0, 4]);
    await b.remove('/nzk-crud', 1);
    expect(await a.exists('/nzk-crud')).toBeNull();
    expect(await codeOf(a.getData('/nzk-crud'))).toBe(Exception.NO_NODE);
    expect(await codeOf(a.remove('/nzk-crud'))).toBe(Exception.NO_NODE);
  });

  it('fires getData, getChildren and exists watches once, with the right event', async () => {
    await a.create('/nzk-w', Buffer.from('0'));
    const data = watchProbe();
    const children = watchProbe();
    const created = watchProbe();
    await a.getData('/nzk-w', data.watcher);
    await a.getChildren('/nzk-w', children.watcher);
    expect(await a.exists('/nzk-w/late', created.watcher)).toBeNull();

    await b.setData('/nzk-w', Buffer.from('1'));
    const d = await withTimeout(data.event, 5000, 'data watch');
    expect([d.getName(), d.getPath()]).toEqual(['NODE_DATA_CHANGED', '/nzk-w']);
    expect(children.fired()).toBe(false);

    await b.create('/nzk-w/late');
    const c = await withTimeout(children.event, 5000, 'child watch');
    expect([c.getName(), c.getPath()]).toEqual(['NODE_CHILDREN_CHANGED', '/nzk-w']);
    const e = await withTimeout(created.event, 5000, 'exists watch');
    expect([e.getName(), e.getPath()]).toEqual(['NODE_CREATED', '/nzk-w/late']);

    // One-shot: the server dropped both spent data-table watches (wchp lists that table).
    const wchp = await fourLetterWord(server.port, 'wchp');
    expect(wchp).not.toMatch(/^\/nzk-w(\/late)?$/m);
    await a.getData('/nzk-w', () => undefined);
    expect(await fourLetterWord(server.port, 'wchp')).toContain(`/nzk-w\n\t0x${a.sessionId.toString(16)}\n`);

    // delete fires NodeDeleted on data and child watches of the node
    const deletedData = watchProbe();
    const deletedChildren = watchProbe();
    const parentChildren = watchProbe();
    await a.getData('/nzk-w/late', deletedData.watcher);
    await a.getChildren('/nzk-w/late', deletedChildren.watcher);
    await a.getChildren('/nzk-w', parentChildren.watcher);
    await b.remove('/nzk-w/late');
    for (const [probe, name, path] of [
      [deletedData, 'NODE_DELETED', '/nzk-w/late'],
      [deletedChildren, 'NODE_DELETED', '/nzk-w/late'],
      [parentChildren, 'NODE_CHILDREN_CHANGED', '/nzk-w'],
    ] as const) {
      const ev = await withTimeout(probe.event, 5000, `${name} ${path}`);
      expect([ev.getName(), ev.getPath()]).toEqual([name, path]);
    }
    const wchc = await fourLetterWord(server.port, 'wchc');
    expect(wchc).not.toContain('/nzk-w/late');
  });

  // Client quirk: Transaction.check/setData/remove turn version 0 into -1 (`version || -1`), so
  // only non-zero versions are really checked inside node-zookeeper-client transactions.
  it('commits a transaction atomically, or reports the failing op and applies nothing', async () => {
    await a.create('/nzk-tx', Buffer.from('0'));
    const ok = await a.commit(
      a.raw
        .transaction()
        .create('/nzk-tx/x', Buffer.from('x'))
        .setData('/nzk-tx', Buffer.from('1'))
        .check('/nzk-tx', 1)
        .create('/nzk-tx/s-', null, ACL.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL)
        .remove('/nzk-tx/x'),
    );
    expect(ok.error).toBeNull();
    expect(ok.results.map((r) => r.type)).toEqual([1, 5, 13, 1, 2]);
    expect(ok.results[0]?.path).toBe('/nzk-tx/x');
    expect(ok.results[1]?.stat?.version).toBe(1);
    expect(ok.results[3]?.path).toBe('/nzk-tx/s-0000000001');
    // all ops share one zxid
    const after = await a.getData('/nzk-tx');
    expect(text(after.data)).toBe('1');
    expect(long(after.stat.mzxid)).toBe(long(after.stat.pzxid));

    const watch = watchProbe();
    await b.getData('/nzk-tx', watch.watcher);
    const bad = await a.commit(
      a.raw
        .transaction()
        .create('/nzk-tx/y')
        .check('/nzk-tx', 7)
        .setData('/nzk-tx', Buffer.from('2')),
    );
    expect(bad.error?.code).toBe(Exception.BAD_VERSION);
    expect(bad.results.map((r) => [r.type, r.err])).toEqual([
      [-1, 0],
      [-1, Exception.BAD_VERSION],
      [-1, Exception.RUNTIME_INCONSISTENCY],
    ]);
    expect(await a.exists('/nzk-tx/y')).toBeNull();
    expect(text((await a.getData('/nzk-tx')).data)).toBe('1');
    // nothing applied, so b's watch is still armed: the next real change fires it
    await a.setData('/nzk-tx', Buffer.from('3'));
    expect((await withTimeout(watch.event, 5000, 'watch after failed multi')).getName()).toBe('NODE_DATA_CHANGED');
  });

  it('creates ephemeral and sequential nodes owned by the session', async () => {
    await a.create('/nzk-es');
    const e1 = await a.create('/nzk-es/e-', Buffer.from('1'), CreateMode.EPHEMERAL_SEQUENTIAL);
    const p1 = await a.create('/nzk-es/p-', null, CreateMode.PERSISTENT_SEQUENTIAL);
    const e2 = await b.create('/nzk-es/e-', Buffer.from('2'), CreateMode.EPHEMERAL_SEQUENTIAL);
    expect([e1, p1, e2]).toEqual(['/nzk-es/e-0000000000', '/nzk-es/p-0000000001', '/nzk-es/e-0000000002']);
    expect(long((await b.getData(e1)).stat.ephemeralOwner)).toBe(a.sessionId);
    expect(long((await a.getData(e2)).stat.ephemeralOwner)).toBe(b.sessionId);
    expect(long((await a.getData(p1)).stat.ephemeralOwner)).toBe(0n);
    expect(await codeOf(a.create(`${e1}/child`))).toBe(Exception.NO_CHILDREN_FOR_EPHEMERALS);
    await b.remove(e2);
    // deletes do not rewind the counter
    expect(await a.create('/nzk-es/e-', null, CreateMode.EPHEMERAL_SEQUENTIAL)).toBe('/nzk-es/e-0000000003');
  });

  it('answers exists on a missing node with null and leaves a watch that sees it created', async () => {
    const probe = watchProbe();
    expect(await a.exists('/nzk-missing-node', probe.watcher)).toBeNull();
    expect(await a.exists('/nzk-missing-node/deeper')).toBeNull();
    await b.create('/nzk-missing-node', Buffer.from('now'));
    const ev = await withTimeout(probe.event, 5000, 'NodeCreated');
    expect([ev.getName(), ev.getPath()]).toEqual(['NODE_CREATED', '/nzk-missing-node']);
    const stat = await a.exists('/nzk-missing-node');
    expect(stat?.dataLength).toBe(3);
  });

  it('applies digest ACLs; addAuthInfo works before connect and on a live session', async () => {
    const owner = zookeeper.createClient(server.connectString, { sessionTimeout: 10_000, spinDelay: 200, retries: 0 });
    owner.addAuthInfo('digest', Buffer.from('nzuser:pw')); // sent right behind the ConnectRequest
    const ownerReady = new Promise<void>((resolve) => owner.once('connected', () => resolve()));
    owner.connect();
    await withTimeout(ownerReady, 10_000, 'owner connect');
    const o = new Nzk(owner);
    try {
      const id = digestId('nzuser', 'pw');
      const acl = [new ACL(Permission.ALL, new Id('digest', id)), new ACL(Permission.READ, new Id('world', 'anyone'))];
      await o.create('/nzk-acl', Buffer.from('secret'), CreateMode.PERSISTENT, acl);
      const got = await o.getACL('/nzk-acl');
      expect(got.acls.map((x) => [x.permission, x.id.scheme, x.id.id])).toEqual([
        [31, 'digest', id],
        [1, 'world', 'anyone'],
      ]);
      expect(got.stat.aversion).toBe(0);

      // b: world READ only
      expect(text((await b.getData('/nzk-acl')).data)).toBe('secret');
      expect(await codeOf(b.setData('/nzk-acl', Buffer.from('x')))).toBe(Exception.NO_AUTH);
      expect(await codeOf(b.create('/nzk-acl/kid'))).toBe(Exception.NO_AUTH);
      expect(await codeOf(b.setACL('/nzk-acl', ACL.OPEN_ACL_UNSAFE))).toBe(Exception.NO_AUTH);
      // getACL needs READ or ADMIN; with READ only, digest ids are masked
      expect((await b.getACL('/nzk-acl')).acls.map((x) => x.id.id)).toEqual(['nzuser:x', 'anyone']);

      // a wrong password yields a different identity, not a failure
      b.raw.addAuthInfo('digest', Buffer.from('nzuser:wrong'));
      expect(await codeOf(b.setData('/nzk-acl', Buffer.from('x')))).toBe(Exception.NO_AUTH);
      b.raw.addAuthInfo('digest', Buffer.from('nzuser:pw'));
      expect((await b.setData('/nzk-acl', Buffer.from('by-b'))).version).toBe(1);
      expect((await b.getACL('/nzk-acl')).acls.map((x) => x.id.id)).toEqual([id, 'anyone']);

      expect(await codeOf(o.setACL('/nzk-acl', ACL.READ_ACL_UNSAFE, 7))).toBe(Exception.BAD_VERSION);
      expect((await o.setACL('/nzk-acl', ACL.READ_ACL_UNSAFE, 0)).aversion).toBe(1);
      expect(await codeOf(o.setData('/nzk-acl', Buffer.from('ro')))).toBe(Exception.NO_AUTH);
      expect(await codeOf(o.create('/nzk-acl-bad', null, CreateMode.PERSISTENT, [new ACL(Permission.ALL, new Id('digest', 'no-colon'))]))).toBe(
        Exception.INVALID_ACL,
      );
      // CREATOR_ALL_ACL (auth scheme) expands to the creator's digest id
      await o.create('/nzk-acl-creator', null, CreateMode.PERSISTENT, ACL.CREATOR_ALL_ACL);
      expect((await o.getACL('/nzk-acl-creator')).acls.map((x) => [x.permission, x.id.scheme, x.id.id])).toEqual([[31, 'digest', id]]);
      expect(await codeOf(a.create('/nzk-acl-anon', null, CreateMode.PERSISTENT, ACL.CREATOR_ALL_ACL))).toBe(Exception.INVALID_ACL);
    } finally {
      await o.close();
    }
  });

  it('deletes a session\'s ephemerals when it closes, notifying watchers', async () => {
    const c = await connectNzk(server.connectString);
    await a.create('/nzk-close');
    const paths = [await c.create('/nzk-close/e1', null, CreateMode.EPHEMERAL), await c.create('/nzk-close/e-', null, CreateMode.EPHEMERAL_SEQUENTIAL)];
    const sid = `0x${c.sessionId.toString(16)}`;
    expect(await fourLetterWord(server.port, 'dump')).toContain(`${sid}:\n`);
    const probes = await Promise.all(
      paths.map(async (p) => {
        const probe = watchProbe();
        expect(await a.exists(p, probe.watcher)).not.toBeNull();
        return probe;
      }),
    );
    const children = watchProbe();
    await a.getChildren('/nzk-close', children.watcher);

    await c.close();
    for (const [i, probe] of probes.entries()) {
      const ev = await withTimeout(probe.event, 5000, `NodeDeleted ${paths[i]}`);
      expect([ev.getName(), ev.getPath()]).toEqual(['NODE_DELETED', paths[i]]);
    }
    expect((await withTimeout(children.event, 5000, 'children')).getName()).toBe('NODE_CHILDREN_CHANGED');
    expect((await a.getChildren('/nzk-close')).children).toEqual([]);
    const dump = await fourLetterWord(server.port, 'dump');
    expect(dump).not.toContain(sid);
  });
});

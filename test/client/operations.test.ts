// Every client operation against each backend (zabkit, Apache ZooKeeper 3.8 standalone and
// ensemble): results, Stats, create modes, typed errors, multi/multiRead, ACLs and auth, chroot,
// and pipelining. The same bodies run on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadArgumentsError, BadVersionError, CreateMode, EventType, isMultiError, NoAuthError, NodeExistsError, NoNodeError,
  NotEmptyError, Op, OPEN_ACL_UNSAFE, Perms, RuntimeInconsistencyError, ZooKeeperClient, CREATOR_ALL_ACL,
  NoChildrenForEphemeralsError, KeeperError, AuthFailedError, KeeperState, ClientClosedError,
} from '../../framework/index.js';
import { BACKENDS, type Backend } from './support/backends.js';
import { eventually, nextState, uniquePath, useClients } from './support/clients.js';

describe.each(BACKENDS)('client operations on $name', (spec) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await spec.start();
  });
  afterAll(async () => {
    await backend?.stop();
  });
  const open = useClients();

  it('create returns the path and Stat; getData, exists, setData, delete round-trip', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    const created = await zk.create(p, 'hello');
    expect(created.path).toBe(p);
    expect(created.stat.version).toBe(0);
    expect(created.stat.dataLength).toBe(5);
    expect(created.stat.czxid).toBe(created.stat.mzxid);
    expect(created.stat.ephemeralOwner).toBe(0n);
    const read = await zk.getData(p);
    expect(read.data?.toString()).toBe('hello');
    expect(read.stat).toEqual(created.stat);
    const stat = await zk.setData(p, Buffer.from([1, 2, 3]), 0);
    expect(stat.version).toBe(1);
    expect(stat.mzxid > created.stat.mzxid).toBe(true);
    expect((await zk.exists(p))?.version).toBe(1);
    await expect(zk.setData(p, 'x', 0)).rejects.toBeInstanceOf(BadVersionError);
    await expect(zk.delete(p, 7)).rejects.toBeInstanceOf(BadVersionError);
    await zk.delete(p, 1);
    expect(await zk.exists(p)).toBeNull();
    expect(zk.lastZxidSeen >= stat.mzxid).toBe(true);
  });

  it('null data reads back as null, empty as empty', async () => {
    const zk = await open(backend.connectString);
    const a = uniquePath();
    const b = uniquePath();
    await zk.create(a);
    await zk.create(b, '');
    expect((await zk.getData(a)).data).toBeNull();
    expect((await zk.getData(b)).data).toEqual(Buffer.alloc(0));
  });

  it('errors are typed KeeperErrors with the path', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    const missing = await zk.getData(`${p}/nope`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NoNodeError);
    expect(missing).toBeInstanceOf(KeeperError);
    expect((missing as KeeperError).code).toBe(-101);
    expect((missing as KeeperError).path).toBe(`${p}/nope`);
    await zk.create(p);
    await expect(zk.create(p)).rejects.toBeInstanceOf(NodeExistsError);
    await zk.create(`${p}/c`);
    await expect(zk.delete(p)).rejects.toBeInstanceOf(NotEmptyError);
    await expect(zk.create(`${p}/x/y`)).rejects.toBeInstanceOf(NoNodeError);
    await expect(zk.getData('no-slash')).rejects.toBeInstanceOf(BadArgumentsError);
    await expect(zk.create(`${p}/`)).rejects.toBeInstanceOf(BadArgumentsError);
  });

  it('sequential and ephemeral modes; getChildren returns the Stat; getEphemerals and getAllChildrenNumber', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p);
    const s1 = await zk.create(`${p}/s-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    const s2 = await zk.create(`${p}/s-`, null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    expect(s1.path).toBe(`${p}/s-0000000000`);
    expect(s2.path).toBe(`${p}/s-0000000001`);
    expect(s2.stat.ephemeralOwner).toBe(zk.sessionId);
    const e = await zk.create(`${p}/e`, 'x', { mode: CreateMode.EPHEMERAL });
    expect(e.stat.ephemeralOwner).toBe(zk.sessionId);
    await expect(zk.create(`${p}/e/child`)).rejects.toBeInstanceOf(NoChildrenForEphemeralsError);
    const { children, stat } = await zk.getChildren(p);
    expect(children.sort()).toEqual(['e', 's-0000000000', 's-0000000001']);
    expect(stat.numChildren).toBe(3);
    expect((await zk.getEphemerals(p)).sort()).toEqual([`${p}/e`, `${p}/s-0000000001`]);
    await zk.create(`${p}/s-0000000000/deep`);
    expect(await zk.getAllChildrenNumber(p)).toBe(4);
  });

  it('container nodes are reaped once their last child goes; TTL nodes once their TTL passes', async () => {
    const zk = await open(backend.connectString);
    const c = uniquePath('container');
    const created = await zk.create(c, null, { mode: CreateMode.CONTAINER });
    expect(created.stat.ephemeralOwner).toBe(0n);
    await zk.create(`${c}/child`);
    await zk.delete(`${c}/child`);
    const t = uniquePath('ttl');
    const ttl = await zk.create(t, 'x', { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: 500 });
    expect(ttl.path).toBe(t);
    const seq = await zk.create(`${t}-`, 'x', { mode: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, ttl: 500 });
    expect(seq.path).toMatch(/-\d{10}$/);
    await expect(zk.create(uniquePath(), 'x', { mode: CreateMode.PERSISTENT_WITH_TTL })).rejects.toBeInstanceOf(BadArgumentsError);
    await eventually(async () => (await zk.exists(c)) === null && (await zk.exists(t)) === null, 20_000, 'container and TTL reaped');
  });

  it('getACL / setACL, digest auth, whoAmI', async () => {
    const zk = await open(backend.connectString);
    const other = await open(backend.connectString);
    const p = uniquePath();
    await zk.addAuth('digest', 'bob:secret');
    const who = await zk.whoAmI();
    expect(who).toContainEqual({ authScheme: 'digest', user: 'bob' });
    expect(who.some((w) => w.authScheme === 'ip')).toBe(true);
    await zk.create(p, 'secret', { acl: CREATOR_ALL_ACL });
    const { acl, stat } = await zk.getACL(p);
    expect(acl).toEqual([{ perms: Perms.ALL, id: { scheme: 'digest', id: 'bob:fyVmFCwVbTJYrznoSu1koqYEYF0=' } }]);
    expect(stat.aversion).toBe(0);
    await other.sync(p); // another session, maybe another ensemble member: catch up first
    await expect(other.getData(p)).rejects.toBeInstanceOf(NoAuthError);
    const after = await zk.setACL(p, [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }, ...acl], 0);
    expect(after.aversion).toBe(1);
    await other.sync(p);
    expect((await other.getData(p)).data?.toString()).toBe('secret');
    await expect(other.setData(p, 'x')).rejects.toBeInstanceOf(NoAuthError);
    await expect(zk.setACL(p, OPEN_ACL_UNSAFE, 0)).rejects.toBeInstanceOf(BadVersionError);
  });

  it('a failed auth is AuthFailed and ends the session', async () => {
    const zk = new ZooKeeperClient(backend.connectString, { sessionTimeoutMs: 6000 });
    try {
      await zk.waitForConnected(20_000);
      const authFailed = nextState(zk, KeeperState.AuthFailed);
      await expect(zk.addAuth('no-such-scheme', 'x')).rejects.toBeInstanceOf(AuthFailedError);
      await authFailed;
      await expect(zk.exists('/')).rejects.toBeInstanceOf(AuthFailedError);
    } finally {
      await zk.close();
    }
    await expect(zk.exists('/')).rejects.toBeInstanceOf(ClientClosedError);
  });

  it('multi applies all ops atomically and returns typed results', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p, 'v0');
    const results = await zk.multi([
      Op.create(`${p}/a`, 'A'),
      Op.create(`${p}/s-`, null, { mode: CreateMode.PERSISTENT_SEQUENTIAL }),
      Op.setData(p, 'v1', 0),
      Op.check(p, 1),
      Op.delete(`${p}/a`),
    ]);
    expect(results.map((r) => r.op)).toEqual(['create', 'create', 'setData', 'check', 'delete']);
    expect(results[0]).toMatchObject({ op: 'create', path: `${p}/a` });
    expect(results[1]).toMatchObject({ op: 'create', path: `${p}/s-0000000001` });
    const set = results[2];
    expect(set?.op === 'setData' && set.stat.version).toBe(1);
    expect(await zk.multi([])).toEqual([]);
  });

  it('a failed multi rejects with the failing op error, per-op results, and changes nothing', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p, 'v0');
    const err = await zk.multi([Op.create(`${p}/a`), Op.setData(p, 'x', 5), Op.delete(p)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadVersionError);
    expect(isMultiError(err)).toBe(true);
    if (!isMultiError(err)) return;
    expect(err.path).toBe(p);
    expect(err.results.map((r) => (r.op === 'error' ? r.code : r.op))).toEqual([0, -103, -2]);
    const last = err.results[2];
    expect(last?.op === 'error' && last.error).toBeInstanceOf(RuntimeInconsistencyError);
    expect(await zk.exists(`${p}/a`)).toBeNull();
    expect((await zk.getData(p)).stat.version).toBe(0);
  });

  it('multiRead returns per-op results, failures included', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p, 'root');
    await zk.create(`${p}/x`, 'X');
    const results = await zk.multiRead([Op.getData(p), Op.getChildren(p), Op.getData(`${p}/missing`)]);
    expect(results[0]).toMatchObject({ op: 'getData', data: Buffer.from('root') });
    expect(results[1]).toEqual({ op: 'getChildren', children: ['x'] });
    expect(results[2]).toMatchObject({ op: 'error', code: -101 });
    const r2 = results[2];
    expect(r2?.op === 'error' && r2.error).toBeInstanceOf(NoNodeError);
  });

  it('sync, getConfig', async () => {
    const zk = await open(backend.connectString);
    expect(await zk.sync('/')).toBe('/');
    const config = await zk.getConfig();
    expect(config.stat).toBeDefined();
    if (backend.ensemble) expect(config.data?.toString()).toMatch(/^server\.1=/m);
  });

  it('a chroot is applied to every path and stripped from results and events', async () => {
    const admin = await open(backend.connectString);
    const root = uniquePath('chroot');
    await admin.create(root);
    const zk = await open(`${backend.connectString}${root}`);
    await zk.sync('/'); // its ensemble member may not have applied the chroot's create yet
    expect(zk.chroot).toBe(root);
    const created = await zk.create('/a', 'in-chroot', { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    expect(created.path).toBe('/a0000000000');
    await admin.sync(root);
    expect((await admin.getData(`${root}/a0000000000`)).data?.toString()).toBe('in-chroot');
    expect((await zk.getChildren('/')).children).toEqual(['a0000000000']);
    expect(await zk.getEphemerals('/')).toEqual(['/a0000000000']);
    expect(await zk.sync('/a0000000000')).toBe('/a0000000000');
    const results = await zk.multi([Op.create('/m', 'x'), Op.check('/m', 0)]);
    expect(results[0]).toMatchObject({ op: 'create', path: '/m' });
    const events: string[] = [];
    await zk.getData('/m', { watch: (e) => events.push(`${e.type}:${e.path}`) });
    await admin.sync(root);
    await admin.setData(`${root}/m`, 'changed');
    await eventually(() => events.length > 0, 10_000, 'chrooted event');
    expect(events).toEqual([`${EventType.NodeDataChanged}:/m`]);
  });

  it('pipelines many requests; each reply reaches its own request, in order', async () => {
    const zk = await open(backend.connectString);
    const p = uniquePath();
    await zk.create(p);
    const n = 300;
    // All sent before any reply: sequence numbers follow send order, and every read issued after
    // a create sees that create (one session's requests are answered in order).
    const creates = Array.from({ length: n }, (_, i) => zk.create(`${p}/n-`, String(i), { mode: CreateMode.PERSISTENT_SEQUENTIAL }));
    const reads = Array.from({ length: n }, (_, i) => zk.getData(`${p}/n-${String(i).padStart(10, '0')}`));
    const created = await Promise.all(creates);
    const read = await Promise.all(reads);
    created.forEach((c, i) => expect(c.path).toBe(`${p}/n-${String(i).padStart(10, '0')}`));
    read.forEach((r, i) => expect(r.data?.toString()).toBe(String(i)));
    expect((await zk.getChildren(p)).children).toHaveLength(n);
  });
});

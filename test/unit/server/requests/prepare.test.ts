// Preparer: request → txn with ZooKeeper's validation order (protocol.md §8.3–8.9), sequential
// names (§7.1, §15.10), the pending-change view, multi rollback and closeSession.

import { beforeEach, describe, expect, it } from 'vitest';
import type { ACL, Id } from '../../../../protocol/records.js';
import { OpCode } from '../../../../protocol/ops.js';
import type { MultiOp } from '../../../../protocol/multi.js';
import { CreateMode, OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE } from '../../../../protocol/types.js';
import { digestId } from '../../../../server/data/acl.js';
import { DataTree } from '../../../../server/data/data-tree.js';
import { CONTAINER_EPHEMERAL_OWNER, ttlEphemeralOwner } from '../../../../server/data/ephemeral-type.js';
import { SessionTracker } from '../../../../server/sessions/session-tracker.js';
import { WatchManager } from '../../../../server/watches/watch-manager.js';
import { TxnApplier } from '../../../../server/requests/apply.js';
import { PendingChanges } from '../../../../server/requests/pending-changes.js';
import { Preparer, type PrepareOptions } from '../../../../server/requests/prepare.js';
import type { Txn, TxnRecord } from '../../../../server/requests/txn.js';

const S = 0x0100000000000001n;
const OTHER = 0x0100000000000002n;
const BOB: Id = { scheme: 'digest', id: digestId('bob:secret') };
const bobOnly = (perms: number): ACL[] => [{ perms, id: BOB }];

class Fixture {
  readonly tree = new DataTree();
  readonly pending = new PendingChanges(this.tree);
  readonly sessions = new SessionTracker(2000, 1, 0);
  readonly applier = new TxnApplier(this.tree, new WatchManager());
  readonly preparer: Preparer;
  zxid = 0n;

  constructor(opts: Partial<PrepareOptions> = {}) {
    this.preparer = new Preparer(this.tree, this.pending, this.sessions, {
      extendedTypesEnabled: false, reconfigEnabled: false, ...opts,
    });
    this.sessions.add(S, 30000, 0);
    this.sessions.add(OTHER, 30000, 0);
  }

  /** Prepares without applying (the change stays pending). */
  prep(type: number, request: unknown, authIds: readonly Id[] = [], sessionId = S): Txn {
    return this.preparer.prepare({ sessionId, cxid: 1, type, request, authIds }, ++this.zxid, 1000n);
  }

  /** Prepares and applies, as the pipeline does. */
  run(type: number, request: unknown, authIds: readonly Id[] = [], sessionId = S): Txn {
    const txn = this.prep(type, request, authIds, sessionId);
    this.applier.apply(txn);
    this.pending.applied(txn.header.zxid);
    return txn;
  }

  mk(path: string, o: { acl?: readonly ACL[]; flags?: number; owner?: bigint } = {}): void {
    const txn = this.run(OpCode.create, { path, data: null, acl: o.acl ?? OPEN_ACL_UNSAFE, flags: o.flags ?? 0 }, [BOB], o.owner ?? S);
    if (txn.record.type === OpCode.error) throw new Error(`fixture: create ${path} failed with ${txn.record.body.err}`);
  }
}

/** The error code of a prepared txn, 0 when it is not an error txn. */
function errOf(txn: Txn): number {
  expect(txn.header.type).toBe(txn.record.type);
  return txn.record.type === OpCode.error ? txn.record.body.err : 0;
}

const create = (path: string, o: { acl?: readonly ACL[]; flags?: number; data?: Buffer | null } = {}) => ({
  path, data: o.data === undefined ? null : o.data, acl: [...(o.acl ?? OPEN_ACL_UNSAFE)], flags: o.flags ?? 0,
});
const createTTL = (path: string, flags: number, ttl: bigint) => ({ ...create(path, { flags }), ttl });

let f: Fixture;
beforeEach(() => {
  f = new Fixture();
});

describe('create validation order (§8.3)', () => {
  it('an unknown flag is -8 before the TTL checks', () => {
    expect(errOf(f.prep(OpCode.create, create('/a', { flags: 7 })))).toBe(-8);
    expect(errOf(f.prep(OpCode.createTTL, createTTL('/a', 7, 100n)))).toBe(-8);
    expect(errOf(f.prep(OpCode.create, create('/a', { flags: -1 })))).toBe(-8);
  });

  it('TTL modes with extended types disabled are -6, even for a missing parent', () => {
    expect(errOf(f.prep(OpCode.createTTL, createTTL('/missing/a', CreateMode.PERSISTENT_WITH_TTL, 100n)))).toBe(-6);
    expect(errOf(f.prep(OpCode.create, create('/missing/a', { flags: CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL })))).toBe(-6);
  });

  it('TTL bounds: 0 < ttl <= 2^40-1, plain create with a TTL flag implies ttl -1 (-8); createTTL needs a TTL flag', () => {
    const g = new Fixture({ extendedTypesEnabled: true });
    expect(errOf(g.prep(OpCode.createTTL, createTTL('/missing/a', 5, 0n)))).toBe(-8);
    expect(errOf(g.prep(OpCode.createTTL, createTTL('/a', 5, -1n)))).toBe(-8);
    expect(errOf(g.prep(OpCode.createTTL, createTTL('/a', 5, 2n ** 40n)))).toBe(-8);
    expect(errOf(g.prep(OpCode.create, create('/a', { flags: 5 })))).toBe(-8);
    expect(errOf(g.prep(OpCode.create2, create('/a', { flags: 6 })))).toBe(-8);
    expect(errOf(g.prep(OpCode.createTTL, createTTL('/a', 0, 100n)))).toBe(-8);
    expect(errOf(g.prep(OpCode.createTTL, createTTL('/a', 0, -1n)))).toBe(-8);
    expect(errOf(g.prep(OpCode.createTTL, createTTL('/max', 5, 2n ** 40n - 1n)))).toBe(0);
    expect(errOf(g.prep(OpCode.createTTL, createTTL('/min', 6, 1n)))).toBe(0);
  });

  it('session check comes after the flag/TTL checks and before path checks', () => {
    expect(errOf(f.prep(OpCode.create, create('/a', { flags: 9 }), [], 999n))).toBe(-8);
    expect(errOf(f.prep(OpCode.create, create('no-slash'), [], 999n))).toBe(-12);
    f.sessions.setClosing(OTHER);
    expect(errOf(f.prep(OpCode.create, create('no-slash'), [], OTHER))).toBe(-112);
  });

  it('the light path check (a "/" and no NUL) precedes fixupACL', () => {
    expect(errOf(f.prep(OpCode.create, create('no-slash', { acl: [] })))).toBe(-8);
    expect(errOf(f.prep(OpCode.create, create('/a\u0000b', { acl: [] })))).toBe(-8);
    expect(errOf(f.prep(OpCode.create, create('', { acl: [] })))).toBe(-8);
  });

  it('fixupACL (-114) precedes the parent lookup (-101)', () => {
    expect(errOf(f.prep(OpCode.create, create('/missing/x', { acl: [] })))).toBe(-114);
    expect(errOf(f.prep(OpCode.create, create('/missing/x', { acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }] })))).toBe(-114);
  });

  it('parent lookup (-101) precedes full path validation (-8): create("/missing/x/") is NoNode', () => {
    expect(errOf(f.prep(OpCode.create, create('/missing/x/')))).toBe(-101);
    expect(errOf(f.prep(OpCode.create, create('/missing/./x')))).toBe(-101);
  });

  it('CREATE on the parent (-102) precedes full validation (-8) and NodeExists (-110)', () => {
    f.mk('/locked', { acl: bobOnly(Perms.ALL) });
    f.mk('/locked/there');
    expect(errOf(f.prep(OpCode.create, create('/locked/.')))).toBe(-102);
    expect(errOf(f.prep(OpCode.create, create('/locked/\u0001')))).toBe(-102);
    expect(errOf(f.prep(OpCode.create, create('/locked/there')))).toBe(-102);
    expect(errOf(f.prep(OpCode.create, create('/locked/x'), [BOB]))).toBe(0);
    // READ|WRITE|DELETE|ADMIN without CREATE is not enough
    f.mk('/nocreate', { acl: bobOnly(Perms.ALL & ~Perms.CREATE) });
    expect(errOf(f.prep(OpCode.create, create('/nocreate/x'), [BOB]))).toBe(-102);
  });

  it('full path validation (-8) precedes NodeExists (-110)', () => {
    f.mk('/a');
    expect(errOf(f.prep(OpCode.create, create('/a/')))).toBe(-8);
    expect(errOf(f.prep(OpCode.create, create('/a/.')))).toBe(-8);
    expect(errOf(f.prep(OpCode.create, create('/a/..')))).toBe(-8);
    expect(errOf(f.prep(OpCode.create, create('/a/\u0001')))).toBe(-8);
    expect(errOf(f.prep(OpCode.create, create('/a')))).toBe(-110);
    expect(errOf(f.prep(OpCode.create, create('/')))).toBe(-110);
  });

  it('a child of an ephemeral is -108; containers and TTL parents accept children', () => {
    const g = new Fixture({ extendedTypesEnabled: true });
    g.mk('/eph', { flags: CreateMode.EPHEMERAL });
    expect(errOf(g.prep(OpCode.create, create('/eph/x')))).toBe(-108);
    g.mk('/cont', { flags: CreateMode.CONTAINER });
    expect(errOf(g.prep(OpCode.create, create('/cont/x')))).toBe(0);
    g.run(OpCode.createTTL, createTTL('/ttl', 5, 1000n));
    expect(errOf(g.prep(OpCode.create, create('/ttl/x')))).toBe(0);
  });

  it('a sequential create of "/p/" is valid and names the child by the suffix alone', () => {
    f.mk('/p');
    const txn = f.prep(OpCode.create, create('/p/', { flags: CreateMode.PERSISTENT_SEQUENTIAL }));
    expect(txn.record).toMatchObject({ type: OpCode.create, body: { path: '/p/0000000000' } });
  });
});

describe('create txns', () => {
  it('carries the parent\'s new stored cversion and the ephemeral flag', () => {
    f.mk('/p');
    f.mk('/p/a');
    f.run(OpCode.delete, { path: '/p/a', version: -1 });
    const txn = f.prep(OpCode.create, create('/p/b', { flags: CreateMode.EPHEMERAL, data: Buffer.from('z') }));
    expect(txn.header).toEqual({ clientId: S, cxid: 1, zxid: f.zxid, time: 1000n, type: OpCode.create });
    expect(txn.record).toEqual({
      type: OpCode.create,
      body: { path: '/p/b', data: Buffer.from('z'), acl: OPEN_ACL_UNSAFE, ephemeral: true, parentCVersion: 2 },
    });
  });

  it('create2 stays create2; a container flag on opcode 1/15 is normalised to createContainer', () => {
    expect(f.prep(OpCode.create2, create('/a')).record.type).toBe(OpCode.create2);
    const c = f.prep(OpCode.create, create('/c', { flags: CreateMode.CONTAINER }));
    expect(c.header.type).toBe(OpCode.createContainer);
    expect(c.record).toEqual({ type: OpCode.createContainer, body: { path: '/c', data: null, acl: OPEN_ACL_UNSAFE, parentCVersion: 2 } });
    expect(f.pending.get('/c').ephemeralOwner).toBe(CONTAINER_EPHEMERAL_OWNER);
  });

  it('createTTL carries the ttl; the pending node has the TTL owner', () => {
    const g = new Fixture({ extendedTypesEnabled: true });
    const t = g.prep(OpCode.createTTL, createTTL('/t', CreateMode.PERSISTENT_WITH_TTL, 5000n));
    expect(t.record).toEqual({ type: OpCode.createTTL, body: { path: '/t', data: null, acl: OPEN_ACL_UNSAFE, parentCVersion: 1, ttl: 5000n } });
    expect(g.pending.get('/t').ephemeralOwner).toBe(ttlEphemeralOwner(5000n));
  });

  it('the auth scheme expands to the caller\'s digest ids in the txn', () => {
    const txn = f.prep(OpCode.create, create('/a', { acl: [{ perms: Perms.READ, id: { scheme: 'auth', id: '' } }] }), [
      { scheme: 'ip', id: '127.0.0.1' }, BOB,
    ]);
    expect(txn.record).toMatchObject({ body: { acl: [{ perms: Perms.READ, id: BOB }] } });
  });
});

describe('sequential suffix: %010d of the parent\'s stored cversion (§15.10)', () => {
  const seqName = (g: Fixture, parent: string) => {
    const txn = g.prep(OpCode.create, create(`${parent}/n-`, { flags: CreateMode.PERSISTENT_SEQUENTIAL }));
    if (txn.record.type !== OpCode.create) throw new Error(`create failed: ${JSON.stringify(txn.record)}`);
    return txn.record.body.path.slice(parent.length + 3);
  };

  it.each([
    [0, '0000000000'],
    [7, '0000000007'],
    [1234567890, '1234567890'],
    [2147483647, '2147483647'],
    [-1, '-000000001'],
    [-5, '-000000005'],
    [-123456789, '-123456789'],
    [-1234567890, '-1234567890'],
    [-2147483648, '-2147483648'],
  ])('stored cversion %i -> %s', (cversion, suffix) => {
    f.mk('/p');
    f.tree.get('/p')!.cversion = cversion;
    expect(seqName(f, '/p')).toBe(suffix);
  });

  it('uses the stored cversion (creations), not numChildren or the reported cversion', () => {
    f.mk('/p');
    for (const c of ['a', 'b', 'c']) f.mk(`/p/${c}`);
    f.run(OpCode.delete, { path: '/p/a', version: -1 });
    f.run(OpCode.delete, { path: '/p/b', version: -1 });
    expect(f.tree.stat('/p')!.cversion).toBe(5); // reported: 3 creates + 2 deletes
    expect(seqName(f, '/p')).toBe('0000000003');
  });

  it('counts pending (not yet applied) creates', () => {
    f.mk('/p');
    expect(seqName(f, '/p')).toBe('0000000000');
    expect(seqName(f, '/p')).toBe('0000000001');
    f.prep(OpCode.create, create('/p/plain'));
    expect(seqName(f, '/p')).toBe('0000000003');
  });

  it('the parentCVersion after Integer.MAX_VALUE wraps to Integer.MIN_VALUE (Java int arithmetic)', () => {
    f.mk('/p');
    f.tree.get('/p')!.cversion = 2147483647;
    const txn = f.prep(OpCode.create, create('/p/n-', { flags: CreateMode.PERSISTENT_SEQUENTIAL }));
    expect(txn.record).toMatchObject({ body: { path: '/p/n-2147483647', parentCVersion: -2147483648 } });
    // the next pending create is numbered from the wrapped value
    expect(seqName(f, '/p')).toBe('-2147483648');
  });
});

describe('delete validation order (§8.4, 3.6+)', () => {
  beforeEach(() => {
    f.mk('/locked', { acl: bobOnly(Perms.ALL) });
    f.mk('/locked/child');
    f.mk('/p');
    f.mk('/p/c');
  });

  it('session first', () => {
    expect(errOf(f.prep(OpCode.delete, { path: '/', version: -1 }, [], 999n))).toBe(-12);
  });

  it('"/" and the system nodes are -8; a path without "/" or with NUL is -8', () => {
    for (const path of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config', 'x', '', '/p\u0000']) {
      expect(errOf(f.prep(OpCode.delete, { path, version: -1 }))).toBe(-8);
    }
  });

  it('no full PathUtils check: an invalid but existing-parent path is just NoNode', () => {
    expect(errOf(f.prep(OpCode.delete, { path: '/p/.', version: -1 }))).toBe(-101);
    expect(errOf(f.prep(OpCode.delete, { path: '/p/', version: -1 }))).toBe(-101);
  });

  it('missing parent -101', () => {
    expect(errOf(f.prep(OpCode.delete, { path: '/missing/x', version: -1 }))).toBe(-101);
  });

  it('DELETE on the parent (-102) precedes the node lookup (-101)', () => {
    expect(errOf(f.prep(OpCode.delete, { path: '/locked/missing', version: -1 }))).toBe(-102);
    expect(errOf(f.prep(OpCode.delete, { path: '/locked/child', version: 5 }))).toBe(-102);
    expect(errOf(f.prep(OpCode.delete, { path: '/locked/child', version: -1 }, [BOB]))).toBe(0);
  });

  it('the node\'s own ACL does not matter', () => {
    f.mk('/p/guarded', { acl: bobOnly(Perms.READ) });
    expect(errOf(f.prep(OpCode.delete, { path: '/p/guarded', version: -1 }))).toBe(0);
  });

  it('version (-103) precedes NotEmpty (-111)', () => {
    expect(errOf(f.prep(OpCode.delete, { path: '/p', version: 3 }))).toBe(-103);
    expect(errOf(f.prep(OpCode.delete, { path: '/p', version: 0 }))).toBe(-111);
    expect(errOf(f.prep(OpCode.delete, { path: '/p/c', version: 1 }))).toBe(-103);
    expect(errOf(f.prep(OpCode.delete, { path: '/p/c', version: 0 }))).toBe(0);
  });

  it('a pending delete makes the node missing for the next request', () => {
    expect(errOf(f.prep(OpCode.delete, { path: '/p/c', version: -1 }))).toBe(0);
    expect(errOf(f.prep(OpCode.delete, { path: '/p/c', version: -1 }))).toBe(-101);
    // ... and its parent empty
    expect(errOf(f.prep(OpCode.delete, { path: '/p', version: -1 }))).toBe(0);
  });
});

describe('deleteContainer order (§8.4)', () => {
  it('path -8 → node -101 → children -111 → ephemeral -103; no session and no ACL check', () => {
    f.mk('/locked', { acl: bobOnly(Perms.ALL) });
    f.mk('/locked/c', { flags: CreateMode.CONTAINER });
    f.mk('/full', { flags: CreateMode.CONTAINER });
    f.mk('/full/x', { flags: CreateMode.EPHEMERAL });
    f.mk('/plain');
    const dc = (path: string) => errOf(f.prep(OpCode.deleteContainer, { path }, [], 0n));
    expect(dc('/zookeeper')).toBe(-8);
    expect(dc('nope')).toBe(-8);
    expect(dc('/missing')).toBe(-101);
    expect(dc('/full')).toBe(-111);
    expect(dc('/full/x')).toBe(-103);
    expect(dc('/locked/c')).toBe(0);
    expect(dc('/plain')).toBe(0); // persistent nodes are not rejected (Java behaviour)
  });

  it('prepareDeleteContainer issues a session-0 deleteContainer txn', () => {
    f.mk('/c', { flags: CreateMode.CONTAINER });
    const txn = f.preparer.prepareDeleteContainer('/c', ++f.zxid, 5n);
    expect(txn).toEqual({
      header: { clientId: 0n, cxid: 0, zxid: f.zxid, time: 5n, type: OpCode.deleteContainer },
      record: { type: OpCode.deleteContainer, body: { path: '/c' } },
    });
  });
});

describe('setData validation order (§8.5)', () => {
  beforeEach(() => {
    f.mk('/ro', { acl: READ_ACL_UNSAFE });
    f.mk('/a');
  });

  it('session → path -8 → node -101 → WRITE -102 → version -103', () => {
    expect(errOf(f.prep(OpCode.setData, { path: 'bad', data: null, version: 9 }, [], 999n))).toBe(-12);
    expect(errOf(f.prep(OpCode.setData, { path: '/missing/', data: null, version: 9 }))).toBe(-8);
    expect(errOf(f.prep(OpCode.setData, { path: '', data: null, version: -1 }))).toBe(-8);
    expect(errOf(f.prep(OpCode.setData, { path: '/missing', data: null, version: 9 }))).toBe(-101);
    expect(errOf(f.prep(OpCode.setData, { path: '/ro', data: null, version: 9 }))).toBe(-102);
    expect(errOf(f.prep(OpCode.setData, { path: '/a', data: null, version: 9 }))).toBe(-103);
    expect(errOf(f.prep(OpCode.setData, { path: '/zookeeper/config', data: null, version: -1 }))).toBe(-102);
  });

  it('the txn carries version+1; versions wrap like Java ints', () => {
    const t1 = f.prep(OpCode.setData, { path: '/a', data: Buffer.from('v'), version: 0 });
    expect(t1.record).toEqual({ type: OpCode.setData, body: { path: '/a', data: Buffer.from('v'), version: 1 } });
    // the pending view already has version 1
    expect(errOf(f.prep(OpCode.setData, { path: '/a', data: null, version: 0 }))).toBe(-103);
    expect(errOf(f.prep(OpCode.setData, { path: '/a', data: null, version: 1 }))).toBe(0);
    f.mk('/w');
    f.tree.get('/w')!.version = 2147483647;
    const t2 = f.prep(OpCode.setData, { path: '/w', data: null, version: 2147483647 });
    expect(t2.record).toMatchObject({ body: { version: -2147483648 } });
  });
});

describe('setACL validation order (§8.6)', () => {
  beforeEach(() => {
    f.mk('/noadmin', { acl: [{ perms: Perms.ALL & ~Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } }] });
    f.mk('/a');
  });

  it('session → path -8 → fixupACL -114 → node -101 → ADMIN -102 → aversion -103', () => {
    expect(errOf(f.prep(OpCode.setACL, { path: 'bad', acl: [], version: 9 }, [], 999n))).toBe(-12);
    expect(errOf(f.prep(OpCode.setACL, { path: '/missing/', acl: [], version: 9 }))).toBe(-8);
    expect(errOf(f.prep(OpCode.setACL, { path: '/missing', acl: [], version: 9 }))).toBe(-114);
    expect(errOf(f.prep(OpCode.setACL, { path: '/missing', acl: OPEN_ACL_UNSAFE, version: 9 }))).toBe(-101);
    expect(errOf(f.prep(OpCode.setACL, { path: '/noadmin', acl: OPEN_ACL_UNSAFE, version: 9 }))).toBe(-102);
    expect(errOf(f.prep(OpCode.setACL, { path: '/a', acl: OPEN_ACL_UNSAFE, version: 9 }))).toBe(-103);
  });

  it('checks the aversion, not the data version; the txn carries aversion+1', () => {
    f.run(OpCode.setData, { path: '/a', data: null, version: -1 });
    expect(errOf(f.prep(OpCode.setACL, { path: '/a', acl: READ_ACL_UNSAFE, version: 1 }))).toBe(-103);
    const txn = f.prep(OpCode.setACL, { path: '/a', acl: READ_ACL_UNSAFE, version: 0 });
    expect(txn.record).toEqual({ type: OpCode.setACL, body: { path: '/a', acl: READ_ACL_UNSAFE, version: 1 } });
  });

  it('/zookeeper/config has aversion -1 and only READ: setACL there is NoAuth', () => {
    expect(errOf(f.prep(OpCode.setACL, { path: '/zookeeper/config', acl: OPEN_ACL_UNSAFE, version: -1 }))).toBe(-102);
    expect(errOf(f.prep(OpCode.setACL, { path: '/zookeeper/config', acl: OPEN_ACL_UNSAFE, version: -1 }, [{ scheme: 'super', id: '' }]))).toBe(0);
  });
});

describe('check validation order (§8.7)', () => {
  it('session → path -8 → node -101 → READ -102 → version -103', () => {
    f.mk('/secret', { acl: bobOnly(Perms.ALL) });
    f.mk('/a');
    expect(errOf(f.prep(OpCode.check, { path: 'x', version: 9 }, [], 999n))).toBe(-12);
    expect(errOf(f.prep(OpCode.check, { path: '/missing/', version: 9 }))).toBe(-8);
    expect(errOf(f.prep(OpCode.check, { path: '/missing', version: 9 }))).toBe(-101);
    expect(errOf(f.prep(OpCode.check, { path: '/secret', version: 9 }))).toBe(-102);
    expect(errOf(f.prep(OpCode.check, { path: '/a', version: 9 }))).toBe(-103);
    expect(f.prep(OpCode.check, { path: '/a', version: 0 }).record).toEqual({ type: OpCode.check, body: { path: '/a', version: 1 } });
    expect(f.prep(OpCode.check, { path: '/secret', version: -1 }, [BOB]).record.type).toBe(OpCode.check);
  });
});

describe('other ops', () => {
  it('reconfig: -123 when disabled, -6 when enabled (standalone)', () => {
    expect(errOf(f.prep(OpCode.reconfig, {}))).toBe(-123);
    expect(errOf(new Fixture({ reconfigEnabled: true }).prep(OpCode.reconfig, {}))).toBe(-6);
  });

  it('a read op handed to the preparer is -5', () => {
    expect(errOf(f.prep(OpCode.getData, { path: '/', watch: false }))).toBe(-5);
  });
});

describe('multi (§8.9, §9.3)', () => {
  const ops = (...o: MultiOp[]) => o;
  const types = (t: Txn) => (t.record as Extract<TxnRecord, { type: 14 }>).body.map((s) => s.type === OpCode.error ? `e${s.body.err}` : s.type);

  it('later ops see earlier ops of the same multi', () => {
    const txn = f.prep(OpCode.multi, ops(
      { type: 1, request: create('/m') },
      { type: 1, request: create('/m/c') },
      { type: 5, request: { path: '/m/c', data: null, version: 0 } },
      { type: 13, request: { path: '/m/c', version: 1 } },
      { type: 2, request: { path: '/m/c', version: 1 } },
      { type: 2, request: { path: '/m', version: 0 } },
    ));
    expect(txn.header.type).toBe(OpCode.multi);
    expect(types(txn)).toEqual([1, 1, 5, 13, 2, 2]);
  });

  it('first failure: earlier ops keep their types, the failing op is error(code), the rest error(-2)', () => {
    const txn = f.prep(OpCode.multi, ops(
      { type: 1, request: create('/x') },
      { type: 5, request: { path: '/nope', data: null, version: -1 } },
      { type: 1, request: create('/y') },
      { type: 2, request: { path: '/', version: -1 } },
    ));
    expect(txn.header.type).toBe(OpCode.multi);
    expect(types(txn)).toEqual([1, 'e-101', 'e-2', 'e-2']);
  });

  it('a failed multi leaves no pending changes behind', () => {
    f.mk('/keep');
    f.prep(OpCode.multi, ops(
      { type: 1, request: create('/x') },
      { type: 5, request: { path: '/keep', data: null, version: -1 } },
      { type: 2, request: { path: '/keep', version: 5 } },
    ));
    expect(f.pending.exists('/x')).toBe(false);
    expect(f.pending.get('/keep').version).toBe(0);
    expect(f.pending.get('/').cversion).toBe(1);
    expect(errOf(f.prep(OpCode.create, create('/x')))).toBe(0);
  });

  it('changes pending from before a failed multi survive its rollback', () => {
    f.prep(OpCode.create, create('/before'));
    f.prep(OpCode.multi, ops(
      { type: 2, request: { path: '/before', version: -1 } },
      { type: 2, request: { path: '/nope', version: -1 } },
    ));
    expect(f.pending.exists('/before')).toBe(true);
  });

  it('a successful multi keeps its changes pending for the next request', () => {
    f.prep(OpCode.multi, ops({ type: 1, request: create('/x') }));
    expect(errOf(f.prep(OpCode.create, create('/x')))).toBe(-110);
  });
});

describe('closeSession', () => {
  it('lists the session\'s ephemerals, including pending ones, minus pending deletes; marks it closing', () => {
    f.mk('/e1', { flags: CreateMode.EPHEMERAL });
    f.mk('/e2', { flags: CreateMode.EPHEMERAL });
    f.mk('/theirs', { flags: CreateMode.EPHEMERAL, owner: OTHER });
    f.prep(OpCode.create, create('/e3', { flags: CreateMode.EPHEMERAL }));
    f.prep(OpCode.delete, { path: '/e2', version: -1 });
    const txn = f.preparer.prepareCloseSession(S, 9, ++f.zxid, 77n);
    expect(txn.header).toEqual({ clientId: S, cxid: 9, zxid: f.zxid, time: 77n, type: OpCode.closeSession });
    expect(txn.record.type).toBe(OpCode.closeSession);
    const paths = (txn.record as Extract<TxnRecord, { type: -11 }>).body.paths2Delete;
    expect([...paths].sort()).toEqual(['/e1', '/e3']);
    expect(f.sessions.get(S)!.closing).toBe(true);
    // the closing session can no longer write; the deletions are pending for everyone
    expect(errOf(f.prep(OpCode.create, create('/late')))).toBe(-112);
    expect(f.pending.exists('/e1')).toBe(false);
    expect(f.pending.exists('/e3')).toBe(false);
    expect(errOf(f.prep(OpCode.create, create('/e1'), [], OTHER))).toBe(0);
  });
});

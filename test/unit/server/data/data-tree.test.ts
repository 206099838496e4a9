// DataTree, znode Stat derivation and the ephemeralOwner encoding (protocol.md §7).

import { describe, expect, it } from 'vitest';
import { NoNodeError, NodeExistsError } from '../../../../protocol/errors.js';
import type { ACL } from '../../../../protocol/records.js';
import { OPEN_ACL_UNSAFE, Perms, READ_ACL_UNSAFE } from '../../../../protocol/types.js';
import { CONFIG_PATH, DataTree, QUOTA_PATH, ZOOKEEPER_PATH } from '../../../../server/data/data-tree.js';
import {
  CONTAINER_EPHEMERAL_OWNER, EphemeralKind, MAX_TTL_MS, ephemeralKindOf, ttlEphemeralOwner, ttlOf,
} from '../../../../server/data/ephemeral-type.js';
import { NO_CHILDREN, addChild, builtinZnode, newZnode, statOf } from '../../../../server/data/znode.js';

const data = (s: string) => Buffer.from(s, 'utf8');
const SESSION = 0x0100000000000001n;

function treeWith(...paths: string[]): DataTree {
  const t = new DataTree();
  let z = 1n;
  for (const p of paths) t.createNode(p, data('x'), OPEN_ACL_UNSAFE, 0n, -1, z++, 100n);
  return t;
}

describe('DataTree: a fresh tree (§7.1, §7.2 built-in nodes)', () => {
  it('holds /, /zookeeper, /zookeeper/quota and /zookeeper/config', () => {
    const t = new DataTree();
    for (const p of ['/', ZOOKEEPER_PATH, QUOTA_PATH, CONFIG_PATH]) expect(t.has(p)).toBe(true);
    expect(t.get('/')!.children).toEqual(new Set(['zookeeper']));
    expect(t.get(ZOOKEEPER_PATH)!.children).toEqual(new Set(['quota', 'config']));
    expect(t.has('/nope')).toBe(false);
    expect(t.stat('/nope')).toBeUndefined();
  });

  it('counts the root twice, as ZooKeeper does (node count 5)', () => {
    expect(new DataTree().nodeCount).toBe(5);
  });

  it('root reports cversion -1, /zookeeper -2; everything else zero; data is empty, not null', () => {
    const t = new DataTree();
    expect(t.stat('/')).toEqual({
      czxid: 0n, mzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: -1, aversion: 0,
      ephemeralOwner: 0n, dataLength: 0, numChildren: 1, pzxid: 0n,
    });
    expect(t.stat(ZOOKEEPER_PATH)!.cversion).toBe(-2);
    expect(t.stat(ZOOKEEPER_PATH)!.numChildren).toBe(2);
    expect(t.stat(QUOTA_PATH)!.cversion).toBe(0);
    for (const p of ['/', ZOOKEEPER_PATH, QUOTA_PATH, CONFIG_PATH]) {
      expect(t.get(p)!.data).toEqual(Buffer.alloc(0));
      expect(t.get(p)!.cversion).toBe(0);
    }
  });

  it('/zookeeper/config is READ-only for world:anyone with aversion -1; others are open', () => {
    const t = new DataTree();
    expect(t.get(CONFIG_PATH)!.acl).toEqual(READ_ACL_UNSAFE);
    expect(t.stat(CONFIG_PATH)!.aversion).toBe(-1);
    expect(t.get('/')!.acl).toEqual(OPEN_ACL_UNSAFE);
    expect(t.get(QUOTA_PATH)!.acl).toEqual(OPEN_ACL_UNSAFE);
  });

  it('counts descendants, not the node itself', () => {
    const t = treeWith('/a', '/a/b', '/a/b/c', '/d');
    expect(t.allChildrenNumber('/')).toBe(3 + 4);
    expect(t.allChildrenNumber('/a')).toBe(2);
    expect(t.allChildrenNumber('/a/b/c')).toBe(0);
    expect(t.allChildrenNumber('/missing')).toBe(0);
    expect(new DataTree().allChildrenNumber('/')).toBe(3);
  });
});

describe('DataTree.createNode (§7.2)', () => {
  it('sets the new node stat from zxid and time', () => {
    const t = new DataTree();
    t.createNode('/a', data('hello'), OPEN_ACL_UNSAFE, 0n, -1, 7n, 1234n);
    expect(t.stat('/a')).toEqual({
      czxid: 7n, mzxid: 7n, ctime: 1234n, mtime: 1234n, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner: 0n, dataLength: 5, numChildren: 0, pzxid: 7n,
    });
    expect(t.get('/a')!.data).toEqual(data('hello'));
  });

  it('null data has dataLength 0 but stays null', () => {
    const t = new DataTree();
    t.createNode('/n', null, OPEN_ACL_UNSAFE, 0n, -1, 1n, 1n);
    t.createNode('/e', Buffer.alloc(0), OPEN_ACL_UNSAFE, 0n, -1, 2n, 1n);
    expect(t.get('/n')!.data).toBeNull();
    expect(t.stat('/n')!.dataLength).toBe(0);
    expect(t.get('/e')!.data).toEqual(Buffer.alloc(0));
    expect(t.stat('/e')!.dataLength).toBe(0);
  });

  it('parent: stored cversion +1 (parentCVersion -1), pzxid = z, numChildren +1, mzxid untouched', () => {
    const t = new DataTree();
    t.createNode('/a', null, OPEN_ACL_UNSAFE, 0n, -1, 5n, 10n);
    const root = t.get('/')!;
    expect(root.cversion).toBe(1);
    expect(root.pzxid).toBe(5n);
    expect(root.mzxid).toBe(0n);
    expect(root.mtime).toBe(0n);
    expect(t.stat('/')!.numChildren).toBe(2);
    expect(t.stat('/')!.cversion).toBe(0); // 2*1 - 2
  });

  it('an explicit parentCVersion is applied only when larger, and pzxid moves with it', () => {
    const t = new DataTree();
    t.createNode('/p', null, OPEN_ACL_UNSAFE, 0n, -1, 1n, 1n);
    t.createNode('/p/a', null, OPEN_ACL_UNSAFE, 0n, 5, 2n, 1n);
    expect(t.get('/p')!.cversion).toBe(5);
    expect(t.get('/p')!.pzxid).toBe(2n);
    // A replayed create carrying a smaller parentCVersion neither lowers cversion nor moves pzxid.
    t.createNode('/p/b', null, OPEN_ACL_UNSAFE, 0n, 3, 9n, 1n);
    expect(t.get('/p')!.cversion).toBe(5);
    expect(t.get('/p')!.pzxid).toBe(2n);
    expect(t.get('/p')!.children).toEqual(new Set(['a', 'b']));
    // Equal is not larger either.
    t.createNode('/p/c', null, OPEN_ACL_UNSAFE, 0n, 5, 10n, 1n);
    expect(t.get('/p')!.pzxid).toBe(2n);
  });

  it('parentCVersion -1 on a parent at Integer.MAX_VALUE wraps (Java int) and so is not applied', () => {
    const t = treeWith('/p');
    const p = t.get('/p')!;
    p.cversion = 2147483647;
    const pzxid = p.pzxid;
    t.createNode('/p/a', null, OPEN_ACL_UNSAFE, 0n, -1, 99n, 1n);
    expect(p.cversion).toBe(2147483647);
    expect(p.pzxid).toBe(pzxid);
    expect(p.children.has('a')).toBe(true);
  });

  it('a negative stored cversion still counts up', () => {
    const t = treeWith('/p');
    t.get('/p')!.cversion = -3;
    t.createNode('/p/a', null, OPEN_ACL_UNSAFE, 0n, -1, 99n, 1n);
    expect(t.get('/p')!.cversion).toBe(-2);
    expect(t.get('/p')!.pzxid).toBe(99n);
    expect(t.stat('/p')!.cversion).toBe(-5); // 2*(-2) - 1
  });

  it('throws NoNode for a missing parent and NodeExists for an existing node', () => {
    const t = treeWith('/a');
    expect(() => t.createNode('/x/y', null, OPEN_ACL_UNSAFE, 0n, -1, 9n, 1n)).toThrow(NoNodeError);
    expect(() => t.createNode('/a', null, OPEN_ACL_UNSAFE, 0n, -1, 9n, 1n)).toThrow(NodeExistsError);
    expect(t.get('/')!.cversion).toBe(1);
  });

  it('indexes ephemerals by session, containers and TTL nodes (extended types enabled)', () => {
    const t = new DataTree();
    t.setExtendedTypesEnabled(true);
    t.createNode('/e1', null, OPEN_ACL_UNSAFE, SESSION, -1, 1n, 1n);
    t.createNode('/e2', null, OPEN_ACL_UNSAFE, SESSION, -1, 2n, 1n);
    t.createNode('/other', null, OPEN_ACL_UNSAFE, SESSION + 1n, -1, 3n, 1n);
    t.createNode('/c', null, OPEN_ACL_UNSAFE, CONTAINER_EPHEMERAL_OWNER, -1, 4n, 1n);
    t.createNode('/t', null, OPEN_ACL_UNSAFE, ttlEphemeralOwner(500n), -1, 5n, 1n);
    t.createNode('/p', null, OPEN_ACL_UNSAFE, 0n, -1, 6n, 1n);
    expect([...t.ephemeralsOf(SESSION)].sort()).toEqual(['/e1', '/e2']);
    expect([...t.ephemeralsOf(SESSION + 1n)]).toEqual(['/other']);
    expect([...t.ephemeralsOf(42n)]).toEqual([]);
    expect(t.ephemeralCount).toBe(3);
    expect([...t.ephemeralOwners().keys()].sort()).toEqual([SESSION, SESSION + 1n]);
    expect([...t.containers]).toEqual(['/c']);
    expect([...t.ttls]).toEqual(['/t']);
    // Reported owner: the session for ephemerals, 0 for containers and TTL nodes (§7.3).
    expect(t.stat('/e1')!.ephemeralOwner).toBe(SESSION);
    expect(t.stat('/c')!.ephemeralOwner).toBe(0n);
    expect(t.stat('/t')!.ephemeralOwner).toBe(0n);
    expect(t.get('/c')!.ephemeralOwner).toBe(CONTAINER_EPHEMERAL_OWNER);

    t.deleteNode('/e1', 7n);
    t.deleteNode('/c', 8n);
    t.deleteNode('/t', 9n);
    t.deleteNode('/other', 10n);
    expect([...t.ephemeralsOf(SESSION)]).toEqual(['/e2']);
    expect(t.ephemeralOwners().has(SESSION + 1n)).toBe(false);
    expect(t.ephemeralCount).toBe(1);
    expect(t.containers.size).toBe(0);
    expect(t.ttls.size).toBe(0);
  });

  it('extended types off (the default): a TTL-shaped owner is a session, shown and indexed as one; containers stay containers', () => {
    const t = new DataTree();
    expect(t.extendedTypesEnabled).toBe(false);
    const owner = ttlEphemeralOwner(500n);
    t.createNode('/t', null, OPEN_ACL_UNSAFE, owner, -1, 1n, 1n);
    t.createNode('/c', null, OPEN_ACL_UNSAFE, CONTAINER_EPHEMERAL_OWNER, -1, 2n, 1n);
    expect(t.ttls.size).toBe(0);
    expect([...t.ephemeralsOf(owner)]).toEqual(['/t']);
    expect(t.ephemeralCount).toBe(1);
    expect([...t.containers]).toEqual(['/c']);
    expect(t.stat('/t')!.ephemeralOwner).toBe(owner);
    expect(t.stat('/c')!.ephemeralOwner).toBe(0n);
    t.deleteNode('/t', 3n);
    expect(t.ephemeralOwners().size).toBe(0);
  });

  it('setExtendedTypesEnabled re-indexes the nodes already there, both ways', () => {
    const t = new DataTree();
    const ttlOwner = ttlEphemeralOwner(500n);
    t.createNode('/t', null, OPEN_ACL_UNSAFE, ttlOwner, -1, 1n, 1n);
    t.createNode('/e', null, OPEN_ACL_UNSAFE, SESSION, -1, 2n, 1n);
    t.createNode('/c', null, OPEN_ACL_UNSAFE, CONTAINER_EPHEMERAL_OWNER, -1, 3n, 1n);
    const indexes = () => ({
      ttls: [...t.ttls], containers: [...t.containers],
      sessions: [...t.ephemeralOwners()].map(([owner, paths]) => [owner, [...paths]]),
      shownOwnerOfT: t.stat('/t')!.ephemeralOwner,
    });
    const off = { ttls: [], containers: ['/c'], sessions: [[ttlOwner, ['/t']], [SESSION, ['/e']]], shownOwnerOfT: ttlOwner };
    const on = { ttls: ['/t'], containers: ['/c'], sessions: [[SESSION, ['/e']]], shownOwnerOfT: 0n };
    expect(indexes()).toEqual(off);
    t.setExtendedTypesEnabled(true);
    expect(t.extendedTypesEnabled).toBe(true);
    expect(indexes()).toEqual(on);
    t.setExtendedTypesEnabled(true); // unchanged: nothing moves
    expect(indexes()).toEqual(on);
    t.setExtendedTypesEnabled(false);
    expect(indexes()).toEqual(off);
  });

  it('tracks the approximate data size (path lengths plus data lengths)', () => {
    const t = new DataTree();
    const base = t.approximateDataSize;
    expect(base).toBe(ZOOKEEPER_PATH.length + QUOTA_PATH.length + CONFIG_PATH.length);
    t.createNode('/ab', data('12345'), OPEN_ACL_UNSAFE, 0n, -1, 1n, 1n);
    expect(t.approximateDataSize).toBe(base + 3 + 5);
    t.setData('/ab', data('1'), 1, 2n, 2n);
    expect(t.approximateDataSize).toBe(base + 3 + 1);
    t.setData('/ab', null, 2, 3n, 3n);
    expect(t.approximateDataSize).toBe(base + 3);
    t.deleteNode('/ab', 4n);
    expect(t.approximateDataSize).toBe(base);
    expect(t.nodeCount).toBe(5);
  });
});

describe('DataTree.deleteNode (§7.2)', () => {
  it('parent: numChildren -1, reported cversion +1, stored cversion unchanged, pzxid = z', () => {
    const t = treeWith('/p', '/p/a', '/p/b');
    const before = t.stat('/p')!;
    expect(before.cversion).toBe(2 * 2 - 2);
    t.deleteNode('/p/a', 20n);
    const after = t.stat('/p')!;
    expect(after.numChildren).toBe(1);
    expect(after.cversion).toBe(before.cversion + 1);
    expect(t.get('/p')!.cversion).toBe(2);
    expect(after.pzxid).toBe(20n);
    expect(after.mzxid).toBe(before.mzxid);
    expect(t.has('/p/a')).toBe(false);
  });

  it('leaves share NO_CHILDREN: a parent losing its last child goes back to it, and can gain children again', () => {
    const t = treeWith('/p', '/p/a', '/q');
    expect(t.get('/p/a')!.children).toBe(NO_CHILDREN);
    expect(t.get('/q')!.children).toBe(NO_CHILDREN);
    t.deleteNode('/p/a', 20n);
    expect(t.get('/p')!.children).toBe(NO_CHILDREN);
    expect(NO_CHILDREN.size).toBe(0);
    t.createNode('/p/b', data('y'), OPEN_ACL_UNSAFE, 0n, -1, 21n, 100n);
    t.createNode('/q/c', data('y'), OPEN_ACL_UNSAFE, 0n, -1, 22n, 100n);
    expect(t.get('/p')!.children).toEqual(new Set(['b']));
    expect(t.get('/q')!.children).toEqual(new Set(['c']));
    expect(t.stat('/p')!.numChildren).toBe(1);
    expect(NO_CHILDREN.size).toBe(0);
  });

  it('pzxid moves only forwards', () => {
    const t = treeWith('/p', '/p/a', '/p/b');
    t.deleteNode('/p/a', 50n);
    t.deleteNode('/p/b', 40n); // replayed older delete
    expect(t.get('/p')!.pzxid).toBe(50n);
  });

  it('returns the removed node and throws NoNode for a missing one', () => {
    const t = treeWith('/a');
    const node = t.deleteNode('/a', 3n);
    expect(node.data).toEqual(data('x'));
    expect(() => t.deleteNode('/a', 4n)).toThrow(NoNodeError);
  });
});

describe('DataTree.setData / setACL (§7.2)', () => {
  it('setData sets version, mzxid, mtime and data; czxid/ctime/pzxid/aversion unchanged', () => {
    const t = new DataTree();
    t.createNode('/a', data('1'), OPEN_ACL_UNSAFE, 0n, -1, 3n, 100n);
    t.setData('/a', data('four'), 1, 9n, 200n);
    expect(t.stat('/a')).toEqual({
      czxid: 3n, mzxid: 9n, ctime: 100n, mtime: 200n, version: 1, cversion: 0, aversion: 0,
      ephemeralOwner: 0n, dataLength: 4, numChildren: 0, pzxid: 3n,
    });
    expect(() => t.setData('/missing', null, 1, 10n, 1n)).toThrow(NoNodeError);
  });

  it('setACL changes only acl and aversion (not mzxid/mtime)', () => {
    const t = new DataTree();
    t.createNode('/a', data('1'), OPEN_ACL_UNSAFE, 0n, -1, 3n, 100n);
    const before = t.stat('/a')!;
    t.setACL('/a', READ_ACL_UNSAFE, 1);
    expect(t.get('/a')!.acl).toEqual(READ_ACL_UNSAFE);
    expect(t.stat('/a')).toEqual({ ...before, aversion: 1 });
    expect(() => t.setACL('/missing', READ_ACL_UNSAFE, 1)).toThrow(NoNodeError);
  });
});

describe('statOf (znode.ts)', () => {
  it('reports cversion as 2*stored - numChildren', () => {
    const n = newZnode(null, OPEN_ACL_UNSAFE, 0n, 1n, 1n);
    n.cversion = 7;
    for (const c of ['a', 'b', 'c']) addChild(n, c);
    expect(statOf(n, false).cversion).toBe(11);
    expect(statOf(n, false).numChildren).toBe(3);
  });

  it('wraps the reported cversion like Java int arithmetic', () => {
    const n = newZnode(null, OPEN_ACL_UNSAFE, 0n, 1n, 1n);
    n.cversion = 2 ** 30; // 2 * 2^30 overflows to -2^31 in Java
    expect(statOf(n, false).cversion).toBe(-(2 ** 31));
    n.cversion = -5;
    expect(statOf(n, false).cversion).toBe(-10);
  });

  it('built-in nodes: all-zero stat, empty data', () => {
    const acl: ACL[] = [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];
    const n = builtinZnode(acl);
    expect(n.data).toEqual(Buffer.alloc(0));
    expect(n.acl).toBe(acl);
    expect(statOf(n, false)).toEqual({
      czxid: 0n, mzxid: 0n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 0n,
    });
  });
});

describe('ephemeralOwner encoding (§7.3)', () => {
  it.each([true, false])('classifies owners the same either way, except TTL markers (extended types %s)', (extended) => {
    expect(ephemeralKindOf(0n, extended)).toBe(EphemeralKind.VOID);
    expect(ephemeralKindOf(SESSION, extended)).toBe(EphemeralKind.NORMAL);
    expect(ephemeralKindOf(-0x7f00000000000001n, extended)).toBe(EphemeralKind.NORMAL); // a myid >= 128 session
    // Long.MIN_VALUE is a container whether or not extended types are enabled (EphemeralType.get).
    expect(ephemeralKindOf(CONTAINER_EPHEMERAL_OWNER, extended)).toBe(EphemeralKind.CONTAINER);
    // 0xFF top byte but a non-zero feature field is not a TTL node.
    expect(ephemeralKindOf(BigInt.asIntN(64, 0xff01000000000005n), extended)).toBe(EphemeralKind.NORMAL);
  });

  it('0xFF00.. | ttl is a TTL node only with extended types enabled; otherwise a session (e.g. of server 255)', () => {
    for (const owner of [ttlEphemeralOwner(1n), ttlEphemeralOwner(MAX_TTL_MS), BigInt.asIntN(64, 0xff00000000000000n)]) {
      expect(ephemeralKindOf(owner, true)).toBe(EphemeralKind.TTL);
      expect(ephemeralKindOf(owner, false)).toBe(EphemeralKind.NORMAL);
    }
  });

  it('statOf shows a TTL-shaped owner only with extended types off; containers always show 0', () => {
    const ttl = newZnode(null, OPEN_ACL_UNSAFE, ttlEphemeralOwner(7n), 1n, 1n);
    expect(statOf(ttl, true).ephemeralOwner).toBe(0n);
    expect(statOf(ttl, false).ephemeralOwner).toBe(ttlEphemeralOwner(7n));
    const container = newZnode(null, OPEN_ACL_UNSAFE, CONTAINER_EPHEMERAL_OWNER, 1n, 1n);
    expect(statOf(container, true).ephemeralOwner).toBe(0n);
    expect(statOf(container, false).ephemeralOwner).toBe(0n);
    const ephemeral = newZnode(null, OPEN_ACL_UNSAFE, SESSION, 1n, 1n);
    expect(statOf(ephemeral, false).ephemeralOwner).toBe(SESSION);
    expect(statOf(ephemeral, true).ephemeralOwner).toBe(SESSION);
  });

  it('the container marker is Long.MIN_VALUE', () => {
    expect(CONTAINER_EPHEMERAL_OWNER).toBe(-(2n ** 63n));
  });

  it('TTL owner is 0xFF00000000000000 | ttl, ttl in the low 40 bits', () => {
    expect(MAX_TTL_MS).toBe(2n ** 40n - 1n);
    expect(BigInt.asUintN(64, ttlEphemeralOwner(1000n))).toBe(0xff000000000003e8n);
    expect(ttlEphemeralOwner(1000n) < 0n).toBe(true);
    expect(ttlOf(ttlEphemeralOwner(1000n))).toBe(1000n);
    expect(ttlOf(ttlEphemeralOwner(MAX_TTL_MS))).toBe(MAX_TTL_MS);
    expect(BigInt.asUintN(64, ttlEphemeralOwner(MAX_TTL_MS))).toBe(0xff0000ffffffffffn);
  });
});

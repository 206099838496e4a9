// The ZooKeeper tree digest (protocol.md §14.4): the pure CRC-32 matches zlib's, a node digest is
// the CRC of path + data + the 60-byte Stat block, /zookeeper/ children count 0, and the tree
// digest follows every change that a replica could get wrong (data, version, stat-only fields).

import fc from 'fast-check';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../../../../protocol/types.js';
import { DataTree, QUOTA_PATH } from '../../../../server/data/data-tree.js';
import { crc32, nodeDigest, treeDigest } from '../../../../server/data/digest.js';

function expectedNodeDigest(path: string, data: Buffer | null, f: { czxid: bigint; mzxid: bigint; pzxid: bigint; ctime: bigint; mtime: bigint; version: number; cversion: number; aversion: number; owner: bigint }): number {
  const b = Buffer.alloc(60);
  b.writeBigInt64BE(f.czxid, 0); b.writeBigInt64BE(f.mzxid, 8); b.writeBigInt64BE(f.pzxid, 16);
  b.writeBigInt64BE(f.ctime, 24); b.writeBigInt64BE(f.mtime, 32);
  b.writeInt32BE(f.version, 40); b.writeInt32BE(f.cversion, 44); b.writeInt32BE(f.aversion, 48);
  b.writeBigInt64BE(f.owner, 52);
  return zlibCrc32(Buffer.concat([Buffer.from(path === '/' ? '' : path), data ?? Buffer.alloc(0), b]));
}

describe('tree digest', () => {
  it('crc32 equals zlib.crc32, also when continued over several chunks', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 50 }), (a, b) => {
      expect(crc32(a)).toBe(zlibCrc32(a));
      expect(crc32(b, crc32(a))).toBe(zlibCrc32(Buffer.concat([a, b])));
    }));
  });

  it('a node digest is the CRC of path, data and the persisted Stat fields', () => {
    const t = new DataTree();
    t.createNode('/a', Buffer.from('hello'), OPEN_ACL_UNSAFE, 0x42n, -1, 7n, 1234n);
    t.setData('/a', Buffer.from('world'), 3, 9n, 5678n);
    const node = t.get('/a')!;
    expect(nodeDigest('/a', node)).toBe(expectedNodeDigest('/a', Buffer.from('world'), {
      czxid: 7n, mzxid: 9n, pzxid: 7n, ctime: 1234n, mtime: 5678n, version: 3, cversion: 0, aversion: 0, owner: 0x42n,
    }));
    // The root hashes as "", with its stored (not reported) cversion.
    t.createNode('/b', null, OPEN_ACL_UNSAFE, 0n, -1, 10n, 1n);
    const root = t.get('/')!;
    expect(nodeDigest('/', root)).toBe(expectedNodeDigest('', Buffer.alloc(0), {
      czxid: 0n, mzxid: 0n, pzxid: 10n, ctime: 0n, mtime: 0n, version: 0, cversion: root.cversion, aversion: 0, owner: 0n,
    }));
  });

  it('the tree digest is the sum of node digests and skips /zookeeper/ children only', () => {
    const t = new DataTree();
    const sum = [...t.entries()].filter(([p]) => !p.startsWith('/zookeeper/')).reduce((s, [p, n]) => s + BigInt(nodeDigest(p, n)), 0n);
    expect(treeDigest(t)).toBe(sum);
    const before = treeDigest(t);
    t.setData(QUOTA_PATH, Buffer.from('local'), 1, 5n, 5n);
    expect(treeDigest(t)).toBe(before);
  });

  it('changes with data, version and stat-only fields, and is the same for an equal tree', () => {
    const build = () => {
      const t = new DataTree();
      t.createNode('/a', Buffer.from('x'), OPEN_ACL_UNSAFE, 0n, -1, 1n, 10n);
      t.createNode('/a/b', Buffer.from('y'), OPEN_ACL_UNSAFE, 0n, -1, 2n, 11n);
      return t;
    };
    const base = treeDigest(build());
    expect(treeDigest(build())).toBe(base);
    const restored = DataTree.restore([...build().entries()]);
    expect(restored instanceof DataTree && treeDigest(restored)).toBe(base);
    const changedData = build();
    changedData.setData('/a/b', Buffer.from('z'), 0, 2n, 11n);
    const changedVersion = build();
    changedVersion.setData('/a/b', Buffer.from('y'), 1, 2n, 11n);
    const changedPzxid = build();
    changedPzxid.raisePzxid('/a', 3n);
    for (const t of [changedData, changedVersion, changedPzxid]) expect(treeDigest(t)).not.toBe(base);
  });
});

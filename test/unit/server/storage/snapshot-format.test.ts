// The snapshot format: a tree round-trips with its stats, ACLs (shared by reference after
// loading) and sessions; a repeated path keeps its later record; any damage is refused.

import { describe, expect, it } from 'vitest';
import { JuteWriter } from '../../../../protocol/jute/writer.js';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../../../../protocol/types.js';
import { DataTree } from '../../../../server/data/data-tree.js';
import { CONTAINER_EPHEMERAL_OWNER } from '../../../../server/data/ephemeral-type.js';
import type { Znode } from '../../../../server/data/znode.js';
import { decodeSnapshot, SnapshotEncoder, SnapshotFormatError, snapshotTrailer } from '../../../../server/storage/snapshot-format.js';
import { crc32 } from 'node:zlib';

function encode(zxid: bigint, sessions: Map<bigint, number>, nodes: Iterable<[string, Znode]>): Buffer {
  const e = new SnapshotEncoder();
  const w = new JuteWriter();
  e.header(w, zxid, sessions);
  for (const [p, n] of nodes) e.node(w, p, n);
  e.end(w);
  const body = Buffer.from(w.bytes());
  return Buffer.concat([body, snapshotTrailer(crc32(body))]);
}

function sampleTree(): DataTree {
  const t = new DataTree();
  t.createNode('/app', Buffer.from('cfg'), OPEN_ACL_UNSAFE, 0n, -1, 5n, 1000n);
  t.createNode('/app/lock', null, READ_ACL_UNSAFE, 0x1234n, -1, 6n, 1001n);
  t.createNode('/app/c', Buffer.alloc(0), OPEN_ACL_UNSAFE, CONTAINER_EPHEMERAL_OWNER, -1, 7n, 1002n);
  t.setData('/app', Buffer.from('cfg2'), 3, 8n, 1003n);
  return t;
}

const dump = (t: DataTree) => [...t.entries()].map(([p, n]) => [p, n.data, n.acl, t.statOf(n)] as const).sort((a, b) => a[0].localeCompare(b[0]));

describe('snapshot format', () => {
  it('round-trips nodes, stats, ACLs and sessions; indexes are rebuilt', () => {
    const tree = sampleTree();
    const sessions = new Map([[0x1234n, 6000], [0x99n, 30000]]);
    const decoded = decodeSnapshot(encode(8n, sessions, tree.entries()));
    expect(decoded.zxid).toBe(8n);
    expect(decoded.sessions).toEqual(sessions);
    const restored = DataTree.restore(decoded.nodes);
    if (!(restored instanceof DataTree)) throw new Error('orphans');
    expect(dump(restored)).toEqual(dump(tree));
    expect([...restored.ephemeralsOf(0x1234n)]).toEqual(['/app/lock']);
    expect([...restored.containers]).toEqual(['/app/c']);
    expect(restored.approximateDataSize).toBe(tree.approximateDataSize);
    expect(restored.get('/app')!.acl).toBe(restored.get('/')!.acl); // one list per distinct ACL
  });

  it('a path written twice (deleted and re-created mid-walk) keeps its later record', () => {
    const tree = sampleTree();
    const later = { ...tree.get('/app')!, version: 9 };
    const restored = DataTree.restore(decodeSnapshot(encode(9n, new Map(), [...tree.entries(), ['/app', later]])).nodes);
    if (!(restored instanceof DataTree)) throw new Error('orphans');
    expect(restored.get('/app')!.version).toBe(9);
    expect([...restored.get('/app')!.children].sort()).toEqual(['c', 'lock']);
  });

  it('nodes without a parent are reported, not silently attached', () => {
    const tree = sampleTree();
    const nodes = [...tree.entries()].filter(([p]) => p !== '/app');
    expect(DataTree.restore(decodeSnapshot(encode(1n, new Map(), nodes)).nodes)).toEqual({ orphans: ['/app/lock', '/app/c'] });
  });

  it('refuses a flipped byte anywhere, a cut file and a missing end marker', () => {
    const good = encode(8n, new Map([[1n, 4000]]), sampleTree().entries());
    for (let i = 0; i < good.length; i += 7) {
      const bad = Buffer.from(good);
      bad[i]! ^= 0x01;
      expect(() => decodeSnapshot(bad), `flip at ${i}`).toThrow(SnapshotFormatError);
    }
    for (const cut of [0, 10, good.length - 9, good.length - 1]) {
      expect(() => decodeSnapshot(good.subarray(0, cut)), `cut at ${cut}`).toThrow(SnapshotFormatError);
    }
  });
});

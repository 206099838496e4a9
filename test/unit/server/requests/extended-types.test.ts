// zookeeper.extendedTypesEnabled decides what an ephemeralOwner whose high byte is 0xFF means
// (EphemeralType.get): a TTL node when on, a session's ephemeral when off. Server 255's session
// ids have that high byte, and while the clock value they are built from is below 2^24 ms (as
// ZooKeeper's elapsed-time clock is after a boot; here the harness's 1,000,000 ms) the two bytes
// after it are 0 too — the exact shape of a TTL owner. ZooKeeper only allows myid 255 with
// extended types off, where such a session's ephemerals are plain ephemerals.

import { describe, expect, it } from 'vitest';
import { OpCode } from '../../../../protocol/ops.js';
import { CreateMode, OPEN_ACL_UNSAFE } from '../../../../protocol/types.js';
import { DataTree } from '../../../../server/data/data-tree.js';
import { newZnode } from '../../../../server/data/znode.js';
import { ttlEphemeralOwner } from '../../../../server/data/ephemeral-type.js';
import { RequestProcessor } from '../../../../server/requests/request-processor.js';
import { Harness, options } from '../support.js';

const isTtlShaped = (owner: bigint) => BigInt.asUintN(64, owner) >> 40n === 0xff0000n;

describe('extended types off (the default): an owner with the high byte 0xFF is a session', () => {
  it("server 255's ephemerals: shown with their owner, no children, deleted with the session, never reaped as TTL", () => {
    const g = new Harness({ serverId: 255 });
    const c = g.connect();
    expect(isTtlShaped(c.sessionId)).toBe(true);
    expect(c.create2('/e', { flags: CreateMode.EPHEMERAL }).body!.stat.ephemeralOwner).toBe(c.sessionId);
    expect(c.exists('/e').body!.stat.ephemeralOwner).toBe(c.sessionId);
    expect([...g.proc.tree.ephemeralsOf(c.sessionId)]).toEqual(['/e']);
    expect(g.proc.tree.ttls.size).toBe(0);
    expect(c.create('/e/child').err).toBe(-108); // NoChildrenForEphemerals
    expect(g.proc.reapContainers(g.now + 10 ** 12)).toEqual([]);
    expect(c.call(OpCode.closeSession).err).toBe(0);
    expect(g.proc.tree.has('/e')).toBe(false);
  });

  it('a TTL node in a tree loaded from disk is an ephemeral of "session" 0xFF00..ttl: shown with that owner, never reaped', () => {
    const owner = ttlEphemeralOwner(5000n);
    const tree = restoredTree(['/t', owner]);
    const proc = new RequestProcessor(options(), 1_000_000, undefined, { tree, sessions: new Map(), lastZxid: 1n });
    expect(proc.tree.ttls.size).toBe(0);
    expect([...proc.tree.ephemeralsOf(owner)]).toEqual(['/t']);
    expect(proc.tree.stat('/t')!.ephemeralOwner).toBe(owner);
    expect(proc.reapContainers(10 ** 12)).toEqual([]);
  });
});

describe('extended types on: the same owner is a TTL node', () => {
  it('a TTL node in a tree loaded from disk (indexed before the setting was known) is re-indexed as one and reaped', () => {
    const owner = ttlEphemeralOwner(5000n);
    const tree = restoredTree(['/t', owner]);
    expect(tree.ttls.size).toBe(0); // a fresh tree reads owners as ZooKeeper's default does
    const proc = new RequestProcessor(options({ extendedTypesEnabled: true }), 1_000_000, undefined, { tree, sessions: new Map(), lastZxid: 1n });
    expect([...proc.tree.ttls]).toEqual(['/t']);
    expect(proc.tree.ephemeralCount).toBe(0);
    expect(proc.tree.stat('/t')!.ephemeralOwner).toBe(0n);
    expect(proc.reapContainers(10 ** 12)).toEqual(['/t']);
  });
});

/** A tree as a snapshot load builds it: persistent nodes plus `[path, owner]` under the root. */
function restoredTree(...nodes: Array<[string, bigint]>): DataTree {
  const fresh = new DataTree();
  const records = [...fresh.entries()].map(([p, n]) => [p, n] as const);
  for (const [path, owner] of nodes) records.push([path, newZnode(Buffer.from('x'), OPEN_ACL_UNSAFE, owner, 1n, 0n)]);
  const tree = DataTree.restore(records);
  if (!(tree instanceof DataTree)) throw new Error(`orphans: ${tree.orphans.join(', ')}`);
  return tree;
}

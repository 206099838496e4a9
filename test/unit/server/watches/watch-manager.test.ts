// WatchManager: the data/child tables, one-shot vs persistent modes, recursive ancestors,
// one notification per watcher per trigger, ACL filtering (protocol.md §6.2–6.5, §6.7).

import { describe, expect, it } from 'vitest';
import type { ACL } from '../../../../protocol/records.js';
import { EventType, OPEN_ACL_UNSAFE, WatcherType } from '../../../../protocol/types.js';
import { WatchManager, type Watcher } from '../../../../server/watches/watch-manager.js';

class W implements Watcher {
  readonly got: [number, string, bigint][] = [];
  readonly aclsSeen: (readonly ACL[])[] = [];
  constructor(private readonly readable = true) {}
  notify(type: number, path: string, zxid: bigint): void {
    this.got.push([type, path, zxid]);
  }
  canRead(acl: readonly ACL[]): boolean {
    this.aclsSeen.push(acl);
    return this.readable;
  }
  take(): [number, string, bigint][] {
    return this.got.splice(0);
  }
}

const { NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged } = EventType;
const ACL_X: readonly ACL[] = [{ perms: 1, id: { scheme: 'digest', id: 'x:y' } }];

describe('standard (one-shot) watches', () => {
  it('a data watch fires once with the trigger zxid, then is gone', () => {
    const m = new WatchManager();
    const w = new W();
    m.addDataWatch('/a', w);
    expect(m.triggerData('/a', NodeDataChanged, 7n, OPEN_ACL_UNSAFE)).toEqual(new Set([w]));
    expect(w.take()).toEqual([[NodeDataChanged, '/a', 7n]]);
    expect(m.triggerData('/a', NodeDataChanged, 8n, OPEN_ACL_UNSAFE).size).toBe(0);
    expect(w.take()).toEqual([]);
    expect(m.totalWatchCount).toBe(0);
  });

  it('one trigger reaches every watcher of a path, consuming only the one-shot registrations', () => {
    const m = new WatchManager();
    const [once, always, both, other] = [new W(), new W(), new W(), new W()];
    m.addDataWatch('/a', once);
    m.addPersistentWatch('/a', always, false);
    m.addDataWatch('/a', both);
    m.addPersistentWatch('/a', both, false);
    m.addDataWatch('/b', other);
    expect(m.triggerData('/a', NodeDataChanged, 1n, OPEN_ACL_UNSAFE)).toEqual(new Set([once, always, both]));
    expect(m.triggerData('/a', NodeDataChanged, 2n, OPEN_ACL_UNSAFE)).toEqual(new Set([always, both]));
    expect([once, always, both].map((w) => w.take().length)).toEqual([1, 2, 2]);
    expect(m.triggerData('/nobody', NodeDataChanged, 3n, OPEN_ACL_UNSAFE).size).toBe(0);
    expect(m.dataWatchesByPath().get('/b')?.has(other)).toBe(true);
  });

  it('a child watch lives in the child table only', () => {
    const m = new WatchManager();
    const w = new W();
    m.addChildWatch('/a', w);
    m.triggerData('/a', NodeDataChanged, 1n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([]);
    m.triggerChild('/a', NodeChildrenChanged, 2n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([[NodeChildrenChanged, '/a', 2n]]);
    m.triggerChild('/a', NodeChildrenChanged, 3n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([]);
  });

  it('only watchers of the exact path fire (no ancestors, no descendants)', () => {
    const m = new WatchManager();
    const parent = new W();
    const child = new W();
    m.addDataWatch('/a', parent);
    m.addDataWatch('/a/b/c', child);
    m.triggerData('/a/b', NodeCreated, 1n, OPEN_ACL_UNSAFE);
    expect(parent.take()).toEqual([]);
    expect(child.take()).toEqual([]);
    expect(m.totalWatchCount).toBe(2);
  });

  it('several watchers of one path each get the event', () => {
    const m = new WatchManager();
    const a = new W();
    const b = new W();
    m.addDataWatch('/x', a);
    m.addDataWatch('/x', b);
    m.addDataWatch('/x', a); // registering twice is one registration
    m.triggerData('/x', NodeDeleted, 5n, OPEN_ACL_UNSAFE);
    expect(a.take()).toEqual([[NodeDeleted, '/x', 5n]]);
    expect(b.take()).toEqual([[NodeDeleted, '/x', 5n]]);
  });
});

describe('persistent watches', () => {
  it('PERSISTENT fires for data and child events on the path and stays', () => {
    const m = new WatchManager();
    const w = new W();
    m.addPersistentWatch('/p', w, false);
    for (let i = 0; i < 3; i++) {
      m.triggerData('/p', NodeDataChanged, BigInt(i), OPEN_ACL_UNSAFE);
      m.triggerChild('/p', NodeChildrenChanged, BigInt(i), OPEN_ACL_UNSAFE);
    }
    expect(w.take()).toHaveLength(6);
    // not for descendants
    m.triggerData('/p/c', NodeDataChanged, 9n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([]);
  });

  it('PERSISTENT_RECURSIVE fires for the path and every descendant, event path = changed node', () => {
    const m = new WatchManager();
    const w = new W();
    m.addPersistentWatch('/r', w, true);
    m.triggerData('/r', NodeCreated, 1n, OPEN_ACL_UNSAFE);
    m.triggerData('/r/a', NodeCreated, 2n, OPEN_ACL_UNSAFE);
    m.triggerData('/r/a/b/c', NodeDataChanged, 3n, OPEN_ACL_UNSAFE);
    m.triggerData('/r/a', NodeDeleted, 4n, OPEN_ACL_UNSAFE);
    m.triggerData('/rx', NodeCreated, 5n, OPEN_ACL_UNSAFE); // a sibling sharing a prefix is not a descendant
    m.triggerData('/', NodeDataChanged, 6n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([
      [NodeCreated, '/r', 1n], [NodeCreated, '/r/a', 2n], [NodeDataChanged, '/r/a/b/c', 3n], [NodeDeleted, '/r/a', 4n],
    ]);
  });

  it('PERSISTENT_RECURSIVE never gets NodeChildrenChanged', () => {
    const m = new WatchManager();
    const w = new W();
    m.addPersistentWatch('/r', w, true);
    m.triggerChild('/r', NodeChildrenChanged, 1n, OPEN_ACL_UNSAFE);
    m.triggerChild('/r/a', NodeChildrenChanged, 2n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([]);
  });

  it('a recursive watch on / sees everything', () => {
    const m = new WatchManager();
    const w = new W();
    m.addPersistentWatch('/', w, true);
    m.triggerData('/a/b', NodeCreated, 1n, OPEN_ACL_UNSAFE);
    m.triggerData('/', NodeDataChanged, 2n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([[NodeCreated, '/a/b', 1n], [NodeDataChanged, '/', 2n]]);
  });

  it('once the last recursive watch is removed, ancestors no longer fire', () => {
    const m = new WatchManager();
    const w = new W();
    m.addPersistentWatch('/r', w, true);
    m.addPersistentWatch('/r', w, true); // idempotent
    expect(m.matches('/r', w, WatcherType.PersistentRecursive, true)).toBe(true);
    m.triggerData('/r/a', NodeCreated, 1n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([]);
    // and a new one works again
    m.addPersistentWatch('/r', w, true);
    m.triggerData('/r/a', NodeCreated, 2n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([[NodeCreated, '/r/a', 2n]]);
  });
});

describe('mode combination (3.9) and one notification per trigger', () => {
  it('standard + persistent on one path: one event, only the standard mode is consumed', () => {
    const m = new WatchManager();
    const w = new W();
    m.addDataWatch('/p', w);
    m.addPersistentWatch('/p', w, false);
    m.triggerData('/p', NodeDataChanged, 1n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([[NodeDataChanged, '/p', 1n]]);
    expect(m.matches('/p', w, WatcherType.Data, false)).toBe(false);
    expect(m.matches('/p', w, WatcherType.Persistent, false)).toBe(true);
    m.triggerData('/p', NodeDataChanged, 2n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([[NodeDataChanged, '/p', 2n]]);
  });

  it('standard + recursive on the path + recursive on ancestors: still one notification', () => {
    const m = new WatchManager();
    const w = new W();
    m.addDataWatch('/a/b/c', w);
    m.addPersistentWatch('/a/b/c', w, true);
    m.addPersistentWatch('/a/b', w, true);
    m.addPersistentWatch('/a', w, true);
    m.addPersistentWatch('/', w, true);
    m.triggerData('/a/b/c', NodeCreated, 3n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([[NodeCreated, '/a/b/c', 3n]]);
  });

  it('triggerChild skips the watchers the data trigger already addressed (NodeDeleted not doubled)', () => {
    const m = new WatchManager();
    const both = new W();
    const childOnly = new W();
    m.addDataWatch('/n', both);
    m.addChildWatch('/n', both);
    m.addChildWatch('/n', childOnly);
    const told = m.triggerData('/n', NodeDeleted, 4n, OPEN_ACL_UNSAFE);
    m.triggerChild('/n', NodeDeleted, 4n, OPEN_ACL_UNSAFE, told);
    expect(both.take()).toEqual([[NodeDeleted, '/n', 4n]]);
    expect(childOnly.take()).toEqual([[NodeDeleted, '/n', 4n]]);
    // the skipped child watch was consumed all the same
    expect(m.matches('/n', both, WatcherType.Children, false)).toBe(false);
    expect(m.totalWatchCount).toBe(0);
  });
});

describe('ACL filter on delivery (3.9.2+)', () => {
  it('a watcher that cannot read gets nothing, but its one-shot watch is consumed', () => {
    const m = new WatchManager();
    const blind = new W(false);
    m.addDataWatch('/s', blind);
    const addressed = m.triggerData('/s', NodeDataChanged, 1n, ACL_X);
    expect(addressed).toEqual(new Set([blind]));
    expect(blind.got).toEqual([]);
    expect(blind.aclsSeen).toEqual([ACL_X]);
    expect(m.matches('/s', blind, WatcherType.Data, false)).toBe(false);
  });

  it('persistent watches stay when an event is filtered', () => {
    const m = new WatchManager();
    const blind = new W(false);
    m.addPersistentWatch('/s', blind, false);
    m.triggerChild('/s', NodeChildrenChanged, 1n, ACL_X);
    expect(blind.got).toEqual([]);
    expect(m.matches('/s', blind, WatcherType.Persistent, false)).toBe(true);
  });

  it('a watcher hidden from NodeDeleted by the ACL is still not told again by the child table', () => {
    const m = new WatchManager();
    const blind = new W(false);
    m.addDataWatch('/s', blind);
    m.addChildWatch('/s', blind);
    const told = m.triggerData('/s', NodeDeleted, 1n, ACL_X);
    m.triggerChild('/s', NodeDeleted, 1n, ACL_X, told);
    expect(blind.aclsSeen).toHaveLength(1);
    expect(m.totalWatchCount).toBe(0);
  });
});

describe('matches: checkWatches / removeWatches by WatcherType (§6.7)', () => {
  function setup() {
    const m = new WatchManager();
    const w = new W();
    return { m, w };
  }

  it.each([
    // [registration, type, expected]
    ['data', WatcherType.Data, true],
    ['data', WatcherType.Children, false],
    ['data', WatcherType.Any, true],
    ['data', WatcherType.Persistent, false],
    ['data', WatcherType.PersistentRecursive, false],
    ['child', WatcherType.Children, true],
    ['child', WatcherType.Data, false],
    ['child', WatcherType.Any, true],
    ['child', WatcherType.Persistent, false],
    ['persistent', WatcherType.Persistent, true],
    ['persistent', WatcherType.Data, false],
    ['persistent', WatcherType.Children, false],
    ['persistent', WatcherType.Any, true],
    ['persistent', WatcherType.PersistentRecursive, false],
    ['recursive', WatcherType.PersistentRecursive, true],
    ['recursive', WatcherType.Persistent, false],
    ['recursive', WatcherType.Data, false],
    ['recursive', WatcherType.Any, true],
  ] as const)('%s watch, type %i -> %s', (reg, type, expected) => {
    const { m, w } = setup();
    if (reg === 'data') m.addDataWatch('/p', w);
    if (reg === 'child') m.addChildWatch('/p', w);
    if (reg === 'persistent') m.addPersistentWatch('/p', w, false);
    if (reg === 'recursive') m.addPersistentWatch('/p', w, true);
    expect(m.matches('/p', w, type, false)).toBe(expected);
    // check does not remove
    expect(m.matches('/p', w, type, false)).toBe(expected);
    // remove removes exactly what matched
    expect(m.matches('/p', w, type, true)).toBe(expected);
    expect(m.matches('/p', w, type, false)).toBe(false);
    expect(m.matches('/p', w, WatcherType.Any, false)).toBe(!expected);
  });

  it('another watcher or another path does not match; unknown types never match', () => {
    const { m, w } = setup();
    m.addDataWatch('/p', w);
    expect(m.matches('/p', new W(), WatcherType.Any, false)).toBe(false);
    expect(m.matches('/q', w, WatcherType.Any, false)).toBe(false);
    expect(m.matches('/p', w, 0, true)).toBe(false);
    expect(m.matches('/p', w, 6, true)).toBe(false);
    expect(m.matches('/p', w, WatcherType.Data, false)).toBe(true);
  });

  it('removing Children leaves the data watch; removing Any clears everything on the path', () => {
    const { m, w } = setup();
    m.addDataWatch('/p', w);
    m.addChildWatch('/p', w);
    m.addPersistentWatch('/p', w, false);
    m.addPersistentWatch('/p', w, true);
    expect(m.matches('/p', w, WatcherType.Children, true)).toBe(true);
    m.triggerChild('/p', NodeChildrenChanged, 1n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([[NodeChildrenChanged, '/p', 1n]]); // the persistent one
    expect(m.matches('/p', w, WatcherType.Any, true)).toBe(true);
    m.triggerData('/p', NodeDataChanged, 2n, OPEN_ACL_UNSAFE);
    m.triggerChild('/p', NodeChildrenChanged, 3n, OPEN_ACL_UNSAFE);
    m.triggerData('/p/x', NodeCreated, 4n, OPEN_ACL_UNSAFE);
    expect(w.take()).toEqual([]);
    expect(m.totalWatchCount).toBe(0);
  });
});

describe('removeWatcher and summaries', () => {
  it('removeWatcher drops every registration of that watcher only', () => {
    const m = new WatchManager();
    const gone = new W();
    const stays = new W();
    m.addDataWatch('/a', gone);
    m.addChildWatch('/a', gone);
    m.addPersistentWatch('/b', gone, true);
    m.addDataWatch('/a', stays);
    m.removeWatcher(gone);
    m.triggerData('/a', NodeDeleted, 1n, OPEN_ACL_UNSAFE);
    m.triggerChild('/a', NodeDeleted, 1n, OPEN_ACL_UNSAFE);
    m.triggerData('/b/c', NodeCreated, 2n, OPEN_ACL_UNSAFE);
    expect(gone.got).toEqual([]);
    expect(stays.take()).toEqual([[NodeDeleted, '/a', 1n]]);
  });

  it('summary covers the data table only (wchs)', () => {
    const m = new WatchManager();
    const a = new W();
    const b = new W();
    m.addDataWatch('/x', a);
    m.addDataWatch('/x', b);
    m.addDataWatch('/y', a);
    m.addChildWatch('/z', b);
    m.addPersistentWatch('/p', a, false); // data + child
    expect(m.summary()).toEqual({ connections: 2, paths: 3, watches: 4 });
    expect(m.totalWatchCount).toBe(6);
    expect([...m.dataWatchesByPath().keys()].sort()).toEqual(['/p', '/x', '/y']);
    expect([...m.dataWatchesByWatcher().get(a)!].sort()).toEqual(['/p', '/x', '/y']);
  });
});

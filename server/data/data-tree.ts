// The in-memory znode tree: nodes by path, child sets, and the indexes the server needs
// (ephemerals per session, containers, TTL nodes — which owners are TTL nodes depends on the
// server's extendedTypesEnabled). Pure and synchronous; Stat rules of protocol.md §7 live here.
// Counterpart: org.apache.zookeeper.server.DataTree.

import assert from 'node:assert/strict';
import type { ACL, Stat } from '../../protocol/records.js';
import { NoNodeError, NodeExistsError } from '../../protocol/errors.js';
import { childNameOf, parentOf } from '../../protocol/paths.js';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../../protocol/types.js';
import { NO_CHILDREN, addChild, builtinZnode, newZnode, removeChild, statOf, type Znode } from './znode.js';
import { EphemeralKind, ephemeralKindOf } from './ephemeral-type.js';

export const ZOOKEEPER_PATH = '/zookeeper';
export const QUOTA_PATH = '/zookeeper/quota';
export const CONFIG_PATH = '/zookeeper/config';

export class DataTree {
  private readonly nodes = new Map<string, Znode>();
  private readonly ephemeralsBySession = new Map<bigint, Set<string>>();
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  /** Sum of path lengths and data lengths, as ZooKeeper's approximateDataSize. */
  private dataSize = 0;
  /** zookeeper.extendedTypesEnabled: owners with the high byte 0xFF are TTL nodes. Off by default, as ZooKeeper. */
  private extendedTypes = false;

  constructor() {
    this.nodes.set('/', builtinZnode(OPEN_ACL_UNSAFE));
    this.attachBuiltin(ZOOKEEPER_PATH, OPEN_ACL_UNSAFE);
    this.attachBuiltin(QUOTA_PATH, OPEN_ACL_UNSAFE);
    const config = this.attachBuiltin(CONFIG_PATH, READ_ACL_UNSAFE);
    config.aversion = -1;
  }

  private attachBuiltin(path: string, acl: readonly ACL[]): Znode {
    const node = builtinZnode(acl);
    this.nodes.set(path, node);
    addChild(this.nodes.get(parentOf(path))!, childNameOf(path));
    this.dataSize += path.length;
    return node;
  }

  /**
   * Builds a tree from snapshot records (children and indexes are rebuilt; a repeated path keeps
   * its last record). Returns the paths whose parent is missing instead of a tree, if any.
   */
  static restore(records: Iterable<readonly [string, Znode]>): DataTree | { orphans: string[] } {
    const tree = new DataTree();
    tree.nodes.clear();
    tree.dataSize = 0;
    for (const [path, node] of records) tree.nodes.set(path, { ...node, children: NO_CHILDREN });
    const orphans: string[] = [];
    if (!tree.nodes.has('/')) orphans.push('/');
    for (const [path, node] of tree.nodes) {
      tree.dataSize += path === '/' ? 0 : path.length + (node.data?.length ?? 0);
      if (path === '/') continue;
      const parent = tree.nodes.get(parentOf(path));
      if (!parent) {
        orphans.push(path);
        continue;
      }
      addChild(parent, childNameOf(path));
      tree.index(path, node.ephemeralOwner);
    }
    return orphans.length > 0 ? { orphans } : tree;
  }

  get extendedTypesEnabled(): boolean {
    return this.extendedTypes;
  }

  /**
   * Sets how ephemeralOwners are read — the server's extendedTypesEnabled — and rebuilds the
   * indexes if that changes (a tree loaded or replayed before the setting was known).
   */
  setExtendedTypesEnabled(enabled: boolean): void {
    if (enabled === this.extendedTypes) return;
    this.extendedTypes = enabled;
    this.containers.clear();
    this.ttls.clear();
    this.ephemeralsBySession.clear();
    for (const [path, node] of this.nodes) this.index(path, node.ephemeralOwner);
  }

  /** Every node in insertion order (parents before children); safe to walk while the tree changes. */
  entries(): IterableIterator<[string, Znode]> {
    return this.nodes.entries();
  }

  get(path: string): Znode | undefined {
    return this.nodes.get(path);
  }

  has(path: string): boolean {
    return this.nodes.has(path);
  }

  stat(path: string): Stat | undefined {
    const node = this.nodes.get(path);
    return node && this.statOf(node);
  }

  /** The Stat clients are shown for one of this tree's nodes. */
  statOf(node: Znode): Stat {
    return statOf(node, this.extendedTypes);
  }

  /** ZooKeeper counts the root twice ("" and "/"); so do we, to match srvr / mntr. */
  get nodeCount(): number {
    return this.nodes.size + 1;
  }

  get approximateDataSize(): number {
    return this.dataSize;
  }

  /**
   * Adds a node. `parentCVersion` is the parent's new stored cversion computed at prepare time
   * (-1 = one more than now); it, and pzxid, move only forwards.
   */
  createNode(
    path: string, data: Buffer | null, acl: readonly ACL[], ephemeralOwner: bigint,
    parentCVersion: number, zxid: bigint, time: bigint,
  ): Znode {
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    if (!parent) throw new NoNodeError(parentPath);
    const name = childNameOf(path);
    if (parent.children.has(name)) throw new NodeExistsError(path);
    const newCVersion = parentCVersion === -1 ? (parent.cversion + 1) | 0 : parentCVersion;
    if (newCVersion > parent.cversion) {
      parent.cversion = newCVersion;
      parent.pzxid = zxid;
    }
    const node = newZnode(data, acl, ephemeralOwner, zxid, time);
    addChild(parent, name);
    this.nodes.set(path, node);
    this.dataSize += path.length + (data?.length ?? 0);
    this.index(path, ephemeralOwner);
    return node;
  }

  /** Moves a node's stored cversion (and pzxid) forward to at least `cversion` (log replay). */
  raiseCVersion(path: string, cversion: number, zxid: bigint): void {
    const node = this.nodes.get(path);
    if (!node || cversion <= node.cversion) return;
    node.cversion = cversion;
    if (zxid > node.pzxid) node.pzxid = zxid;
  }

  /** Moves a node's pzxid forward to `zxid` (log replay of a child change already reflected). */
  raisePzxid(path: string, zxid: bigint): void {
    const node = this.nodes.get(path);
    if (node && zxid > node.pzxid) node.pzxid = zxid;
  }

  deleteNode(path: string, zxid: bigint): Znode {
    const node = this.nodes.get(path);
    if (!node) throw new NoNodeError(path);
    assert.ok(path !== '/', 'the root is never deleted');
    const parent = this.nodes.get(parentOf(path));
    assert.ok(parent, `parent of ${path} missing`);
    this.nodes.delete(path);
    removeChild(parent, childNameOf(path));
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    this.dataSize -= path.length + (node.data?.length ?? 0);
    this.unindex(path, node.ephemeralOwner);
    return node;
  }

  setData(path: string, data: Buffer | null, version: number, zxid: bigint, time: bigint): Znode {
    const node = this.nodes.get(path);
    if (!node) throw new NoNodeError(path);
    this.dataSize += (data?.length ?? 0) - (node.data?.length ?? 0);
    node.data = data;
    node.version = version;
    node.mzxid = zxid;
    node.mtime = time;
    return node;
  }

  setACL(path: string, acl: readonly ACL[], aversion: number): Znode {
    const node = this.nodes.get(path);
    if (!node) throw new NoNodeError(path);
    node.acl = acl;
    node.aversion = aversion;
    return node;
  }

  /** Paths of the ephemerals a session owns (a live view; copy before mutating the tree). */
  ephemeralsOf(sessionId: bigint): ReadonlySet<string> {
    return this.ephemeralsBySession.get(sessionId) ?? new Set();
  }

  /** Every session that owns ephemerals, with their paths. */
  ephemeralOwners(): ReadonlyMap<bigint, ReadonlySet<string>> {
    return this.ephemeralsBySession;
  }

  get ephemeralCount(): number {
    let n = 0;
    for (const s of this.ephemeralsBySession.values()) n += s.size;
    return n;
  }

  /** Number of descendants of a node (the node itself excluded). */
  allChildrenNumber(path: string): number {
    const node = this.nodes.get(path);
    if (!node) return 0;
    let count = 0;
    const stack: string[] = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const n = this.nodes.get(p)!;
      for (const child of n.children) {
        count++;
        stack.push(p === '/' ? `/${child}` : `${p}/${child}`);
      }
    }
    return count;
  }

  private index(path: string, owner: bigint): void {
    switch (ephemeralKindOf(owner, this.extendedTypes)) {
      case EphemeralKind.CONTAINER: this.containers.add(path); break;
      case EphemeralKind.TTL: this.ttls.add(path); break;
      case EphemeralKind.NORMAL: {
        let set = this.ephemeralsBySession.get(owner);
        if (!set) this.ephemeralsBySession.set(owner, (set = new Set()));
        set.add(path);
        break;
      }
      case EphemeralKind.VOID: break;
    }
  }

  private unindex(path: string, owner: bigint): void {
    switch (ephemeralKindOf(owner, this.extendedTypes)) {
      case EphemeralKind.CONTAINER: this.containers.delete(path); break;
      case EphemeralKind.TTL: this.ttls.delete(path); break;
      case EphemeralKind.NORMAL: {
        const set = this.ephemeralsBySession.get(owner);
        set?.delete(path);
        if (set?.size === 0) this.ephemeralsBySession.delete(owner);
        break;
      }
      case EphemeralKind.VOID: break;
    }
  }
}

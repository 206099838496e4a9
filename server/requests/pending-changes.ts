// The view writes are validated against: the tree plus every change prepared but not yet applied,
// so back-to-back writes (and the ops of one multi) see each other. Records are dropped as their
// txns are applied; a failed multi rolls its records back.
// Counterpart: ZooKeeperServer.outstandingChanges / ChangeRecord, PrepRequestProcessor.getRecordForPath.

import type { ACL } from '../../protocol/records.js';
import { NoNodeError } from '../../protocol/errors.js';
import type { DataTree } from '../data/data-tree.js';

export interface NodeRecord {
  readonly zxid: bigint;
  readonly path: string;
  /** undefined when the change deletes the node. */
  readonly node: PendingNode | undefined;
}

export interface PendingNode {
  acl: readonly ACL[];
  version: number;
  /** Stored cversion (child creations). */
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  childCount: number;
}

export interface Checkpoint {
  readonly length: number;
  readonly overwritten: Map<string, NodeRecord | undefined>;
}

export class PendingChanges {
  /** Records in zxid order; those before `head` are applied and wait to be compacted away. */
  private queue: NodeRecord[] = [];
  private head = 0;
  private readonly byPath = new Map<string, NodeRecord>();
  private checkpoint: Checkpoint | undefined;

  constructor(private readonly tree: DataTree) {}

  /** The node as the next txn will find it; throws NoNode when it does not exist. */
  get(path: string): PendingNode {
    const rec = this.byPath.get(path);
    if (rec) {
      if (!rec.node) throw new NoNodeError(path);
      return { ...rec.node };
    }
    const node = this.tree.get(path);
    if (!node) throw new NoNodeError(path);
    return {
      acl: node.acl, version: node.version, cversion: node.cversion, aversion: node.aversion,
      ephemeralOwner: node.ephemeralOwner, childCount: node.children.size,
    };
  }

  exists(path: string): boolean {
    const rec = this.byPath.get(path);
    return rec ? rec.node !== undefined : this.tree.has(path);
  }

  /** Pending changes in zxid order (closeSession consults them for ephemerals in flight). */
  records(): readonly NodeRecord[] {
    return this.head === 0 ? this.queue : this.queue.slice(this.head);
  }

  add(zxid: bigint, path: string, node: PendingNode | undefined): void {
    const rec: NodeRecord = { zxid, path, node };
    if (this.checkpoint && !this.checkpoint.overwritten.has(path)) {
      this.checkpoint.overwritten.set(path, this.byPath.get(path));
    }
    this.queue.push(rec);
    this.byPath.set(path, rec);
  }

  /** Starts a multi: changes from here on can be rolled back together. */
  begin(): void {
    this.checkpoint = { length: this.queue.length, overwritten: new Map() };
  }

  commit(): void {
    this.checkpoint = undefined;
  }

  rollback(): void {
    const cp = this.checkpoint;
    if (!cp) return;
    this.queue.length = cp.length;
    for (const [path, rec] of cp.overwritten) {
      if (rec) this.byPath.set(path, rec);
      else this.byPath.delete(path);
    }
    this.checkpoint = undefined;
  }

  /** Forgets the records of txns up to and including `zxid` (they are in the tree now). */
  applied(zxid: bigint): void {
    while (this.head < this.queue.length && this.queue[this.head]!.zxid <= zxid) {
      const rec = this.queue[this.head++]!;
      if (this.byPath.get(rec.path) === rec) this.byPath.delete(rec.path);
    }
    // Compact in bulk, so a long queue (a group commit's worth) costs O(1) per applied txn.
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.queue.length - this.head;
  }
}

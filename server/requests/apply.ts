// Applies a txn to the tree and fires the watches it triggers, in ZooKeeper's order (the events
// are queued before the reply is built). Returns what the reply needs. Errors a txn meets in the
// tree (only possible on replay) become result codes, as ZooKeeper's processTxn does.
// Counterpart: DataTree.processTxn / createNode / deleteNode / setData / killSession.

import { Code, KeeperError } from '../../protocol/errors.js';
import type { Stat } from '../../protocol/records.js';
import { OpCode } from '../../protocol/ops.js';
import { parentOf } from '../../protocol/paths.js';
import { EventType } from '../../protocol/types.js';
import type { MultiResult } from '../../protocol/multi.js';
import type { DataTree } from '../data/data-tree.js';
import { CONTAINER_EPHEMERAL_OWNER, ttlEphemeralOwner } from '../data/ephemeral-type.js';
import type { WatchManager } from '../watches/watch-manager.js';
import { AclInterner } from './acl-interner.js';
import type { Txn, TxnRecord } from './txn.js';

export type ApplyResult =
  | { err: 0; path?: string; stat?: Stat }
  | { err: number }
  | { err: 0; multi: MultiResult[] };

export class TxnApplier {
  /** Equal ACL lists of created nodes and setACLs share one array. */
  private readonly acls = new AclInterner();

  constructor(
    private readonly tree: DataTree,
    private readonly watches: WatchManager,
  ) {}

  apply(txn: Txn): ApplyResult {
    const { zxid, time, clientId } = txn.header;
    if (txn.record.type === OpCode.multi) return { err: 0, multi: this.applyMulti(txn.record.body, clientId, zxid, time) };
    try {
      return this.applyOne(txn.record, clientId, zxid, time);
    } catch (e) {
      if (e instanceof KeeperError) return { err: e.code };
      throw e;
    }
  }

  /**
   * Re-applies a logged txn during recovery, over a fuzzy snapshot that may already hold some of
   * its effects (or later ones): what is already there is skipped, but the parent's cversion and
   * pzxid still move forward — a create that finds its node, and a delete that finds none (the
   * walk passed the parent before the child went), would otherwise leave the parent's stat stale
   * (the ZOOKEEPER-3145 class). A delete that finds children (of a later incarnation) leaves the
   * node. Counterpart: FileTxnSnapLog.processTransaction.
   */
  replay(txn: Txn): void {
    const { zxid, time, clientId } = txn.header;
    const subs = txn.record.type === OpCode.multi ? txn.record.body : [txn.record];
    if (subs.some((s) => s.type === OpCode.error)) return;
    for (const s of subs) {
      switch (s.type) {
        case OpCode.delete:
        case OpCode.deleteContainer:
          if (!this.tree.has(s.body.path)) this.tree.raisePzxid(parentOf(s.body.path), zxid);
          else if (this.tree.get(s.body.path)!.children.size === 0) this.deleteNode(s.body.path, zxid);
          continue;
        case OpCode.closeSession:
          for (const path of s.body.paths2Delete) if (!this.tree.has(path)) this.tree.raisePzxid(parentOf(path), zxid);
          break;
      }
      try {
        this.applyOne(s, clientId, zxid, time);
      } catch (e) {
        if (!(e instanceof KeeperError)) throw e;
        if (e.code === Code.NODEEXISTS && 'parentCVersion' in s.body) {
          this.tree.raiseCVersion(parentOf(s.body.path), s.body.parentCVersion, zxid);
        }
      }
    }
  }

  private applyOne(record: TxnRecord, sessionId: bigint, zxid: bigint, time: bigint): ApplyResult {
    switch (record.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL: {
        const b = record.body;
        const owner = this.ownerFor(record, sessionId);
        const node = this.tree.createNode(b.path, b.data, this.acls.intern(b.acl), owner, b.parentCVersion, zxid, time);
        this.watches.triggerData(b.path, EventType.NodeCreated, zxid, node.acl);
        const parentPath = parentOf(b.path);
        this.watches.triggerChild(parentPath, EventType.NodeChildrenChanged, zxid, this.tree.get(parentPath)!.acl);
        // A plain create answers with the path alone (CreateResponse / CreateResult).
        return record.type === OpCode.create ? { err: 0, path: b.path } : { err: 0, path: b.path, stat: this.tree.statOf(node) };
      }
      case OpCode.delete:
      case OpCode.deleteContainer:
        this.deleteNode(record.body.path, zxid);
        return { err: 0 };
      case OpCode.setData:
      case OpCode.reconfig: {
        const b = record.body;
        const node = this.tree.setData(b.path, b.data, b.version, zxid, time);
        this.watches.triggerData(b.path, EventType.NodeDataChanged, zxid, node.acl);
        return { err: 0, stat: this.tree.statOf(node) };
      }
      case OpCode.setACL: {
        const node = this.tree.setACL(record.body.path, this.acls.intern(record.body.acl), record.body.version);
        return { err: 0, stat: this.tree.statOf(node) };
      }
      case OpCode.check:
      case OpCode.createSession:
        return { err: 0 };
      case OpCode.closeSession:
        this.killSession(sessionId, record.body.paths2Delete, zxid);
        return { err: 0 };
      case OpCode.error:
        return { err: record.body.err };
      case OpCode.multi:
        throw new Error('nested multi');
    }
  }

  /** The raw ephemeralOwner a create txn stores (ephemerals belong to the txn's session). */
  private ownerFor(record: TxnRecord, sessionId: bigint): bigint {
    switch (record.type) {
      case OpCode.createContainer: return CONTAINER_EPHEMERAL_OWNER;
      case OpCode.createTTL: return ttlEphemeralOwner(record.body.ttl);
      case OpCode.create:
      case OpCode.create2: return record.body.ephemeral ? sessionId : 0n;
      default: return 0n;
    }
  }

  private deleteNode(path: string, zxid: bigint): void {
    const node = this.tree.deleteNode(path, zxid);
    const told = this.watches.triggerData(path, EventType.NodeDeleted, zxid, node.acl);
    this.watches.triggerChild(path, EventType.NodeDeleted, zxid, node.acl, told);
    const parentPath = parentOf(path);
    const parent = this.tree.get(parentPath);
    if (parent) this.watches.triggerChild(parentPath, EventType.NodeChildrenChanged, zxid, parent.acl);
  }

  /** Deletes a closed session's ephemerals: the listed paths, then any the tree still has. */
  private killSession(sessionId: bigint, paths: readonly string[], zxid: bigint): void {
    for (const path of paths) {
      if (this.tree.has(path)) this.deleteNode(path, zxid);
    }
    for (const path of [...this.tree.ephemeralsOf(sessionId)]) this.deleteNode(path, zxid);
  }

  private applyMulti(subs: TxnRecord[], sessionId: bigint, zxid: bigint, time: bigint): MultiResult[] {
    const failedAt = subs.findIndex((s) => s.type === OpCode.error);
    if (failedAt >= 0) {
      return subs.map((s, i) => ({
        type: -1 as const,
        err: i < failedAt ? Code.OK : s.type === OpCode.error ? s.body.err : Code.RUNTIMEINCONSISTENCY,
      }));
    }
    return subs.map((s) => {
      const r = this.applyOne(s, sessionId, zxid, time);
      if (r.err !== 0) return { type: -1 as const, err: r.err };
      const ok = r as { path?: string; stat?: Stat };
      switch (s.type) {
        case OpCode.create: return { type: 1 as const, path: ok.path! };
        case OpCode.create2: case OpCode.createContainer: case OpCode.createTTL:
          return { type: 15 as const, path: ok.path!, stat: ok.stat! };
        case OpCode.delete: case OpCode.deleteContainer: return { type: 2 as const };
        case OpCode.setData: return { type: 5 as const, stat: ok.stat! };
        case OpCode.check: return { type: 13 as const };
        default: return { type: -1 as const, err: Code.MARSHALLINGERROR };
      }
    });
  }
}

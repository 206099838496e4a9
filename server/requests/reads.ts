// Read-only requests answered from the local tree: ACL checks, watch registration, SetWatches
// replay with relativeZxid, check/remove/addWatch, getEphemerals, multiRead and whoAmI.
// Counterpart: the read branches of FinalRequestProcessor and DataTree.setWatches.

import type { ClientInfo, Id, Stat } from '../../protocol/records.js';
import * as R from '../../protocol/records.js';
import {
  BadArgumentsError, KeeperError, MarshallingError, NoNodeError, NoWatcherError,
} from '../../protocol/errors.js';
import type { MultiOp, MultiResult } from '../../protocol/multi.js';
import { OpCode } from '../../protocol/ops.js';
import { EventType, Perms } from '../../protocol/types.js';
import { checkACL, hasPermission, maskDigests } from '../data/acl.js';
import type { DataTree } from '../data/data-tree.js';
import type { Znode } from '../data/znode.js';
import type { Watcher, WatchManager } from '../watches/watch-manager.js';

/** The reading connection: its session, auth ids, and itself as the watcher to register. */
export interface ReadContext extends Watcher {
  readonly sessionId: bigint;
  readonly authIds: readonly Id[];
}

/** Java's DataTree keeps the root under "" too, so reads of "" see the root. */
function lookup(tree: DataTree, path: string): Znode {
  const node = tree.get(path === '' ? '/' : path);
  if (!node) throw new NoNodeError(path);
  return node;
}

export class ReadProcessor {
  constructor(
    private readonly tree: DataTree,
    private readonly watches: WatchManager,
  ) {}

  /** Answers one read op; returns the response record (or undefined for header-only replies). */
  read(type: number, request: any, ctx: ReadContext): unknown {
    switch (type) {
      case OpCode.exists: return this.exists(request, ctx);
      case OpCode.getData: return this.getData(request, ctx);
      case OpCode.getChildren: return { children: this.getChildren(request, ctx).children };
      case OpCode.getChildren2: return this.getChildren(request, ctx);
      case OpCode.getACL: return this.getACL(request.path, ctx);
      case OpCode.getAllChildrenNumber: {
        const node = lookup(this.tree, request.path);
        checkACL(node.acl, Perms.READ, ctx.authIds, request.path);
        // Java keeps the root under "" and "/": counting under "" includes the "/" entry.
        const total = request.path === '' ? this.tree.allChildrenNumber('/') + 1 : this.tree.allChildrenNumber(request.path);
        return { totalNumber: total };
      }
      case OpCode.getEphemerals: return { ephemerals: this.getEphemerals(request.prefixPath, ctx) };
      case OpCode.multiRead: return this.multiRead(request as MultiOp[], ctx);
      case OpCode.whoAmI: return { clientInfo: ctx.authIds.map(clientInfoOf) };
      case OpCode.sync: return { path: request.path };
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        if (request.type < 1 || request.type > 5) throw new MarshallingError(request.path);
        if (!this.watches.matches(request.path, ctx, request.type, type === OpCode.removeWatches)) {
          throw new NoWatcherError(request.path);
        }
        return undefined;
      }
      case OpCode.addWatch: {
        if (request.mode !== 0 && request.mode !== 1) throw new MarshallingError(request.path);
        this.watches.addPersistentWatch(request.path, ctx, request.mode === 1);
        return { err: 0 };
      }
      case OpCode.setWatches:
      case OpCode.setWatches2:
        this.setWatches(request, ctx);
        return undefined;
      default:
        throw new MarshallingError();
    }
  }

  private exists(request: R.PathWatchRequest, ctx: ReadContext): { stat: Stat } {
    const { path, watch } = request;
    if (path.includes('\u0000')) throw new BadArgumentsError(path);
    const node = this.tree.get(path === '' ? '/' : path);
    if (node) checkACL(node.acl, Perms.READ, ctx.authIds, path);
    if (watch) this.watches.addDataWatch(path, ctx);
    if (!node) throw new NoNodeError(path);
    return { stat: this.tree.statOf(node) };
  }

  private getData(request: R.PathWatchRequest, ctx: ReadContext): { data: Buffer | null; stat: Stat } {
    const node = lookup(this.tree, request.path);
    checkACL(node.acl, Perms.READ, ctx.authIds, request.path);
    if (request.watch) this.watches.addDataWatch(request.path, ctx);
    return { data: node.data, stat: this.tree.statOf(node) };
  }

  private getChildren(request: R.PathWatchRequest, ctx: ReadContext): { children: string[]; stat: Stat } {
    const node = lookup(this.tree, request.path);
    checkACL(node.acl, Perms.READ, ctx.authIds, request.path);
    if (request.watch) this.watches.addChildWatch(request.path, ctx);
    return { children: [...node.children], stat: this.tree.statOf(node) };
  }

  private getACL(path: string, ctx: ReadContext): { acl: R.ACL[]; stat: Stat } {
    const node = lookup(this.tree, path);
    checkACL(node.acl, Perms.READ | Perms.ADMIN, ctx.authIds, path);
    const acl = hasPermission(node.acl, Perms.ADMIN, ctx.authIds) ? [...node.acl] : maskDigests(node.acl);
    return { acl, stat: this.tree.statOf(node) };
  }

  private getEphemerals(prefix: string | null, ctx: ReadContext): string[] {
    const all = [...this.tree.ephemeralsOf(ctx.sessionId)];
    if (prefix === null || prefix.trim() === '' || prefix === '/') return all;
    return all.filter((p) => p.startsWith(prefix));
  }

  private multiRead(ops: MultiOp[], ctx: ReadContext): MultiResult[] {
    return ops.map((op): MultiResult => {
      try {
        if (op.type === OpCode.getData) {
          return { type: 4, ...this.getData({ path: op.request.path, watch: false }, ctx) };
        }
        if (op.type === OpCode.getChildren) {
          return { type: 8, children: this.getChildren({ path: op.request.path, watch: false }, ctx).children };
        }
        throw new MarshallingError();
      } catch (e) {
        if (e instanceof KeeperError) return { type: -1, err: e.code };
        throw e;
      }
    });
  }

  /**
   * Re-arms a reconnecting client's watches. Changes it missed since relativeZxid are reported at
   * once (these synthesized events carry zxid -1 and skip the ACL filter, as ZooKeeper's do).
   */
  private setWatches(req: R.SetWatches2 | R.SetWatches, watcher: Watcher): void {
    const rel = req.relativeZxid;
    for (const path of req.dataWatches) {
      const node = this.tree.get(path);
      if (!node) watcher.notify(EventType.NodeDeleted, path, -1n);
      else if (node.mzxid > rel) watcher.notify(EventType.NodeDataChanged, path, -1n);
      else this.watches.addDataWatch(path, watcher);
    }
    for (const path of req.existWatches) {
      if (this.tree.has(path)) watcher.notify(EventType.NodeCreated, path, -1n);
      else this.watches.addDataWatch(path, watcher);
    }
    for (const path of req.childWatches) {
      const node = this.tree.get(path);
      if (!node) watcher.notify(EventType.NodeDeleted, path, -1n);
      else if (node.pzxid > rel) watcher.notify(EventType.NodeChildrenChanged, path, -1n);
      else this.watches.addChildWatch(path, watcher);
    }
    if ('persistentWatches' in req) {
      for (const path of req.persistentWatches) this.watches.addPersistentWatch(path, watcher, false);
      for (const path of req.persistentRecursiveWatches) this.watches.addPersistentWatch(path, watcher, true);
    }
  }
}

function clientInfoOf(id: Id): ClientInfo {
  switch (id.scheme) {
    case 'ip': return { authScheme: 'ip', user: id.id };
    case 'digest': return { authScheme: 'digest', user: id.id.split(':', 1)[0]! };
    default: return { authScheme: id.scheme, user: '' };
  }
}

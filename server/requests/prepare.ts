// Turns a write request into a txn: validation in ZooKeeper's exact order (protocol.md §8), ACL
// checks, sequential names, version checks — against the pending view. A failed write still
// becomes a txn (an error txn, or a multi of error sub-txns) and so consumes a zxid.
// Counterpart: org.apache.zookeeper.server.PrepRequestProcessor (pRequest2Txn*, fixupACL).

import type { Id } from '../../protocol/records.js';
import * as R from '../../protocol/records.js';
import {
  BadArgumentsError, BadVersionError, KeeperError, MarshallingError, NoChildrenForEphemeralsError,
  NodeExistsError, NotEmptyError, ReconfigDisabledError, SessionExpiredError, UnimplementedError,
  UnknownSessionError,
} from '../../protocol/errors.js';
import { OpCode } from '../../protocol/ops.js';
import type { MultiOp } from '../../protocol/multi.js';
import { isValidPath, parentOf } from '../../protocol/paths.js';
import { createModeInfo, Perms } from '../../protocol/types.js';
import { checkACL, fixupACL } from '../data/acl.js';
import {
  CONTAINER_EPHEMERAL_OWNER, EphemeralKind, ephemeralKindOf, MAX_TTL_MS, ttlEphemeralOwner,
} from '../data/ephemeral-type.js';
import { CONFIG_PATH, QUOTA_PATH, ZOOKEEPER_PATH, type DataTree } from '../data/data-tree.js';
import type { SessionTracker } from '../sessions/session-tracker.js';
import type { PendingChanges } from './pending-changes.js';
import type { Txn, TxnRecord } from './txn.js';

export interface WriteRequest {
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly type: number;
  readonly request: any;
  readonly authIds: readonly Id[];
}

export interface PrepareOptions {
  readonly extendedTypesEnabled: boolean;
  readonly reconfigEnabled: boolean;
}

const SPECIAL_PATHS = new Set(['/', ZOOKEEPER_PATH, QUOTA_PATH, CONFIG_PATH]);

function checkAndIncVersion(current: number, expected: number, path: string): number {
  if (expected !== -1 && expected !== current) throw new BadVersionError(path);
  return (current + 1) | 0;
}

function validatePath(path: string): void {
  if (!isValidPath(path)) throw new BadArgumentsError(path);
}

/** The light check delete and create apply before lookups: a '/' somewhere and no NUL. */
function parentForWrite(path: string): string {
  if (path.lastIndexOf('/') < 0 || path.includes('\u0000')) throw new BadArgumentsError(path);
  return parentOf(path);
}

function formatSequence(cversion: number): string {
  return cversion < 0 ? `-${String(-cversion).padStart(9, '0')}` : String(cversion).padStart(10, '0');
}

export class Preparer {
  constructor(
    private readonly tree: DataTree,
    private readonly pending: PendingChanges,
    private readonly sessions: SessionTracker,
    private readonly options: PrepareOptions,
  ) {}

  /** Builds the txn for a write request. Never throws a KeeperError: failures become error txns. */
  prepare(req: WriteRequest, zxid: bigint, time: bigint): Txn {
    const header = { clientId: req.sessionId, cxid: req.cxid, zxid, time, type: req.type };
    if (req.type === OpCode.multi) return { header, record: this.prepareMulti(req, zxid, time) };
    try {
      const record = this.prepareOp(req.type, req.request, req, zxid, time);
      return { header: { ...header, type: record.type }, record };
    } catch (e) {
      if (!(e instanceof KeeperError)) throw e;
      return { header: { ...header, type: OpCode.error }, record: { type: OpCode.error, body: { err: e.code } } };
    }
  }

  /** createSession: the txn that makes a session durable. */
  prepareCreateSession(sessionId: bigint, timeoutMs: number, zxid: bigint, time: bigint): Txn {
    return {
      header: { clientId: sessionId, cxid: 0, zxid, time, type: OpCode.createSession },
      record: { type: OpCode.createSession, body: { timeOut: timeoutMs } },
    };
  }

  /** closeSession (explicit or expiry): lists the ephemerals to delete, counting pending changes. */
  prepareCloseSession(sessionId: bigint, cxid: number, zxid: bigint, time: bigint): Txn {
    const paths = new Set(this.tree.ephemeralsOf(sessionId));
    for (const rec of this.pending.records()) {
      if (!rec.node) paths.delete(rec.path);
      else if (rec.node.ephemeralOwner === sessionId) paths.add(rec.path);
    }
    for (const path of paths) {
      const parentPath = parentOf(path);
      if (this.pending.exists(parentPath)) {
        const parent = this.pending.get(parentPath);
        parent.childCount--;
        this.pending.add(zxid, parentPath, parent);
      }
      this.pending.add(zxid, path, undefined);
    }
    this.sessions.setClosing(sessionId);
    return {
      header: { clientId: sessionId, cxid, zxid, time, type: OpCode.closeSession },
      record: { type: OpCode.closeSession, body: { paths2Delete: [...paths] } },
    };
  }

  /** Deleting a reaped container / expired TTL node (issued by the server itself, session 0). */
  prepareDeleteContainer(path: string, zxid: bigint, time: bigint): Txn {
    return this.prepare({ sessionId: 0n, cxid: 0, type: OpCode.deleteContainer, request: { path }, authIds: [] }, zxid, time);
  }

  /** EphemeralType.get with this server's zookeeper.extendedTypesEnabled. */
  private kindOf(owner: bigint): EphemeralKind {
    return ephemeralKindOf(owner, this.options.extendedTypesEnabled);
  }

  private checkSession(sessionId: bigint): void {
    const session = this.sessions.get(sessionId);
    if (!session) throw new UnknownSessionError();
    if (session.closing) throw new SessionExpiredError();
  }

  private prepareOp(type: number, request: any, req: WriteRequest, zxid: bigint, time: bigint): TxnRecord {
    switch (type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return this.prepareCreate(type, request, req, zxid, time);
      case OpCode.delete:
        return this.prepareDelete(request, req, zxid);
      case OpCode.deleteContainer:
        return this.prepareDeleteContainerOp(request.path, zxid);
      case OpCode.setData:
        return this.prepareSetData(request, req, zxid);
      case OpCode.setACL:
        return this.prepareSetACL(request, req, zxid);
      case OpCode.check:
        return this.prepareCheck(request, req);
      case OpCode.reconfig:
        if (!this.options.reconfigEnabled) throw new ReconfigDisabledError();
        throw new UnimplementedError(); // standalone servers cannot reconfigure
      default:
        throw new MarshallingError();
    }
  }

  private prepareCreate(type: number, request: R.CreateTTLRequest, req: WriteRequest, zxid: bigint, time: bigint): TxnRecord {
    const mode = createModeInfo(request.flags);
    if (!mode) throw new BadArgumentsError(request.path);
    if (mode.ttl && !this.options.extendedTypesEnabled) throw new UnimplementedError();
    const ttl = type === OpCode.createTTL ? request.ttl : -1n;
    if (mode.ttl ? !(ttl > 0n && ttl <= MAX_TTL_MS) : ttl >= 0n || type === OpCode.createTTL) {
      throw new BadArgumentsError(request.path);
    }
    this.checkSession(req.sessionId);
    const parentPath = parentForWrite(request.path);
    const acl = fixupACL(request.path, request.acl, req.authIds);
    const parent = this.pending.get(parentPath);
    checkACL(parent.acl, Perms.CREATE, req.authIds, request.path);
    const path = mode.sequential ? request.path + formatSequence(parent.cversion) : request.path;
    validatePath(path);
    if (this.pending.exists(path)) throw new NodeExistsError(path);
    if (this.kindOf(parent.ephemeralOwner) === EphemeralKind.NORMAL) throw new NoChildrenForEphemeralsError(path);
    const parentCVersion = (parent.cversion + 1) | 0;

    const container = mode.container || type === OpCode.createContainer;
    const owner = container ? CONTAINER_EPHEMERAL_OWNER
      : mode.ttl ? ttlEphemeralOwner(ttl)
      : mode.ephemeral ? req.sessionId : 0n;
    this.pending.add(zxid, parentPath, { ...parent, cversion: parentCVersion, childCount: parent.childCount + 1 });
    this.pending.add(zxid, path, { acl, version: 0, cversion: 0, aversion: 0, ephemeralOwner: owner, childCount: 0 });

    const data = request.data;
    if (container) return { type: OpCode.createContainer, body: { path, data, acl, parentCVersion } };
    if (mode.ttl) return { type: OpCode.createTTL, body: { path, data, acl, parentCVersion, ttl } };
    const createType = type === OpCode.create ? OpCode.create : OpCode.create2;
    return { type: createType, body: { path, data, acl, ephemeral: mode.ephemeral, parentCVersion } };
  }

  private prepareDelete(request: R.DeleteRequest, req: WriteRequest, zxid: bigint): TxnRecord {
    this.checkSession(req.sessionId);
    const path = request.path;
    const parentPath = parentForWrite(path);
    if (SPECIAL_PATHS.has(path)) throw new BadArgumentsError(path);
    const parent = this.pending.get(parentPath);
    checkACL(parent.acl, Perms.DELETE, req.authIds, path);
    const node = this.pending.get(path);
    checkAndIncVersion(node.version, request.version, path);
    if (node.childCount > 0) throw new NotEmptyError(path);
    this.pending.add(zxid, parentPath, { ...parent, childCount: parent.childCount - 1 });
    this.pending.add(zxid, path, undefined);
    return { type: OpCode.delete, body: { path } };
  }

  private prepareDeleteContainerOp(path: string, zxid: bigint): TxnRecord {
    const parentPath = parentForWrite(path);
    if (SPECIAL_PATHS.has(path)) throw new BadArgumentsError(path);
    const node = this.pending.get(path);
    if (node.childCount > 0) throw new NotEmptyError(path);
    if (this.kindOf(node.ephemeralOwner) === EphemeralKind.NORMAL) throw new BadVersionError(path);
    const parent = this.pending.get(parentPath);
    this.pending.add(zxid, parentPath, { ...parent, childCount: parent.childCount - 1 });
    this.pending.add(zxid, path, undefined);
    return { type: OpCode.deleteContainer, body: { path } };
  }

  private prepareSetData(request: R.SetDataRequest, req: WriteRequest, zxid: bigint): TxnRecord {
    this.checkSession(req.sessionId);
    validatePath(request.path);
    const node = this.pending.get(request.path);
    checkACL(node.acl, Perms.WRITE, req.authIds, request.path);
    const version = checkAndIncVersion(node.version, request.version, request.path);
    this.pending.add(zxid, request.path, { ...node, version });
    return { type: OpCode.setData, body: { path: request.path, data: request.data, version } };
  }

  private prepareSetACL(request: R.SetACLRequest, req: WriteRequest, zxid: bigint): TxnRecord {
    this.checkSession(req.sessionId);
    validatePath(request.path);
    const acl = fixupACL(request.path, request.acl, req.authIds);
    const node = this.pending.get(request.path);
    checkACL(node.acl, Perms.ADMIN, req.authIds, request.path);
    const aversion = checkAndIncVersion(node.aversion, request.version, request.path);
    this.pending.add(zxid, request.path, { ...node, acl, aversion });
    return { type: OpCode.setACL, body: { path: request.path, acl, version: aversion } };
  }

  private prepareCheck(request: R.CheckVersionRequest, req: WriteRequest): TxnRecord {
    this.checkSession(req.sessionId);
    validatePath(request.path);
    const node = this.pending.get(request.path);
    checkACL(node.acl, Perms.READ, req.authIds, request.path);
    const version = checkAndIncVersion(node.version, request.version, request.path);
    return { type: OpCode.check, body: { path: request.path, version } };
  }

  /** Sub-ops are validated in order; after the first failure the rest become error(-2). */
  private prepareMulti(req: WriteRequest, zxid: bigint, time: bigint): TxnRecord {
    const ops = req.request as MultiOp[];
    const subs: TxnRecord[] = [];
    let failed = false;
    this.pending.begin();
    for (const op of ops) {
      if (failed) {
        subs.push({ type: OpCode.error, body: { err: -2 } });
        continue;
      }
      try {
        subs.push(this.prepareOp(op.type, op.request, req, zxid, time));
      } catch (e) {
        if (!(e instanceof KeeperError)) throw e;
        failed = true;
        subs.push({ type: OpCode.error, body: { err: e.code } });
        this.pending.rollback();
      }
    }
    this.pending.commit();
    return { type: OpCode.multi, body: subs };
  }
}

// The serving leader's request stage in the simulation: writes and session requests (local or
// forwarded by learners) become real txns through the server's Preparer against the pending
// view, and the global session tracker expires sessions by closeSession txns. Built when the
// leader starts serving, from the sessions its tree holds (each given a fresh timeout).
// Counterpart: PrepRequestProcessor + the leader's SessionTrackerImpl (global sessions).

import { OpCode, opSpec } from '../../protocol/ops.js';
import { decodeFromBuffer } from '../../protocol/jute/schema.js';
import type { ForwardedRequest } from '../../protocol/quorum.js';
import { PendingChanges } from '../../server/requests/pending-changes.js';
import { Preparer } from '../../server/requests/prepare.js';
import { encodeTxn, type Txn } from '../../server/requests/txn.js';
import { SessionTracker } from '../../server/sessions/session-tracker.js';
import type { Replica } from './replica.js';

export class LeaderRequests {
  readonly sessions: SessionTracker;
  private readonly pending: PendingChanges;
  private readonly preparer: Preparer;

  constructor(replica: Replica, tickMs: number, serverId: number, nowMs: number) {
    this.sessions = new SessionTracker(tickMs, serverId, nowMs);
    for (const [id, timeout] of replica.sessions) this.sessions.add(id, timeout, nowMs);
    this.pending = new PendingChanges(replica.tree);
    this.preparer = new Preparer(replica.tree, this.pending, this.sessions, { extendedTypesEnabled: false, reconfigEnabled: false });
  }

  /** The txn bytes for a write, createSession or closeSession request, at `zxid`. */
  prepare(req: ForwardedRequest, zxid: bigint, nowMs: number): Buffer {
    const time = BigInt(nowMs);
    let txn: Txn;
    if (req.type === OpCode.createSession) {
      const { timeOut } = decodeFromBuffer(opSpec(OpCode.createSession)!.request, req.body) as { timeOut: number };
      this.sessions.add(req.sessionId, timeOut, nowMs);
      txn = this.preparer.prepareCreateSession(req.sessionId, timeOut, zxid, time);
    } else if (req.type === OpCode.closeSession) {
      txn = this.preparer.prepareCloseSession(req.sessionId, req.cxid, zxid, time);
    } else {
      const request = decodeFromBuffer(opSpec(req.type)!.request, req.body);
      txn = this.preparer.prepare({ sessionId: req.sessionId, cxid: req.cxid, type: req.type, request, authIds: [] }, zxid, time);
    }
    return encodeTxn(txn);
  }

  /** Sessions whose timeout passed: each needs a closeSession txn (`prepareExpiry`). */
  expired(nowMs: number): bigint[] {
    return this.sessions.expire(nowMs).map((s) => s.id);
  }

  prepareExpiry(sessionId: bigint, zxid: bigint, nowMs: number): Buffer {
    return encodeTxn(this.preparer.prepareCloseSession(sessionId, 0, zxid, BigInt(nowMs)));
  }

  /** A txn was applied to the tree: its pending records go, a closed session leaves the tracker. */
  applied(txn: Txn): void {
    this.pending.applied(txn.header.zxid);
    if (txn.header.type === OpCode.closeSession) this.sessions.remove(txn.header.clientId);
  }

  touch(sessionId: bigint, nowMs: number): boolean {
    return this.sessions.touch(sessionId, nowMs);
  }

  /** A reconnecting client's session: valid (and touched) unless unknown or closing. */
  revalidate(sessionId: bigint, nowMs: number): boolean {
    return this.touch(sessionId, nowMs);
  }
}

// A member's client side in the simulation, while it serves: sessions connect (createSession
// through the leader, or REVALIDATE for a known one), reads are answered from the local tree,
// writes and closeSession go to the leader and are answered when their txn is applied here
// (matched by session id and cxid), syncs complete in order once the leader has answered them.
// A member that stops serving closes every client connection; what was in flight is unknown.
// Counterpart: FollowerZooKeeperServer / LeaderZooKeeperServer's client side: FinalRequest-
// Processor replies, CommitProcessor matching, FollowerRequestProcessor forwarding, sync handling.

import { Code } from '../../protocol/errors.js';
import { OpCode, opSpec } from '../../protocol/ops.js';
import { encodeToBuffer } from '../../protocol/jute/schema.js';
import type { ForwardedRequest } from '../../protocol/quorum.js';
import type { ApplyResult } from '../../server/requests/apply.js';
import type { Txn } from '../../server/requests/txn.js';
import type { ClientConn, ClientRequest } from './client-wire.js';
import type { Replica } from './replica.js';

/** What the desk needs from its member. */
export interface DeskMember {
  readonly serving: boolean;
  readonly replica: Replica;
  readonly isLeader: boolean;
  /** Learner: FORWARD it; leader: prepare and propose it. */
  submit(req: ForwardedRequest): void;
  /** Learner: REVALIDATE (answered by `revalidated`); leader: answer from the session tracker. */
  revalidate(sessionId: bigint, timeoutMs: number): boolean | undefined;
  touch(sessionId: bigint, timeoutMs: number): void;
  /** The last zxid the leader proposed (leader syncs complete once it is applied). */
  lastProposed(): bigint;
  newSessionId(): bigint;
}

const key = (sessionId: bigint, cxid: number): string => `${sessionId}:${cxid}`;

export class ClientDesk {
  private readonly conns = new Set<ClientConn>();
  private readonly bySession = new Map<bigint, ClientConn>();
  private readonly timeouts = new Map<bigint, number>();
  /** Writes (and createSession, cxid 0) waiting for their txn to be applied here. */
  private readonly waiting = new Map<string, ClientConn>();
  private readonly revalidating = new Map<bigint, ClientConn[]>();
  /** Syncs in the order they were forwarded (learner), or with the zxid to reach (leader). */
  private syncs: { conn: ClientConn; cxid: number; until: bigint }[] = [];

  constructor(private readonly member: DeskMember) {}

  receive(conn: ClientConn, req: ClientRequest): void {
    if (!conn.open) return;
    if (req.kind === 'connect') return this.connect(conn, req.sessionId, req.timeoutMs, req.lastZxidSeen);
    const sessionId = conn.sessionId;
    if (sessionId === null || this.bySession.get(sessionId) !== conn) return;
    this.member.touch(sessionId, this.timeouts.get(sessionId) ?? 0);
    switch (req.kind) {
      case 'ping':
        return;
      case 'read': {
        const node = this.member.replica.tree.get(req.path);
        const zxid = this.member.replica.zxid;
        if (!node) return conn.reply({ kind: 'result', cxid: req.cxid, zxid, err: Code.NONODE });
        return conn.reply({ kind: 'result', cxid: req.cxid, zxid, err: 0, data: node.data?.toString('utf8') ?? '', version: node.version });
      }
      case 'sync':
        if (this.member.isLeader) {
          this.syncs.push({ conn, cxid: req.cxid, until: this.member.lastProposed() });
          return this.releaseSyncs();
        }
        this.syncs.push({ conn, cxid: req.cxid, until: 0n });
        return this.member.submit({ sessionId, cxid: req.cxid, type: OpCode.sync, body: encodeToBuffer(opSpec(OpCode.sync)!.request, { path: req.path }) });
      case 'write':
        this.waiting.set(key(sessionId, req.cxid), conn);
        return this.member.submit({ sessionId, cxid: req.cxid, type: req.type, body: req.body });
    }
  }

  private connect(conn: ClientConn, sessionId: bigint | null, timeoutMs: number, lastZxidSeen: bigint): void {
    // ZooKeeper closes without an answer when it is not serving or is behind the client's view.
    if (!this.member.serving || this.member.replica.zxid < lastZxidSeen) return conn.closeByMember();
    this.conns.add(conn);
    if (sessionId === null) {
      const id = this.member.newSessionId();
      conn.sessionId = id;
      this.timeouts.set(id, timeoutMs);
      this.waiting.set(key(id, 0), conn);
      this.member.submit({ sessionId: id, cxid: 0, type: OpCode.createSession, body: encodeToBuffer(opSpec(OpCode.createSession)!.request, { timeOut: timeoutMs }) });
      return;
    }
    conn.sessionId = sessionId;
    this.timeouts.set(sessionId, timeoutMs);
    const answer = this.member.revalidate(sessionId, timeoutMs);
    if (answer !== undefined) return this.revalidated(sessionId, answer, [conn]);
    const list = this.revalidating.get(sessionId) ?? [];
    list.push(conn);
    this.revalidating.set(sessionId, list);
  }

  /** The leader's answer to a REVALIDATE (or the leader's own tracker). */
  revalidated(sessionId: bigint, valid: boolean, conns = this.revalidating.get(sessionId) ?? []): void {
    this.revalidating.delete(sessionId);
    for (const conn of conns) {
      if (!conn.open) continue;
      if (!valid) {
        conn.reply({ kind: 'expired' });
        this.close(conn);
        continue;
      }
      this.bind(conn, sessionId);
      conn.reply({ kind: 'connected', sessionId });
    }
  }

  private bind(conn: ClientConn, sessionId: bigint): void {
    const previous = this.bySession.get(sessionId);
    if (previous && previous !== conn) this.close(previous);
    this.bySession.set(sessionId, conn);
  }

  /** A committed txn was applied here: answer the client that asked for it, if connected here. */
  applied(txn: Txn, result: ApplyResult): void {
    const { clientId, cxid, zxid, type } = txn.header;
    const k = key(clientId, cxid);
    const conn = this.waiting.get(k);
    this.waiting.delete(k);
    if (conn?.open) {
      if (type === OpCode.createSession) {
        this.bind(conn, clientId);
        conn.reply({ kind: 'connected', sessionId: clientId });
      } else {
        const path = 'path' in result ? result.path : undefined;
        conn.reply({ kind: 'result', cxid, zxid, err: result.err, version: 'stat' in result ? result.stat?.version : undefined, path });
      }
    }
    if (type === OpCode.closeSession) {
      const bound = this.bySession.get(clientId);
      if (bound) {
        if (bound !== conn) bound.reply({ kind: 'expired' });
        this.close(bound);
      }
    }
    this.releaseSyncs();
  }

  /** SYNC packets from the leader: each completes the oldest forwarded sync. */
  syncsDone(n: number): void {
    for (let i = 0; i < n; i++) {
      const s = this.syncs.shift();
      if (s?.conn.open) s.conn.reply({ kind: 'result', cxid: s.cxid, zxid: this.member.replica.zxid, err: 0 });
    }
  }

  /** Leader syncs complete once everything proposed before them is applied here. */
  private releaseSyncs(): void {
    if (!this.member.isLeader) return;
    const applied = this.member.replica.zxid;
    while (this.syncs.length > 0 && this.syncs[0]!.until <= applied) {
      const s = this.syncs.shift()!;
      if (s.conn.open) s.conn.reply({ kind: 'result', cxid: s.cxid, zxid: applied, err: 0 });
    }
  }

  private close(conn: ClientConn): void {
    conn.closeByMember();
    this.conns.delete(conn);
    if (conn.sessionId !== null && this.bySession.get(conn.sessionId) === conn) {
      this.bySession.delete(conn.sessionId);
      this.timeouts.delete(conn.sessionId);
    }
  }

  /** The member stopped serving (role ended, crash): every connection goes. */
  closeAll(): void {
    for (const conn of this.conns) conn.closeByMember();
    this.conns.clear();
    this.bySession.clear();
    this.timeouts.clear();
    this.waiting.clear();
    this.revalidating.clear();
    this.syncs = [];
  }
}

// Simulated ZooKeeper clients: each keeps one session, connects to a random member (refused when
// the member is not serving or is behind the zxid the client has seen, ZooKeeper's rule), and
// issues one op at a time on a few shared paths: reads, sync + read, setData with or without an
// expected version, create, delete, persistent-sequential and ephemeral creates, closeSession.
// Every op goes into the history with its call and return stamps; an op whose connection died,
// or that took too long, keeps an unknown outcome and the client reconnects elsewhere.
// Counterpart: the ZooKeeper client's ClientCnxn as a workload (Jepsen-style).

import { Code } from '../../protocol/errors.js';
import { OpCode, opSpec } from '../../protocol/ops.js';
import { encodeToBuffer } from '../../protocol/jute/schema.js';
import { CreateMode, OPEN_ACL_UNSAFE } from '../../protocol/types.js';
import type { SequentialOutput, ZnodeInput, ZnodeOutput } from '../support/linearizability/index.js';
import type { ClientHistory, Pending } from './client-history.js';
import { ClientConn, type ClientEnd, type ClientReply } from './client-wire.js';
import type { Member } from './member.js';
import type { World } from './world.js';

/** The paths clients share: register keys, a sequential parent, an ephemeral parent. */
export const SEEDED_PATHS = ['/reg', '/seq', '/eph'] as const;
export const REGISTER_KEYS = ['/reg/a', '/reg/b', '/reg/c'] as const;

type Outstanding =
  | { kind: 'znode'; cxid: number; op: Pending<ZnodeInput, ZnodeOutput>; syncFirst: boolean; path: string }
  | { kind: 'sequential'; cxid: number; op: Pending<{ op: 'createSequential' }, SequentialOutput> }
  | { kind: 'other'; cxid: number; closing: boolean }
  /** A plain read: served locally, only sequentially consistent, so not in the history. */
  | { kind: 'read'; cxid: number };

export class SimClient implements ClientEnd {
  private conn: ClientConn | null = null;
  private connected = false;
  private sessionId: bigint | null = null;
  private lastZxidSeen = 0n;
  private cxid = 0;
  private since = 0;
  private lastSent = 0;
  private outstanding: Outstanding | null = null;
  private readonly versions = new Map<string, number>();
  private counter = 0;
  private stopped = false;
  /** Ops answered (for liveness checks). */
  answered = 0;

  constructor(private readonly w: World, private readonly history: ClientHistory, readonly id: number, private readonly members: () => Member[]) {}

  start(): void {
    this.w.s.after(this.w.s.int(1, this.w.o.clientThinkMs), () => this.act());
  }

  /** The client goes away without closing its session (the session must expire on its own). */
  stop(): void {
    this.stopped = true;
    this.giveUp();
  }

  get session(): bigint | null {
    return this.sessionId;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  private act(): void {
    if (this.stopped) return;
    const now = this.w.s.now;
    const patience = this.w.o.sessionTimeoutMs;
    if (!this.conn) this.dial();
    else if (!this.connected || this.outstanding) {
      if (now - this.since > patience) this.giveUp();
    } else if (this.w.s.chance(0.7)) this.issue();
    else if (now - this.lastSent > patience / 3) this.send({ kind: 'ping' });
    this.w.s.after(this.w.s.int(1, 2 * this.w.o.clientThinkMs), () => this.act());
  }

  /** Scenarios: connect only to this member. */
  pinned: bigint | null = null;

  private dial(): void {
    const up = this.members().filter((m) => m.up && (this.pinned === null || m.sid === this.pinned));
    if (up.length === 0) return;
    const member = this.w.s.pick(up);
    this.conn = new ClientConn(this.w.s, this.w.o.maxDelay, this, member);
    this.connected = false;
    this.since = this.w.s.now;
    this.send({ kind: 'connect', sessionId: this.sessionId, timeoutMs: this.w.o.sessionTimeoutMs, lastZxidSeen: this.lastZxidSeen });
  }

  private send(req: Parameters<ClientConn['send']>[0]): void {
    this.lastSent = this.w.s.now;
    this.conn?.send(req);
  }

  /** Gave up waiting: whatever was outstanding has an unknown outcome. */
  private giveUp(): void {
    this.conn?.closeByClient();
    this.lost();
  }

  private lost(): void {
    if (this.outstanding && this.outstanding.kind !== 'other' && this.outstanding.kind !== 'read') this.w.stats.clientUnknown++;
    if (this.outstanding?.kind === 'other' && this.outstanding.closing) this.sessionId = null; // it closes or expires anyway
    this.outstanding = null;
    this.conn = null;
    this.connected = false;
  }

  onClosed(conn: ClientConn): void {
    if (conn === this.conn) this.lost();
  }

  onReply(conn: ClientConn, reply: ClientReply): void {
    if (conn !== this.conn) return;
    if (reply.kind === 'connected') {
      this.sessionId = reply.sessionId;
      this.connected = true;
      return;
    }
    if (reply.kind === 'expired') {
      this.w.stats.sessionsExpired++;
      this.sessionId = null;
      this.conn.closeByClient();
      this.lost();
      return;
    }
    const out = this.outstanding;
    if (!out || out.cxid !== reply.cxid) return;
    if (reply.zxid < this.lastZxidSeen) {
      this.w.fail(`client ${this.id} saw zxid 0x${reply.zxid.toString(16)} after 0x${this.lastZxidSeen.toString(16)} in one session`);
    }
    this.lastZxidSeen = reply.zxid;
    if (out.kind === 'znode' && out.syncFirst) {
      // The sync is done: the read that follows it is part of the same history op.
      out.syncFirst = false;
      out.cxid = ++this.cxid;
      this.send({ kind: 'read', cxid: out.cxid, path: out.path });
      return;
    }
    this.outstanding = null;
    this.answered++;
    if (out.kind === 'read') return;
    if (out.kind !== 'znode' || out.op.input.op !== 'read') this.checkAcknowledged(reply);
    if (out.kind === 'znode') {
      this.history.complete(out.op, { err: reply.err, data: reply.data, version: reply.version });
      this.learn(out.path, out.op.input, reply);
    } else if (out.kind === 'sequential') {
      this.history.complete(out.op, { err: reply.err, seq: reply.err === 0 ? Number(reply.path!.slice(-10)) : undefined });
    } else if (out.closing) {
      // The session is closing: wait for the member to close the connection, then start over.
      this.sessionId = null;
      this.connected = false;
      this.since = this.w.s.now;
    }
  }

  /** A write's answer comes from a txn applied by a serving member: it must be committed. */
  private checkAcknowledged(reply: Extract<ClientReply, { kind: 'result' }>): void {
    if (!this.w.inv.isCommitted(reply.zxid)) this.w.fail(`client ${this.id} got an answer for 0x${reply.zxid.toString(16)}, which is not committed`);
  }

  private learn(path: string, input: ZnodeInput, reply: Extract<ClientReply, { kind: 'result' }>): void {
    if (reply.err === Code.NONODE || (input.op === 'delete' && reply.err === 0)) this.versions.delete(path);
    else if (reply.err === 0 && reply.version !== undefined) this.versions.set(path, reply.version);
    else if (input.op === 'create' && reply.err === 0) this.versions.set(path, 0);
  }

  // ---- the workload ---------------------------------------------------------------------------

  private issue(): void {
    const s = this.w.s;
    const path = s.pick(REGISTER_KEYS);
    const data = `c${this.id}-${++this.counter}`;
    const expected = () => (s.chance(0.5) ? -1 : this.versions.get(path) ?? s.int(0, 2));
    const r = s.rand();
    this.since = s.now;
    this.w.stats.clientOps++;
    if (r < 0.2) {
      this.outstanding = { kind: 'read', cxid: ++this.cxid };
      return this.send({ kind: 'read', cxid: this.cxid, path });
    }
    if (r < 0.32) return this.znode(path, { op: 'read' }, true, () => this.send({ kind: 'sync', cxid: this.cxid, path }));
    if (r < 0.52) {
      const version = expected();
      return this.znode(path, { op: 'set', data, version }, false, () => this.write(OpCode.setData, { path, data: Buffer.from(data), version }));
    }
    if (r < 0.62) {
      return this.znode(path, { op: 'create', data }, false, () => this.write(OpCode.create, { path, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.PERSISTENT }));
    }
    if (r < 0.7) {
      const version = expected();
      return this.znode(path, { op: 'delete', version }, false, () => this.write(OpCode.delete, { path, version }));
    }
    if (r < 0.82) {
      this.outstanding = { kind: 'sequential', cxid: ++this.cxid, op: this.history.sequential(this.id, '/seq') };
      return this.write(OpCode.create, { path: '/seq/s-', data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.PERSISTENT_SEQUENTIAL });
    }
    if (r < 0.97) {
      // Sometimes close the session right behind the create, without waiting (pipelined): the
      // closeSession is prepared while the ephemeral is still pending, and must delete it too.
      const closeBehind = s.chance(0.15);
      this.outstanding = { kind: 'other', cxid: ++this.cxid, closing: closeBehind };
      const flags = s.chance(0.5) ? CreateMode.EPHEMERAL : CreateMode.EPHEMERAL_SEQUENTIAL;
      this.write(OpCode.create, { path: `/eph/c${this.id}-${this.counter}`, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags });
      if (closeBehind) this.send({ kind: 'write', cxid: ++this.cxid, type: OpCode.closeSession, body: Buffer.alloc(0) });
      return;
    }
    this.outstanding = { kind: 'other', cxid: ++this.cxid, closing: true };
    this.send({ kind: 'write', cxid: this.cxid, type: OpCode.closeSession, body: Buffer.alloc(0) });
  }

  private znode(path: string, input: ZnodeInput, syncFirst: boolean, go: () => void): void {
    this.outstanding = { kind: 'znode', cxid: ++this.cxid, op: this.history.znode(this.id, path, input), syncFirst, path };
    go();
  }

  private write(type: number, request: unknown): void {
    this.send({ kind: 'write', cxid: this.cxid, type, body: encodeToBuffer(opSpec(type)!.request, request) });
  }
}

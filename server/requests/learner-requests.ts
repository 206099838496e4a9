// The request pipeline of a follower or observer: reads are answered from the local tree;
// writes, createSession, closeSession and sync go to the leader (REQUEST with the client's
// session, cxid, type, request bytes and auth ids) and are answered when the leader's commit
// of that very request (same session and cxid) is applied here, or, for sync, when the leader's
// SYNC arrives and everything committed before it is applied. Reconnecting clients are
// revalidated by the leader; session activity is collected for the next PING reply.
// Per-session order holds as standalone: a read waits behind its session's pending write.
// Counterpart: FollowerZooKeeperServer / ObserverZooKeeperServer with FollowerRequestProcessor
// (forwarding), CommitProcessor (matching commits to local requests), Learner.validateSession
// and LearnerSessionTracker.

import { OpCode, type OpSpec } from '../../protocol/ops.js';
import type { ForwardedRequest, SessionTouch } from '../../protocol/quorum.js';
import type { Id } from '../../protocol/records.js';
import type { ApplyResult } from './apply.js';
import type { ClientChannel } from './client-channel.js';
import type { RecoveredState } from './recovered-state.js';
import { RequestProcessor, type ProcessorOptions, type TxnSink } from './request-processor.js';
import type { Txn } from './txn.js';
import { ZxidBarriers } from './zxid-barriers.js';

/** What the learner's pipeline needs of the connection to its leader. */
export interface LeaderChannel {
  forward(request: ForwardedRequest, authinfo: Id[]): void;
  revalidate(sessionId: bigint, timeoutMs: number): void;
}

interface Waiting {
  readonly cxid: number;
  readonly done: (result: ApplyResult) => void;
}

/** Learners never log a txn of their own making. */
const NO_LOCAL_TXNS: TxnSink = {
  append: () => {
    throw new Error('a learner does not prepare txns');
  },
};

export class LearnerRequestProcessor extends RequestProcessor {
  /** Forwarded requests per session, oldest first, waiting for their commit. */
  private readonly waiting = new Map<bigint, Waiting[]>();
  private readonly revalidating = new Map<bigint, ((valid: boolean) => void)[]>();
  /** Forwarded syncs, oldest first, waiting for the leader's SYNC. */
  private readonly syncs: (() => void)[] = [];
  private readonly syncBarriers = new ZxidBarriers();
  private readonly touched = new Map<bigint, number>();

  constructor(options: ProcessorOptions, nowMs: number, private readonly leader: LeaderChannel, recovered?: RecoveredState) {
    super(options, nowMs, NO_LOCAL_TXNS, recovered);
  }

  // ---- from the leader ----

  /** A committed txn (COMMIT or INFORM, durable here): apply it and answer it if it is ours. */
  commit(txn: Txn, nowMs: number): void {
    const { clientId, cxid, type } = txn.header;
    const channel = this.channels.get(clientId);
    const result = this.applyCommitted(txn, nowMs);
    const mine = this.takeWaiting(clientId, cxid);
    if (mine) mine.done(result);
    else if (type === OpCode.closeSession) channel?.close('session expired');
    this.applied();
  }

  /** The leader's answer to a revalidation: resumes the oldest client waiting on that session. */
  revalidated(sessionId: bigint, valid: boolean): void {
    const list = this.revalidating.get(sessionId);
    const answer = list?.shift();
    if (list?.length === 0) this.revalidating.delete(sessionId);
    answer?.(valid);
  }

  /**
   * `count` SYNC packets arrived: the oldest forwarded syncs complete once everything the
   * leader committed before them (through `committedZxid`) is applied here.
   */
  syncsDone(count: number, committedZxid: bigint): void {
    for (let i = 0; i < count; i++) {
      const answer = this.syncs.shift();
      if (answer) this.syncBarriers.add(committedZxid, this.lastProcessedZxid, answer);
    }
  }

  /** Sessions active here since the last call, for the next PING reply. */
  drainTouches(): SessionTouch[] {
    const out = [...this.touched].map(([sessionId, timeout]) => ({ sessionId, timeout }));
    this.touched.clear();
    return out;
  }

  // ---- the pipeline's variation points ----

  protected override touch(sessionId: bigint, nowMs: number): void {
    super.touch(sessionId, nowMs);
    const session = this.sessions.get(sessionId);
    if (session) this.touched.set(sessionId, session.timeoutMs);
  }

  protected override createSession(id: bigint, timeoutMs: number, _nowMs: number, done: (created: boolean) => void): void {
    const body = Buffer.alloc(4);
    body.writeInt32BE(timeoutMs, 0);
    this.wait(id, 0, (result) => done(result.err === 0));
    this.leader.forward({ sessionId: id, cxid: 0, type: OpCode.createSession, body }, []);
  }

  protected override validateSession(id: bigint, timeoutMs: number, _nowMs: number, answer: (valid: boolean) => void): void {
    let list = this.revalidating.get(id);
    if (!list) this.revalidating.set(id, (list = []));
    list.push(answer);
    this.leader.revalidate(id, timeoutMs);
  }

  protected override closeSession(channel: ClientChannel, xid: number, _nowMs: number, done: () => void): void {
    this.wait(channel.sessionId, xid, () => done());
    this.leader.forward({ sessionId: channel.sessionId, cxid: xid, type: OpCode.closeSession, body: Buffer.alloc(0) }, [...channel.authIds]);
  }

  protected override processWrite(channel: ClientChannel, spec: OpSpec, xid: number, _request: unknown, body: Buffer, _nowMs: number): void {
    const slot = this.orderOf(channel).reserve();
    this.wait(channel.sessionId, xid, (result) => slot(() => this.replyToWrite(channel, spec, xid, result)));
    this.leader.forward({ sessionId: channel.sessionId, cxid: xid, type: spec.code, body: Buffer.from(body) }, [...channel.authIds]);
  }

  protected override processSync(channel: ClientChannel, spec: OpSpec, xid: number, request: unknown, body: Buffer): void {
    const slot = this.orderOf(channel).reserve();
    this.syncs.push(() => slot(() => this.processRead(channel, spec, xid, request)));
    this.leader.forward({ sessionId: channel.sessionId, cxid: xid, type: OpCode.sync, body: Buffer.from(body) }, [...channel.authIds]);
  }

  protected override applied(): void {
    this.syncBarriers.release(this.lastProcessedZxid);
  }

  /** Learners neither expire sessions nor reap containers: the leader does, through txns. */
  override expireSessions(): bigint[] {
    return [];
  }

  override reapContainers(): string[] {
    return [];
  }

  // ------------------------------------------------------------------------------------------

  private wait(sessionId: bigint, cxid: number, done: (result: ApplyResult) => void): void {
    let list = this.waiting.get(sessionId);
    if (!list) this.waiting.set(sessionId, (list = []));
    list.push({ cxid, done });
  }

  /**
   * The forwarded request a commit answers. The leader handles one learner's requests in order,
   * so it is the session's oldest; one skipped over was lost, and its client is disconnected.
   */
  private takeWaiting(sessionId: bigint, cxid: number): Waiting | undefined {
    const list = this.waiting.get(sessionId);
    if (!list) return undefined;
    const at = list.findIndex((w) => w.cxid === cxid);
    if (at < 0) return undefined;
    const [found] = list.splice(0, at + 1).slice(-1);
    if (list.length === 0) this.waiting.delete(sessionId);
    if (at > 0) this.channels.get(sessionId)?.close(`the leader skipped ${at} of this session's requests`);
    return found;
  }
}

// The request pipeline of an ensemble's leader: local writes and the writes learners forward
// are prepared here with the leader's zxids and handed to the TxnSink, which proposes them; a
// txn is applied (and its own client answered) once the quorum has committed it and it is
// durable here. The leader owns global sessions: it answers learners' revalidations, takes
// their session touches, and expires sessions. A sync waits until every txn prepared before it
// is applied. Counterpart: LeaderZooKeeperServer with PrepRequestProcessor →
// ProposalRequestProcessor → CommitProcessor → FinalRequestProcessor, Leader.processSync and
// LeaderSessionTracker.

import { Code, KeeperError } from '../../protocol/errors.js';
import { JuteDecodeError } from '../../protocol/jute/errors.js';
import { JuteReader } from '../../protocol/jute/reader.js';
import { OpCode, opSpec, type OpSpec } from '../../protocol/ops.js';
import type { ForwardedRequest, SessionTouch } from '../../protocol/quorum.js';
import type { Id } from '../../protocol/records.js';
import type { MultiOp } from '../../protocol/multi.js';
import type { ClientChannel } from './client-channel.js';
import type { RecoveredState } from './recovered-state.js';
import { checkMultiKinds } from './request-body.js';
import { RequestProcessor, type ProcessorOptions, type TxnSink } from './request-processor.js';
import type { Txn } from './txn.js';
import { ZxidBarriers } from './zxid-barriers.js';

const NOT_FORWARDABLE = new Set<number>([OpCode.check, OpCode.createSession, OpCode.sasl]);

export class LeaderRequestProcessor extends RequestProcessor {
  private readonly syncs = new ZxidBarriers();

  constructor(options: ProcessorOptions, nowMs: number, sink: TxnSink, recovered?: RecoveredState) {
    super(options, nowMs, sink, recovered);
  }

  /** Leading starts: the next txn is the first of the new epoch (`epochZxid` = newEpoch << 32). */
  startEpoch(epochZxid: bigint): void {
    this.lastZxid = epochZxid;
  }

  /** The zxid the next prepared txn will carry. */
  get nextTxnZxid(): bigint {
    return this.lastZxid + 1n;
  }

  /**
   * A request a learner forwarded (a write, createSession or closeSession; syncs go to the
   * machine instead): prepared like a local one, but answered by the learner when it sees the
   * commit. A body that does not decode becomes a MARSHALLINGERROR txn, as a local one does.
   */
  processForwarded(req: ForwardedRequest, authinfo: readonly Id[], nowMs: number): void {
    const time = this.txnTime(nowMs);
    const ignore = () => undefined;
    if (req.type === OpCode.createSession && req.body.length === 4) {
      const timeoutMs = req.body.readInt32BE(0);
      // Tracked from now on, as ZooKeeper's PrepRequestProcessor does: followers may apply the
      // commit (and the client send its next request) before this leader's own log is durable.
      this.sessions.add(req.sessionId, timeoutMs, nowMs);
      this.submit(this.preparer.prepareCreateSession(req.sessionId, timeoutMs, this.nextZxid(), time), nowMs, ignore);
      return;
    }
    if (req.type === OpCode.closeSession) {
      this.submit(this.preparer.prepareCloseSession(req.sessionId, req.cxid, this.nextZxid(), time), nowMs, ignore);
      return;
    }
    const zxid = this.nextZxid();
    const spec = opSpec(req.type);
    const request = spec && spec.kind === 'write' && !NOT_FORWARDABLE.has(req.type) ? decodeWrite(spec, req.type, req.body) : undefined;
    const txn: Txn = request === undefined
      ? {
          header: { clientId: req.sessionId, cxid: req.cxid, zxid, time, type: OpCode.error },
          record: { type: OpCode.error, body: { err: Code.MARSHALLINGERROR } },
        }
      : this.preparer.prepare({ sessionId: req.sessionId, cxid: req.cxid, type: req.type, request, authIds: authinfo }, zxid, time);
    this.submit(txn, nowMs, ignore);
  }

  /** A learner asks whether a reconnecting client's session lives: valid ones are touched. */
  revalidate(sessionId: bigint, timeoutMs: number, nowMs: number): boolean {
    const session = this.sessions.get(sessionId);
    if (!session || !this.sessions.touch(sessionId, nowMs)) return false;
    session.timeoutMs = timeoutMs;
    this.sessions.touch(sessionId, nowMs);
    return true;
  }

  /** Session activity learners reported in their PING replies. */
  touchSessions(touches: readonly SessionTouch[], nowMs: number): void {
    for (const t of touches) this.sessions.touch(t.sessionId, nowMs);
  }

  /** A local sync is answered once every txn prepared before it is applied here. */
  protected override processSync(channel: ClientChannel, spec: OpSpec, xid: number, request: unknown, _body: Buffer): void {
    if (this.pendingTxns === 0) return this.inOrder(channel, () => this.processRead(channel, spec, xid, request));
    const slot = this.orderOf(channel).reserve();
    this.syncs.add(this.lastZxid, this.lastProcessedZxid, () => slot(() => this.processRead(channel, spec, xid, request)));
  }

  protected override applied(): void {
    this.syncs.release(this.lastProcessedZxid);
  }
}

function decodeWrite(spec: OpSpec, type: number, body: Buffer): unknown {
  try {
    const request = spec.request.decode(new JuteReader(body));
    if (type === OpCode.multi) checkMultiKinds(type, request as MultiOp[]);
    return request;
  } catch (e) {
    if (!(e instanceof JuteDecodeError) && !(e instanceof KeeperError)) throw e;
    return undefined;
  }
}

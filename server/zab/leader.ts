// The leader of one epoch as a pure machine: discovery (new epoch = max accepted epoch + 1 once
// a quorum of FOLLOWERINFO is in, LEADERINFO, a quorum of ACKEPOCH), sync of each learner,
// NEWLEADER quorum then UPTODATE, and broadcast (PROPOSAL, quorum of durable ACKs, COMMIT in
// zxid order, INFORM to observers), PING / liveness in ticks, REVALIDATE, SYNC, forwarded
// REQUESTs. Counterpart: Leader (lead, getEpochToPropose, waitForEpochAck, waitForNewLeaderAck,
// propose, processAck, tryToCommit, processSync) with the per-learner parts of LearnerHandler.

import {
  decodeAckEpoch, decodeForwardedRequest, decodeLearnerInfo, decodePingTouches, decodeRevalidateRequest,
  encodeLeaderInfo, encodeRevalidateReply, quorumPacket, QuorumPacketType as T, type QuorumPacket,
} from '../../protocol/quorum.js';
import { OpCode } from '../../protocol/ops.js';
import { hasQuorum, isVoter, type QuorumConfig } from './quorum-config.js';
import { syncPackets, type LearnerHandle } from './leader-sync.js';
import { UnackedProposals } from './unacked-proposals.js';
import { emptyReady, MAX_COUNTER, type CommonInput, type Entry, type ZabLimits, type ZabReady } from './types.js';

export type LeaderInput =
  | CommonInput
  /** Order a txn: `zxid` must be nextZxid(), `data` its encodeTxn bytes. */
  | { type: 'propose'; zxid: bigint; data: Buffer }
  /** The global session tracker's answer to a learner's REVALIDATE. */
  | { type: 'revalidated'; to: bigint; sessionId: bigint; valid: boolean }
  /** A sync forwarded by `from` reached the proposal stage of the pipeline. */
  | { type: 'learnerSync'; from: bigint }
  /** The answer to a `readHistory`: the on-disk txn log from the learner's zxid on, or undefined. */
  | { type: 'history'; sid: bigint; fromZxid: bigint; entries: Entry[] | undefined }
  /** The connection to a learner is gone. */
  | { type: 'disconnected'; sid: bigint };

export interface LeaderOptions extends ZabLimits {
  myid: bigint;
  config: QuorumConfig;
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  /** Last zxid in the leader's log; the tree is at this zxid too when leading starts. */
  lastZxid: bigint;
  /** The most recent committed txns (up to commitLogCount), ascending, for DIFF sync. */
  committedLog?: Entry[];
  /** zookeeper.commitLogCount: committed txns kept in memory for DIFF (500). */
  commitLogCount?: number;
  /**
   * Tests only: the counter the new epoch's proposals start after (0). Lets a test reach the
   * 0xffffffff rollover without four billion proposals, as ZooKeeper's ZxidRolloverTest does.
   */
  initialCounter?: bigint;
}

type Phase = 'discovery' | 'epochAck' | 'sync' | 'broadcast' | 'done';

interface Proposal { entry: Entry; acks: Set<bigint> }

const epochOf = (zxid: bigint): bigint => zxid >> 32n;

export class Leader {
  readonly myid: bigint;
  private readonly config: QuorumConfig;
  private readonly limits: ZabLimits;
  private readonly commitLogCount: number;
  private phase: Phase = 'discovery';
  private ticks = 0;
  private phaseDeadline: number;
  private readonly handles = new Map<bigint, LearnerHandle>();
  private readonly connecting = new Set<bigint>();
  private readonly electing = new Set<bigint>();
  private readonly newLeaderAcks = new Set<bigint>();
  private epoch: bigint;
  private readonly initialCurrentEpoch: bigint;
  private readonly initialZxid: bigint;
  private readonly initialCounter: bigint;
  private lastProposed: bigint;
  private durable: bigint;
  private appliedZxid: bigint;
  private readonly outstanding: Proposal[] = [];
  private readonly committedLog: Entry[];
  private readonly toApply: Entry[] = [];
  private readonly pendingSyncs = new Map<bigint, bigint[]>();
  private out: ZabReady = emptyReady();

  constructor(opts: LeaderOptions) {
    this.myid = opts.myid;
    this.config = opts.config;
    this.limits = { initLimit: opts.initLimit, syncLimit: opts.syncLimit };
    this.commitLogCount = opts.commitLogCount ?? 500;
    this.initialCurrentEpoch = opts.currentEpoch;
    this.initialZxid = opts.lastZxid;
    this.initialCounter = opts.initialCounter ?? 0n;
    if (this.initialCounter < 0n || this.initialCounter >= MAX_COUNTER) throw new Error(`initialCounter 0x${this.initialCounter.toString(16)} out of range`);
    this.lastProposed = opts.lastZxid;
    this.durable = opts.lastZxid;
    this.appliedZxid = opts.lastZxid;
    this.committedLog = [...(opts.committedLog ?? [])];
    assertContinuous(this.committedLog, opts.lastZxid);
    this.epoch = opts.acceptedEpoch + 1n;
    this.phaseDeadline = opts.initLimit;
    this.connecting.add(this.myid);
    this.maybeSettleEpoch();
  }

  get isServing(): boolean { return this.phase === 'broadcast'; }
  get isDone(): boolean { return this.phase === 'done'; }
  /** The epoch being established (final once LEADERINFO went out). */
  get newEpoch(): bigint { return this.epoch; }
  get lastCommitted(): bigint { return this.committedLog[this.committedLog.length - 1]?.zxid ?? this.initialZxid; }
  /** The zxid the next proposal must carry. */
  nextZxid(): bigint {
    return this.lastProposed + 1n;
  }

  step(input: LeaderInput): void {
    if (this.phase === 'done') return;
    switch (input.type) {
      case 'tick': return this.tick();
      case 'message': return this.onPacket(input.from, input.packet);
      case 'persisted': return this.onPersisted(input.zxid);
      case 'propose': return this.propose(input.zxid, input.data);
      case 'revalidated':
        return this.sendTo(input.to, quorumPacket(T.REVALIDATE, -1n, encodeRevalidateReply(input.sessionId, input.valid)));
      case 'learnerSync': return this.onLearnerSync(input.from);
      case 'history': return this.onHistory(input.sid, input.fromZxid, input.entries);
      case 'disconnected':
        this.handles.delete(input.sid);
        return;
    }
  }

  ready(): ZabReady { return this.out; }

  advance(): void {
    const last = this.out.commits[this.out.commits.length - 1];
    if (last) this.appliedZxid = last.zxid;
    this.out = emptyReady();
  }

  // ---- discovery ----------------------------------------------------------------------------

  private abandon(reason: string): void {
    this.phase = 'done';
    this.out.abandon = reason;
  }

  private onPacket(from: bigint, p: QuorumPacket): void {
    if (p.type === T.FOLLOWERINFO || p.type === T.OBSERVERINFO) return this.onLearnerInfo(from, p);
    const h = this.handles.get(from);
    if (!h) return;
    h.deadline = this.ticks + (h.stage === 'uptodate' ? this.limits.syncLimit : this.limits.initLimit + this.limits.syncLimit);
    switch (p.type) {
      case T.ACKEPOCH: return this.onAckEpoch(h, p);
      case T.ACK: return this.onAck(h, p.zxid);
      case T.PING:
        this.out.touches.push(...decodePingTouches(p.data));
        return;
      case T.REVALIDATE: {
        const r = decodeRevalidateRequest(p.data);
        this.out.revalidate.push({ from, sessionId: r.sessionId, timeout: r.timeout });
        return;
      }
      case T.REQUEST:
        this.out.requests.push({ from, request: decodeForwardedRequest(p.data), authinfo: p.authinfo ?? [] });
        return;
      default:
        return;
    }
  }

  private onLearnerInfo(from: bigint, p: QuorumPacket): void {
    const info = decodeLearnerInfo(p.data ?? Buffer.alloc(0));
    if (info.serverId !== from) return this.disconnect(from, `its LearnerInfo names server ${info.serverId}`);
    const observer = p.type === T.OBSERVERINFO || !isVoter(this.config, from);
    const acceptedEpoch = epochOf(p.zxid);
    this.handles.set(from, {
      sid: from, observer, acceptedEpoch, stage: 'info', peerLastZxid: -1n, forwarding: false,
      deadline: this.ticks + this.limits.initLimit + this.limits.syncLimit, unacked: new UnackedProposals(),
    });
    if (this.phase === 'discovery') {
      if (acceptedEpoch >= this.epoch) this.epoch = acceptedEpoch + 1n;
      if (!observer) this.connecting.add(from);
      this.maybeSettleEpoch();
    } else {
      this.sendTo(from, quorumPacket(T.LEADERINFO, this.epoch << 32n, encodeLeaderInfo()));
    }
  }

  /** A quorum of voters (the leader among them) has proposed epochs: fix the new one. */
  private maybeSettleEpoch(): void {
    if (!hasQuorum(this.config, this.connecting)) return;
    this.out.persist.acceptedEpoch = this.epoch; // durable before LEADERINFO leaves
    this.phase = 'epochAck';
    this.phaseDeadline = this.ticks + this.limits.initLimit;
    this.electing.add(this.myid);
    for (const h of this.handles.values()) this.sendTo(h.sid, quorumPacket(T.LEADERINFO, this.epoch << 32n, encodeLeaderInfo()));
    this.maybeFinishElection();
  }

  private onAckEpoch(h: LearnerHandle, p: QuorumPacket): void {
    if (h.stage !== 'info') return;
    const learnerEpoch = BigInt(decodeAckEpoch(p.data));
    h.peerLastZxid = p.zxid;
    h.stage = 'epochAcked';
    if (this.phase === 'epochAck') {
      if (learnerEpoch !== -1n) {
        // StateSummary.isMoreRecentThan: a learner ahead of its leader must not be synced from it.
        const ahead = learnerEpoch > this.initialCurrentEpoch || (learnerEpoch === this.initialCurrentEpoch && p.zxid > this.initialZxid);
        if (ahead) return this.disconnect(h.sid, 'it is ahead of this leader (a newer epoch or zxid)');
        if (!h.observer) this.electing.add(h.sid);
      }
      this.maybeFinishElection();
    } else if (this.phase === 'sync' || this.phase === 'broadcast') {
      this.syncLearner(h);
    }
  }

  private maybeFinishElection(): void {
    if (this.phase !== 'epochAck' || !hasQuorum(this.config, this.electing)) return;
    this.out.persist.currentEpoch = this.epoch;
    this.phase = 'sync';
    this.phaseDeadline = this.ticks + this.limits.initLimit;
    this.lastProposed = (this.epoch << 32n) | this.initialCounter;
    this.newLeaderAcks.add(this.myid);
    for (const h of this.handles.values()) if (h.stage === 'epochAcked') this.syncLearner(h);
    this.maybeStartServing();
  }

  // ---- sync ---------------------------------------------------------------------------------

  private syncLearner(h: LearnerHandle): void {
    if (h.history === 'pending') return;
    if (h.history === undefined && this.behindCommittedLog(h.peerLastZxid)) {
      // LearnerHandler.syncFollower's txn-log branch: the driver reads the disk, then we sync.
      h.history = 'pending';
      this.out.readHistory.push({ sid: h.sid, fromZxid: h.peerLastZxid });
      return;
    }
    const { messages } = syncPackets({
      learner: h,
      appliedZxid: this.appliedZxid,
      txnLog: h.history?.entries,
      committedLog: this.committedLog,
      outstanding: this.outstanding.map((p) => p.entry),
      newLeaderZxid: this.epoch << 32n,
      configText: this.config.text,
    });
    this.out.messages.push(...messages);
    h.history = undefined;
    h.forwarding = true;
    h.stage = 'newLeaderSent';
    h.deadline = this.ticks + this.limits.initLimit + this.limits.syncLimit;
  }

  /** Older than the oldest txn kept in memory: only the on-disk log can DIFF it (else SNAP). */
  private behindCommittedLog(peerLastZxid: bigint): boolean {
    const oldest = this.committedLog[0]?.zxid ?? this.appliedZxid;
    return peerLastZxid < oldest && peerLastZxid !== this.appliedZxid;
  }

  private onHistory(sid: bigint, fromZxid: bigint, entries: Entry[] | undefined): void {
    const h = this.handles.get(sid);
    // Gone, or an answer for an earlier connection under this sid.
    if (!h || h.history !== 'pending' || h.peerLastZxid !== fromZxid) return;
    h.history = { entries };
    if (h.stage === 'epochAcked') this.syncLearner(h);
  }

  private onAck(h: LearnerHandle, zxid: bigint): void {
    if (h.stage === 'newLeaderSent') {
      if (zxid !== this.epoch << 32n) return this.disconnect(h.sid, `its first ACK (0x${zxid.toString(16)}) is not NEWLEADER's`);
      h.stage = 'newLeaderAcked';
      if (this.phase === 'sync') {
        if (!h.observer) this.newLeaderAcks.add(h.sid);
        this.maybeStartServing();
      } else {
        this.sendUptodate(h);
      }
      return;
    }
    if ((zxid & MAX_COUNTER) === 0n || h.observer) return; // UPTODATE's ACK, or a non-voter
    h.unacked.acked(zxid);
    const p = this.outstanding.find((o) => o.entry.zxid === zxid);
    if (!p) return; // already committed, or unknown
    p.acks.add(h.sid);
    this.tryCommit();
  }

  private maybeStartServing(): void {
    if (this.phase !== 'sync' || !hasQuorum(this.config, this.newLeaderAcks)) return;
    this.phase = 'broadcast';
    this.out.serving = true;
    for (const h of this.handles.values()) if (h.stage === 'newLeaderAcked') this.sendUptodate(h);
  }

  private sendUptodate(h: LearnerHandle): void {
    h.stage = 'uptodate';
    h.deadline = this.ticks + this.limits.syncLimit;
    this.sendTo(h.sid, quorumPacket(T.UPTODATE, -1n));
  }

  // ---- broadcast ----------------------------------------------------------------------------

  private propose(zxid: bigint, data: Buffer): void {
    if (this.phase !== 'broadcast') throw new Error(`propose while ${this.phase}`);
    if (zxid !== this.lastProposed + 1n) throw new Error(`propose 0x${zxid.toString(16)}, expected 0x${this.nextZxid().toString(16)}`);
    if ((zxid & MAX_COUNTER) === MAX_COUNTER) {
      return this.abandon('zxid counter exhausted: forcing a new election and epoch');
    }
    const entry = { zxid, data };
    this.lastProposed = zxid;
    this.outstanding.push({ entry, acks: new Set() });
    this.out.persist.entries.push(entry);
    const proposal = quorumPacket(T.PROPOSAL, zxid, data); // one packet object: the links encode it once
    for (const h of this.handles.values()) {
      if (!h.forwarding || h.observer) continue;
      this.sendTo(h.sid, proposal);
      if (h.stage === 'uptodate') h.unacked.sent(zxid, this.ticks);
    }
  }

  private onPersisted(zxid: bigint): void {
    if (zxid <= this.durable) return;
    this.durable = zxid > this.lastProposed ? this.lastProposed : zxid;
    for (const p of this.outstanding) if (p.entry.zxid <= this.durable) p.acks.add(this.myid);
    this.tryCommit();
    this.flushApply();
  }

  /** Commit strictly in zxid order: only the oldest outstanding proposal may commit. */
  private tryCommit(): void {
    while (this.outstanding.length > 0 && hasQuorum(this.config, this.outstanding[0]!.acks)) {
      const { entry } = this.outstanding.shift()!;
      this.committedLog.push(entry);
      if (this.committedLog.length > this.commitLogCount) this.committedLog.shift();
      // One packet object per kind: the links encode each once for every learner it goes to.
      const commit = quorumPacket(T.COMMIT, entry.zxid);
      let inform: QuorumPacket | undefined;
      for (const h of this.handles.values()) {
        if (!h.forwarding) continue;
        if (h.observer) this.sendTo(h.sid, (inform ??= quorumPacket(T.INFORM, entry.zxid, entry.data)));
        else this.sendTo(h.sid, commit);
      }
      this.toApply.push(entry);
      for (const sid of this.pendingSyncs.get(entry.zxid) ?? []) this.sendTo(sid, quorumPacket(T.SYNC, 0n));
      this.pendingSyncs.delete(entry.zxid);
    }
    this.flushApply();
  }

  /** The leader, too, applies only what is durable in its own log. */
  private flushApply(): void {
    while (this.toApply.length > 0 && this.toApply[0]!.zxid <= this.durable) this.out.commits.push(this.toApply.shift()!);
  }

  /** Leader.processSync: answer once everything proposed so far has committed. */
  private onLearnerSync(from: bigint): void {
    if (this.outstanding.length === 0) return this.sendTo(from, quorumPacket(T.SYNC, 0n));
    const waiting = this.pendingSyncs.get(this.lastProposed) ?? [];
    waiting.push(from);
    this.pendingSyncs.set(this.lastProposed, waiting);
  }

  // ---- time ---------------------------------------------------------------------------------

  private tick(): void {
    this.ticks++;
    if (this.phase !== 'broadcast') {
      if (this.ticks > this.phaseDeadline) this.abandon(`timed out in ${this.phase}: no quorum within initLimit`);
      return;
    }
    for (const h of [...this.handles.values()]) {
      if (this.ticks > h.deadline) {
        this.disconnect(h.sid, `nothing heard within ${h.stage === 'uptodate' ? 'syncLimit' : 'initLimit + syncLimit'}`);
        continue;
      }
      const oldest = h.unacked.oldest();
      if (oldest && this.ticks - oldest.tick > this.limits.syncLimit) {
        this.disconnect(h.sid, `proposal 0x${oldest.zxid.toString(16)} not ACKed within syncLimit`);
        continue;
      }
      if (h.forwarding) this.sendTo(h.sid, quorumPacket(T.PING, this.lastProposed));
    }
    const synced = [this.myid, ...[...this.handles.values()].filter((h) => h.stage === 'uptodate' && !h.observer).map((h) => h.sid)];
    if (!hasQuorum(this.config, synced)) this.abandon('not sufficient followers synced, only: ' + synced.join(','));
  }

  private disconnect(sid: bigint, reason: string): void {
    this.handles.delete(sid);
    this.out.disconnect.push({ sid, reason });
  }

  private sendTo(to: bigint, packet: QuorumPacket): void {
    this.out.messages.push({ to, packet });
  }
}

/**
 * A DIFF built from a log with a hole loses txns (ZOOKEEPER-4925): within an epoch the given
 * history must have no gaps, ascend, and end at the leader's last zxid.
 */
function assertContinuous(log: readonly Entry[], lastZxid: bigint): void {
  for (let i = 1; i < log.length; i++) {
    const prev = log[i - 1]!.zxid, cur = log[i]!.zxid;
    if (cur <= prev || (epochOf(cur) === epochOf(prev) && cur !== prev + 1n)) {
      throw new Error(`committed log is not continuous: 0x${prev.toString(16)} then 0x${cur.toString(16)}`);
    }
  }
  const last = log[log.length - 1];
  if (last && last.zxid !== lastZxid) throw new Error(`committed log ends at 0x${last.zxid.toString(16)}, not at the last zxid 0x${lastZxid.toString(16)}`);
}

/** Forwarded requests whose type is sync are answered through `learnerSync`, not proposed. */
export function isSyncRequest(type: number): boolean {
  return type === OpCode.sync;
}

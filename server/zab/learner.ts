// The learner side of Zab, shared by followers and observers: discovery (FOLLOWERINFO /
// OBSERVERINFO, LEADERINFO, ACKEPOCH), sync (DIFF / TRUNC / SNAP, NEWLEADER, UPTODATE) and
// broadcast (PROPOSAL + ACK + COMMIT, or INFORM), PING with session touches, REVALIDATE,
// SYNC and REQUEST forwarding. A pure machine: step(input) → ready() → advance().
// Counterpart: Learner (registerWithLeader, syncWithLeader), Follower / Observer processPacket,
// SendAckRequestProcessor. The follower ACKs a proposal only once it is durable, and ACKs
// NEWLEADER only after every synced txn and then the new currentEpoch are durable.

import {
  decodeRevalidateReply, encodeAckEpoch, encodeForwardedRequest, encodeLearnerInfo, encodePingTouches,
  encodeRevalidateRequest, quorumPacket, QuorumPacketType as T, quorumPacketTypeName, ZAB_PROTOCOL_VERSION,
  type ForwardedRequest, type QuorumPacket,
} from '../../protocol/quorum.js';
import type { Id } from '../../protocol/records.js';
import { emptyReady, type CommonInput, type Entry, type ZabLimits, type ZabReady } from './types.js';

export type LearnerInput =
  | CommonInput
  /** A local client session showed activity: report it to the leader in the next PING reply. */
  | { type: 'touch'; sessionId: bigint; timeout: number }
  /** A client reconnected here with this session: ask the leader whether it is still valid. */
  | { type: 'revalidate'; sessionId: bigint; timeout: number }
  /** Forward a write (or sync, createSession, global closeSession) to the leader. */
  | { type: 'forward'; request: ForwardedRequest; authinfo: Id[] };

export interface LearnerOptions extends ZabLimits {
  myid: bigint;
  leader: bigint;
  acceptedEpoch: bigint;
  currentEpoch: bigint;
  /** Last zxid in the local txn log (all durable after recovery). */
  lastLoggedZxid: bigint;
  /** Dynamic config version sent in LearnerInfo. */
  configVersion?: bigint;
}

type Phase = 'discovery' | 'awaitSync' | 'syncing' | 'newLeaderPending' | 'awaitUptodate' | 'broadcast' | 'done';

const epochOf = (zxid: bigint): bigint => zxid >> 32n;

export abstract class Learner {
  readonly myid: bigint;
  readonly leader: bigint;
  protected readonly limits: ZabLimits;
  protected phase: Phase = 'discovery';
  private acceptedEpochValue: bigint;
  private currentEpochValue: bigint;
  private newEpoch = -1n;
  private newLeaderZxid = 0n;
  /** Highest zxid handed to the log (appended, maybe not yet durable). */
  private lastAppended: bigint;
  /** Highest zxid known durable. */
  private durable: bigint;
  /** Last proposal zxid accepted, for the continuity check (0 = none yet this sync). */
  private lastQueued = 0n;
  /** Proposals logged but not yet committed, in zxid order. */
  protected readonly uncommitted: Entry[] = [];
  /** Committed txns waiting for local durability before they may be applied. */
  private readonly toApply: Entry[] = [];
  /** SYNCs that arrived behind txns still in `toApply`: the zxid each must see applied first. */
  private readonly syncsWaiting: bigint[] = [];
  /** Proposals durable but not yet ACKed (only acked once NEWLEADER has been acked). */
  private readonly toAck: bigint[] = [];
  private readonly touches = new Map<bigint, number>();
  private idleTicks = 0;
  protected out: ZabReady = emptyReady();

  /** The packet that opens discovery: FOLLOWERINFO or OBSERVERINFO. */
  protected abstract readonly infoType: number;
  /** Followers ACK proposals; observers never vote. */
  protected abstract readonly acksProposals: boolean;

  constructor(opts: LearnerOptions) {
    this.myid = opts.myid;
    this.leader = opts.leader;
    this.limits = { initLimit: opts.initLimit, syncLimit: opts.syncLimit };
    this.acceptedEpochValue = opts.acceptedEpoch;
    this.currentEpochValue = opts.currentEpoch;
    this.lastAppended = opts.lastLoggedZxid;
    this.durable = opts.lastLoggedZxid;
    this.configVersion = opts.configVersion ?? 0n;
  }

  private readonly configVersion: bigint;

  /** Sends FOLLOWERINFO / OBSERVERINFO; call once the connection to the leader is up. */
  start(): void {
    const info = encodeLearnerInfo({ serverId: this.myid, protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: this.configVersion });
    this.send(quorumPacket(this.infoType, this.acceptedEpochValue << 32n, info));
  }

  get acceptedEpoch(): bigint { return this.acceptedEpochValue; }
  get currentEpoch(): bigint { return this.currentEpochValue; }
  get lastLoggedZxid(): bigint { return this.lastAppended; }
  get durableZxid(): bigint { return this.durable; }
  get isServing(): boolean { return this.phase === 'broadcast'; }
  get isDone(): boolean { return this.phase === 'done'; }

  step(input: LearnerInput): void {
    if (this.phase === 'done') return;
    switch (input.type) {
      case 'tick': return this.tick();
      case 'persisted': return this.onPersisted(input.zxid);
      case 'message':
        if (input.from !== this.leader) return;
        this.idleTicks = 0;
        return this.onPacket(input.packet);
      case 'touch':
        this.touches.set(input.sessionId, input.timeout);
        return;
      case 'revalidate':
        this.send(quorumPacket(T.REVALIDATE, -1n, encodeRevalidateRequest(input)));
        return;
      case 'forward':
        this.send(quorumPacket(T.REQUEST, -1n, encodeForwardedRequest(input.request), input.authinfo));
        return;
    }
  }

  ready(): ZabReady { return this.out; }
  advance(): void { this.out = emptyReady(); }

  // ------------------------------------------------------------------------------------------

  protected send(packet: QuorumPacket): void {
    this.out.messages.push({ to: this.leader, packet });
  }

  protected abandon(reason: string): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.out.abandon = reason;
  }

  private tick(): void {
    this.idleTicks++;
    const limit = this.phase === 'broadcast' || this.phase === 'awaitUptodate' ? this.limits.syncLimit : this.limits.initLimit;
    if (this.idleTicks > limit) this.abandon(`no packet from leader ${this.leader} for ${this.idleTicks} ticks`);
  }

  private onPacket(p: QuorumPacket): void {
    switch (this.phase) {
      case 'discovery':
        if (p.type === T.LEADERINFO) return this.onLeaderInfo(p);
        return this.abandon(`expected LEADERINFO, got ${quorumPacketTypeName(p.type)}`);
      case 'awaitSync':
        return this.onSyncStart(p);
      case 'syncing':
      case 'newLeaderPending':
      case 'awaitUptodate':
        return this.onSyncPacket(p);
      case 'broadcast':
        return this.onBroadcastPacket(p);
      default:
        return;
    }
  }

  private onLeaderInfo(p: QuorumPacket): void {
    const epoch = epochOf(p.zxid);
    let ackData: number;
    if (epoch > this.acceptedEpochValue) {
      ackData = Number(this.currentEpochValue);
      this.acceptedEpochValue = epoch;
      this.out.persist.acceptedEpoch = epoch; // durable before the ACKEPOCH below is sent
    } else if (epoch === this.acceptedEpochValue) {
      ackData = -1; // already accepted this epoch: the ack must not count again
    } else {
      return this.abandon(`leader's epoch ${epoch} is below our accepted epoch ${this.acceptedEpochValue}`);
    }
    this.newEpoch = epoch;
    this.send(quorumPacket(T.ACKEPOCH, this.lastAppended, encodeAckEpoch(ackData)));
    this.phase = 'awaitSync';
  }

  private onSyncStart(p: QuorumPacket): void {
    switch (p.type) {
      case T.DIFF:
        this.lastQueued = this.lastAppended;
        break;
      case T.TRUNC:
        this.out.persist.truncateTo = p.zxid;
        this.lastAppended = p.zxid;
        this.durable = p.zxid;
        this.lastQueued = p.zxid;
        break;
      case T.SNAP:
        // The driver has read the snapshot stream into the tree before stepping this packet.
        this.out.persist.snapshot = p.zxid;
        this.lastAppended = p.zxid;
        this.durable = p.zxid;
        this.lastQueued = p.zxid;
        break;
      default:
        return this.abandon(`expected DIFF, TRUNC or SNAP, got ${quorumPacketTypeName(p.type)}`);
    }
    this.phase = 'syncing';
  }

  private onSyncPacket(p: QuorumPacket): void {
    switch (p.type) {
      case T.PROPOSAL: return this.onProposal(p);
      case T.COMMIT: return this.onCommit(p.zxid);
      case T.INFORM: return this.onInform(p);
      case T.NEWLEADER:
        if (this.phase !== 'syncing') return this.abandon('second NEWLEADER');
        if (epochOf(p.zxid) !== this.newEpoch) return this.abandon(`NEWLEADER for epoch ${epochOf(p.zxid)}, expected ${this.newEpoch}`);
        this.newLeaderZxid = p.zxid;
        this.phase = 'newLeaderPending';
        return this.maybeAckNewLeader();
      case T.UPTODATE:
        if (this.phase !== 'awaitUptodate') return this.abandon('UPTODATE before our NEWLEADER ACK');
        this.phase = 'broadcast';
        this.out.serving = true;
        this.send(quorumPacket(T.ACK, this.newEpoch << 32n));
        return;
      default:
        return; // PING and others are not answered until UPTODATE, as in ZooKeeper
    }
  }

  private onBroadcastPacket(p: QuorumPacket): void {
    switch (p.type) {
      case T.PROPOSAL: return this.onProposal(p);
      case T.COMMIT: return this.onCommit(p.zxid);
      case T.INFORM: return this.onInform(p);
      case T.PING: {
        const touches = [...this.touches].map(([sessionId, timeout]) => ({ sessionId, timeout }));
        this.touches.clear();
        this.send(quorumPacket(T.PING, p.zxid, encodePingTouches(touches)));
        return;
      }
      case T.REVALIDATE:
        this.out.revalidated.push(decodeRevalidateReply(p.data));
        return;
      case T.SYNC:
        // A read after the sync must see every txn committed before it. Those still waiting here
        // for local durability (rule 2) are applied first; the sync completes with the last one.
        if (this.toApply.length === 0) this.out.syncsDone++;
        else this.syncsWaiting.push(this.toApply[this.toApply.length - 1]!.zxid);
        return;
      case T.COMMITANDACTIVATE:
      case T.INFORMANDACTIVATE:
        return this.abandon('dynamic reconfiguration is not supported');
      default:
        return this.abandon(`unexpected ${quorumPacketTypeName(p.type)} while broadcasting`);
    }
  }

  /** Learner.enforceContinuousProposal: within an epoch zxids follow each other without gaps. */
  private acceptZxid(zxid: bigint): boolean {
    if (this.lastQueued !== 0n && zxid !== this.lastQueued + 1n && epochOf(zxid) <= epochOf(this.lastQueued)) {
      this.abandon(`proposal 0x${zxid.toString(16)} does not follow 0x${this.lastQueued.toString(16)}`);
      return false;
    }
    this.lastQueued = zxid;
    return true;
  }

  private append(entry: Entry): void {
    this.out.persist.entries.push(entry);
    this.lastAppended = entry.zxid;
  }

  private onProposal(p: QuorumPacket): void {
    if (p.data === null) return this.abandon('PROPOSAL without txn');
    if (!this.acceptZxid(p.zxid)) return;
    const entry = { zxid: p.zxid, data: p.data };
    this.append(entry);
    this.uncommitted.push(entry);
    if (this.acksProposals) this.toAck.push(entry.zxid);
  }

  private onCommit(zxid: bigint): void {
    const head = this.uncommitted[0];
    if (head === undefined || head.zxid !== zxid) {
      return this.abandon(`COMMIT 0x${zxid.toString(16)} but next pending is ${head ? `0x${head.zxid.toString(16)}` : 'none'}`);
    }
    this.uncommitted.shift();
    // A txn committed during sync is already part of the leader's history: no ACK is due.
    if (this.phase !== 'broadcast' && this.toAck[0] === zxid) this.toAck.shift();
    this.toApply.push(head);
    this.flushApply();
  }

  /** INFORM (observers): a committed txn, logged and applied without any vote. */
  private onInform(p: QuorumPacket): void {
    if (p.data === null) return this.abandon('INFORM without txn');
    if (!this.acceptZxid(p.zxid)) return;
    const entry = { zxid: p.zxid, data: p.data };
    this.append(entry);
    this.toApply.push(entry);
    this.flushApply();
  }

  private onPersisted(zxid: bigint): void {
    if (zxid > this.durable) this.durable = zxid > this.lastAppended ? this.lastAppended : zxid;
    if (this.phase === 'newLeaderPending') this.maybeAckNewLeader();
    this.flushAcks();
    this.flushApply();
  }

  /**
   * NEWLEADER is ACKed only when every txn received during sync is durable; the new current
   * epoch goes to disk after them and before the ACK (ZOOKEEPER-3911, -4643, -4646).
   */
  private maybeAckNewLeader(): void {
    if (this.durable < this.lastAppended) return;
    this.currentEpochValue = this.newEpoch;
    this.out.persist.currentEpoch = this.newEpoch;
    this.send(quorumPacket(T.ACK, this.newLeaderZxid));
    this.phase = 'awaitUptodate';
    this.flushAcks();
  }

  /** ACK, in order, the proposals that are durable — but never before NEWLEADER was ACKed. */
  private flushAcks(): void {
    if (this.phase !== 'awaitUptodate' && this.phase !== 'broadcast') return;
    while (this.toAck.length > 0 && this.toAck[0]! <= this.durable) this.send(quorumPacket(T.ACK, this.toAck.shift()!));
  }

  /** Apply only what is both committed and durable here. */
  private flushApply(): void {
    while (this.toApply.length > 0 && this.toApply[0]!.zxid <= this.durable) this.out.commits.push(this.toApply.shift()!);
    const next = this.toApply[0]?.zxid;
    while (this.syncsWaiting.length > 0 && (next === undefined || this.syncsWaiting[0]! < next)) {
      this.syncsWaiting.shift();
      this.out.syncsDone++;
    }
  }
}

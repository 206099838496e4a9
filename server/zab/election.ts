// Fast Leader Election as a pure state machine: notifications and ticks in; notifications to
// send and, once, the decided vote out. It also answers LOOKING peers after the decision (the
// receiver side), so one instance lives as long as the peer does.
// Counterpart: FastLeaderElection (lookForLeader, WorkerReceiver, totalOrderPredicate,
// checkLeader, receivedFollowing/LeadingNotification) and Vote.equals. The quorum oracle for
// two-node ensembles and dynamic reconfiguration through notifications are not modelled.

import { NOTIFICATION_VERSION, PeerState, type Notification } from '../../protocol/quorum.js';
import { hasQuorum, isVoter, type QuorumConfig } from './quorum-config.js';

export { PeerState };

const LONG_MIN = -(2n ** 63n);

/** What a peer proposes as leader. Ordered by peerEpoch, then zxid, then sid. */
export interface Proposal {
  leader: bigint;
  zxid: bigint;
  peerEpoch: bigint;
}

/** A decided vote: the proposal plus the election round it was decided in. */
export interface Vote extends Proposal {
  electionEpoch: bigint;
}

export interface Decision {
  state: typeof PeerState.LEADING | typeof PeerState.FOLLOWING | typeof PeerState.OBSERVING;
  vote: Vote;
}

export interface OutNotification {
  to: bigint;
  n: Notification;
}

export type ElectionInput =
  | { type: 'tick' }
  | { type: 'notification'; from: bigint; n: Notification };

export interface ElectionReady {
  send: OutNotification[];
  /** Set once per lookForLeader, on the step that decides. */
  decided: Decision | null;
}

export interface ElectionOptions {
  myid: bigint;
  config: QuorumConfig;
  /** finalizeWait (200 ms in ZooKeeper) in ticks; 0 decides as soon as a quorum agrees. */
  finalizeWaitTicks?: number;
  /** Silence after which notifications are re-sent, doubling up to the max (200 ms … 60 s). */
  minNotificationTicks?: number;
  maxNotificationTicks?: number;
}

/** A vote as recorded from a notification (ZooKeeper's Vote with state and format version). */
interface Recorded extends Vote {
  state: PeerState;
  version: number;
}

/**
 * totalOrderPredicate: is `a` a better leader than `b`? A candidate that is not a voter
 * (weight 0) never is.
 */
export function isBetterVote(config: QuorumConfig, a: Proposal, b: Proposal): boolean {
  if (!isVoter(config, a.leader)) return false;
  if (a.peerEpoch !== b.peerEpoch) return a.peerEpoch > b.peerEpoch;
  if (a.zxid !== b.zxid) return a.zxid > b.zxid;
  return a.leader > b.leader;
}

/** Vote.equals: full match when either side is LOOKING, else leader (+ peerEpoch when formats agree). */
function sameVote(a: Recorded, b: Recorded): boolean {
  if (a.state === PeerState.LOOKING || b.state === PeerState.LOOKING) {
    return a.leader === b.leader && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch && a.peerEpoch === b.peerEpoch;
  }
  if ((a.version > 0) !== (b.version > 0)) return a.leader === b.leader;
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch;
}

export class Election {
  readonly myid: bigint;
  private readonly config: QuorumConfig;
  private readonly finalizeWaitTicks: number;
  private readonly minNotificationTicks: number;
  private readonly maxNotificationTicks: number;

  private peerState: PeerState = PeerState.LOOKING;
  private looking = false;
  private logicalclock = 0n;
  private init: Proposal = { leader: LONG_MIN, zxid: LONG_MIN, peerEpoch: LONG_MIN };
  private proposal: Proposal = this.init;
  /** The last decided vote (QuorumPeer.currentVote), answered to LOOKING peers. */
  private current: Vote = { ...this.init, electionEpoch: 0n };
  private readonly recvset = new Map<bigint, Recorded>();
  private readonly outofelection = new Map<bigint, Recorded>();
  private notTimeout: number;
  private idleTicks = 0;
  /** Ticks left before a quorum-backed proposal is final; null when not finalizing. */
  private finalizeLeft: number | null = null;
  private readonly selfQueue: Notification[] = [];
  private out: ElectionReady = { send: [], decided: null };

  constructor(opts: ElectionOptions) {
    this.myid = opts.myid;
    this.config = opts.config;
    this.finalizeWaitTicks = opts.finalizeWaitTicks ?? 1;
    this.minNotificationTicks = Math.max(1, opts.minNotificationTicks ?? 1);
    this.maxNotificationTicks = Math.max(this.minNotificationTicks, opts.maxNotificationTicks ?? 30);
    this.notTimeout = this.minNotificationTicks;
  }

  get state(): PeerState {
    return this.peerState;
  }

  get round(): bigint {
    return this.logicalclock;
  }

  get currentProposal(): Proposal {
    return { ...this.proposal };
  }

  private get participant(): boolean {
    return isVoter(this.config, this.myid);
  }

  /**
   * Starts a new election round (QuorumPeer turning LOOKING). Participants propose themselves
   * with their last logged zxid and current epoch; observers propose nobody (Long.MIN_VALUE).
   */
  lookForLeader(self: { lastLoggedZxid: bigint; currentEpoch: bigint }): void {
    this.peerState = PeerState.LOOKING;
    this.looking = true;
    this.logicalclock++;
    this.init = this.participant
      ? { leader: this.myid, zxid: self.lastLoggedZxid, peerEpoch: self.currentEpoch }
      : { leader: LONG_MIN, zxid: LONG_MIN, peerEpoch: LONG_MIN };
    if (this.logicalclock === 1n) this.current = { ...this.init, electionEpoch: 0n };
    this.proposal = { ...this.init };
    this.recvset.clear();
    this.outofelection.clear();
    this.notTimeout = this.minNotificationTicks;
    this.idleTicks = 0;
    this.finalizeLeft = null;
    this.out.decided = null;
    this.sendNotifications();
    this.drainSelf();
  }

  step(input: ElectionInput): void {
    if (input.type === 'tick') this.tick();
    else this.receive(input.from, input.n);
    this.drainSelf();
  }

  ready(): ElectionReady {
    return this.out;
  }

  advance(): void {
    this.out = { send: [], decided: null };
  }

  // ------------------------------------------------------------------------------------------

  private tick(): void {
    if (!this.looking) return;
    if (this.finalizeLeft !== null) {
      this.finalizeLeft--;
      if (this.finalizeLeft <= 0) this.decide(this.proposal.leader === this.myid ? PeerState.LEADING : this.learningState(), { ...this.proposal, electionEpoch: this.logicalclock });
      return;
    }
    this.idleTicks++;
    if (this.idleTicks >= this.notTimeout) {
      this.sendNotifications();
      this.notTimeout = Math.min(this.notTimeout * 2, this.maxNotificationTicks);
      this.idleTicks = 0;
    }
  }

  /** WorkerReceiver: answers non-voters and lagging or LOOKING peers, queues the rest. */
  private receive(from: bigint, n: Notification): void {
    if (!isVoter(this.config, from)) {
      const v = this.current;
      this.reply(from, this.peerState, v.leader, v.zxid, this.logicalclock, v.peerEpoch);
      return;
    }
    if (!this.looking) {
      if (n.state === PeerState.LOOKING) {
        const v = this.current;
        this.reply(from, this.peerState, v.leader, v.zxid, v.electionEpoch, v.peerEpoch);
      }
      return;
    }
    // Bring a lagging voter up to our round. An observer skips this: voters never process what
    // a non-voter sends (they only answer it), so ZooKeeper's reply here just ping-pongs forever.
    if (this.participant && n.state === PeerState.LOOKING && n.electionEpoch < this.logicalclock) {
      const p = this.proposal;
      this.reply(from, PeerState.LOOKING, p.leader, p.zxid, this.logicalclock, p.peerEpoch);
    }
    this.process(from, n);
  }

  /** One iteration of lookForLeader's loop for a notification from a voter. */
  private process(from: bigint, n: Notification): void {
    this.idleTicks = 0;
    if (this.finalizeLeft !== null) {
      // Waiting finalizeWait for a better vote: anything else is dropped and the wait restarts.
      if (!isBetterVote(this.config, n, this.proposal)) {
        this.finalizeLeft = this.finalizeWaitTicks;
        return;
      }
      this.finalizeLeft = null;
    }
    if (!isVoter(this.config, n.leader)) return;
    switch (n.state) {
      case PeerState.LOOKING:
        this.onLooking(from, n);
        return;
      case PeerState.FOLLOWING:
      case PeerState.LEADING:
        this.onFollowingOrLeading(from, n);
        return;
      default:
        return; // OBSERVING notifications carry no vote
    }
  }

  private onLooking(from: bigint, n: Notification): void {
    if (this.init.zxid === -1n || n.zxid === -1n) return;
    if (n.electionEpoch > this.logicalclock) {
      this.logicalclock = n.electionEpoch;
      this.recvset.clear();
      this.proposal = isBetterVote(this.config, n, this.init) ? pick(n) : { ...this.init };
      this.sendNotifications();
    } else if (n.electionEpoch < this.logicalclock) {
      return;
    } else if (isBetterVote(this.config, n, this.proposal)) {
      this.proposal = pick(n);
      this.sendNotifications();
    }
    this.recvset.set(from, { ...pick(n), electionEpoch: n.electionEpoch, state: PeerState.LOOKING, version: 0 });
    const mine: Recorded = { ...this.proposal, electionEpoch: this.logicalclock, state: PeerState.LOOKING, version: 0 };
    if (this.quorumFor(this.recvset, mine)) {
      if (this.finalizeWaitTicks <= 0) {
        this.decide(this.proposal.leader === this.myid ? PeerState.LEADING : this.learningState(), { ...this.proposal, electionEpoch: this.logicalclock });
      } else {
        this.finalizeLeft = this.finalizeWaitTicks;
      }
    }
  }

  /** A peer already out of election: join its leader once a quorum is seen following it. */
  private onFollowingOrLeading(from: bigint, n: Notification): void {
    const vote: Recorded = { ...pick(n), electionEpoch: n.electionEpoch, state: n.state, version: n.version };
    const end = { ...pick(n), electionEpoch: n.electionEpoch };
    const decided = n.leader === this.myid ? PeerState.LEADING : this.learningState();
    if (n.electionEpoch === this.logicalclock) {
      this.recvset.set(from, { ...vote, version: 0 });
      if (this.quorumFor(this.recvset, vote) && this.checkLeader(this.recvset, n.leader, n.electionEpoch)) {
        this.decide(decided, end);
        return;
      }
    }
    this.outofelection.set(from, vote);
    if (this.quorumFor(this.outofelection, vote) && this.checkLeader(this.outofelection, n.leader, n.electionEpoch)) {
      this.logicalclock = n.electionEpoch;
      this.decide(decided, end);
    }
  }

  private quorumFor(votes: Map<bigint, Recorded>, vote: Recorded): boolean {
    const acks: bigint[] = [];
    for (const [sid, v] of votes) if (sameVote(vote, v)) acks.push(sid);
    return hasQuorum(this.config, acks);
  }

  /** Following someone else needs that someone to have said LEADING; leading myself needs my round. */
  private checkLeader(votes: Map<bigint, Recorded>, leader: bigint, electionEpoch: bigint): boolean {
    if (leader !== this.myid) return votes.get(leader)?.state === PeerState.LEADING;
    return this.logicalclock === electionEpoch;
  }

  private learningState(): typeof PeerState.FOLLOWING | typeof PeerState.OBSERVING {
    return this.participant ? PeerState.FOLLOWING : PeerState.OBSERVING;
  }

  private decide(state: Decision['state'], vote: Vote): void {
    this.peerState = state;
    this.looking = false;
    this.finalizeLeft = null;
    this.current = { ...vote };
    this.selfQueue.length = 0;
    this.out.decided = { state, vote: { ...vote } };
  }

  private sendNotifications(): void {
    for (const sid of this.config.voters) {
      const n = this.notification(PeerState.LOOKING, this.proposal.leader, this.proposal.zxid, this.logicalclock, this.proposal.peerEpoch);
      if (sid === this.myid) this.selfQueue.push(n);
      else this.out.send.push({ to: sid, n });
    }
  }

  private reply(to: bigint, state: PeerState, leader: bigint, zxid: bigint, electionEpoch: bigint, peerEpoch: bigint): void {
    this.out.send.push({ to, n: this.notification(state, leader, zxid, electionEpoch, peerEpoch) });
  }

  private notification(state: PeerState, leader: bigint, zxid: bigint, electionEpoch: bigint, peerEpoch: bigint): Notification {
    return { state, leader, zxid, electionEpoch, peerEpoch, version: NOTIFICATION_VERSION, config: this.config.text };
  }

  /** Our own notifications are delivered locally, after the step that produced them. */
  private drainSelf(): void {
    while (this.selfQueue.length > 0 && this.looking) {
      const n = this.selfQueue.shift()!;
      this.process(this.myid, n);
    }
    this.selfQueue.length = 0;
  }
}

function pick(n: Proposal): Proposal {
  return { leader: n.leader, zxid: n.zxid, peerEpoch: n.peerEpoch };
}

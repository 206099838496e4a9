// The leader's view of one learner (stage, last zxid, liveness deadline) and the packets that
// sync it: the DIFF / TRUNC / SNAP op from the plan, the txns it lacks (from the on-disk txn log
// when it is further behind than the in-memory committed log), the proposals in flight, then
// NEWLEADER. Pure data in, packets out; leader.ts decides when.
// Counterpart: LearnerHandler (run's handshake part, syncFollower's packet queueing) and
// Leader.startForwarding.

import { quorumPacket, QuorumPacketType as T } from '../../protocol/quorum.js';
import { planSync, type SyncPlan } from './sync-plan.js';
import type { Entry, Outbound } from './types.js';
import type { UnackedProposals } from './unacked-proposals.js';

export type LearnerStage =
  /** FOLLOWERINFO / OBSERVERINFO received; LEADERINFO sent once the epoch is settled. */
  | 'info'
  /** ACKEPOCH received; synced as soon as a quorum has acked the epoch. */
  | 'epochAcked'
  /** Sync packets and NEWLEADER sent; waiting for its ACK. */
  | 'newLeaderSent'
  /** NEWLEADER ACKed; UPTODATE follows once a quorum has acked it. */
  | 'newLeaderAcked'
  /** UPTODATE sent: in broadcast. */
  | 'uptodate';

export interface LearnerHandle {
  sid: bigint;
  observer: boolean;
  acceptedEpoch: bigint;
  stage: LearnerStage;
  /** ACKEPOCH's zxid: the learner's last logged zxid. */
  peerLastZxid: bigint;
  /** Receives new proposals / commits / informs (set when its sync is queued). */
  forwarding: boolean;
  /** Leader tick after which, without a packet from it, the learner is dropped. */
  deadline: number;
  /** A follower in broadcast: proposals it has not ACKed yet (dropped past syncLimit). */
  unacked: UnackedProposals;
  /**
   * The on-disk txn log for a learner behind the committed log: 'pending' while the driver
   * reads it, then the records read (undefined: the log could not serve them, so SNAP).
   */
  history?: 'pending' | { entries: readonly Entry[] | undefined };
}

export interface SyncInput {
  learner: LearnerHandle;
  /** The tree is at this zxid when these packets go out (commits of earlier Readys applied). */
  appliedZxid: bigint;
  /** Committed txns kept in memory, ascending (all with zxid > appliedZxid must be here). */
  committedLog: readonly Entry[];
  /** Records of the on-disk txn log from the learner's zxid on, ascending, when read. */
  txnLog?: readonly Entry[] | undefined;
  /** Proposed, not yet committed, ascending. */
  outstanding: readonly Entry[];
  newLeaderZxid: bigint;
  configText: string;
  forceSnap?: boolean;
}

/** Packets that bring one learner level with the leader, ending with NEWLEADER. */
export function syncPackets(input: SyncInput): { plan: SyncPlan; messages: Outbound[] } {
  const { learner, committedLog, outstanding, txnLog } = input;
  const to = learner.sid;
  const plan = planSync({
    peerLastZxid: learner.peerLastZxid,
    lastProcessedZxid: input.appliedZxid,
    committedLog: committedLog.map((e) => e.zxid),
    txnLog: txnLog?.map((e) => e.zxid),
    forceSnap: input.forceSnap,
  });
  const messages: Outbound[] = [];
  const byZxid = new Map([...(txnLog ?? []), ...committedLog].map((e) => [e.zxid, e]));
  const proposeAndCommit = (e: Entry) => {
    messages.push({ to, packet: quorumPacket(T.PROPOSAL, e.zxid, e.data) });
    messages.push({ to, packet: quorumPacket(T.COMMIT, e.zxid) });
  };
  if (plan.kind === 'SNAP') {
    messages.push({ to, packet: quorumPacket(T.SNAP, plan.zxid), snapshotFollows: true });
  } else {
    messages.push({ to, packet: quorumPacket(plan.kind === 'DIFF' ? T.DIFF : T.TRUNC, plan.zxid) });
    for (const zxid of plan.fromTxnLog) proposeAndCommit(byZxid.get(zxid)!);
    for (const zxid of plan.fromCommittedLog) proposeAndCommit(byZxid.get(zxid)!);
  }
  // startForwarding: committed but maybe not yet applied, then (participants only) in flight.
  for (const e of committedLog) if (e.zxid > plan.lastQueued) proposeAndCommit(e);
  if (!learner.observer) {
    for (const e of outstanding) if (e.zxid > plan.lastQueued) messages.push({ to, packet: quorumPacket(T.PROPOSAL, e.zxid, e.data) });
  }
  messages.push({ to, packet: quorumPacket(T.NEWLEADER, input.newLeaderZxid, Buffer.from(input.configText, 'utf8')) });
  return { plan, messages };
}

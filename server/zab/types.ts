// The Step/Ready vocabulary shared by the Zab role machines (leader, follower, observer): what
// the impure driver feeds in, and what it must do with each Ready, in which order.
// Counterpart: none in ZooKeeper (its roles do their own I/O); modelled on etcd-io/raft's Ready.
// The ordering contract these fields encode is written out in docs/zab.md.

import type { ForwardedRequest, QuorumPacket, SessionTouch } from '../../protocol/quorum.js';
import type { Id } from '../../protocol/records.js';

/** One txn as logged and sent: its zxid and the exact bytes of encodeTxn (TxnHeader + record). */
export interface Entry {
  zxid: bigint;
  data: Buffer;
}

/** A packet for one peer. `snapshotFollows`: the driver writes its snapshot stream right after. */
export interface Outbound {
  to: bigint;
  packet: QuorumPacket;
  /** Only on SNAP: append the serialized tree + "BenWasHere" (protocol.md §12.5). */
  snapshotFollows?: true;
}

export interface Persist {
  /** Truncate the txn log to this zxid and reload state at it (TRUNC). Before `entries`. */
  truncateTo: bigint | null;
  /** Write a snapshot of the tree, which is at this zxid (after SNAP). Before `entries`. */
  snapshot: bigint | null;
  /** Append to the txn log, in order. Durability is reported later by a `persisted` input. */
  entries: Entry[];
  /** Write the acceptedEpoch file (temp + fsync + rename). */
  acceptedEpoch: bigint | null;
  /** Write the currentEpoch file (temp + fsync + rename). */
  currentEpoch: bigint | null;
}

/**
 * What one Ready asks of the driver, in this order:
 *   1. persist: truncate, snapshot, epochs durable now; entries queued to the log (async fsync)
 *   2. send `messages` (in order, per peer)
 *   3. apply `commits` to the tree (in order)
 *   4. act on the rest (sessions, requests, role changes), then call advance().
 */
export interface ZabReady {
  persist: Persist;
  messages: Outbound[];
  /** Committed and locally durable txns, in zxid order: apply them. */
  commits: Entry[];
  /** Peers whose connection must be closed (timed out, misbehaving), and why (for the log). */
  disconnect: { sid: bigint; reason: string }[];
  /** Leader: session touches reported by learners' pings, for the global session tracker. */
  touches: SessionTouch[];
  /** Leader: learners asking whether a session is valid; answer with a `revalidated` input. */
  revalidate: { from: bigint; sessionId: bigint; timeout: number }[];
  /**
   * Leader: a learner is behind the in-memory committed log. Read the on-disk txn log from
   * `fromZxid` (the record at it included) to its end and answer with a `history` input: the
   * records, or undefined when the log cannot serve them (purged, too large); then it SNAPs.
   */
  readHistory: { sid: bigint; fromZxid: bigint }[];
  /** Leader: requests forwarded by learners, for the request pipeline (a `sync` comes back as a `learnerSync` input). */
  requests: { from: bigint; request: ForwardedRequest; authinfo: Id[] }[];
  /** Learner: answers to REVALIDATE. */
  revalidated: { sessionId: bigint; valid: boolean }[];
  /**
   * Learner: syncs answered by the leader whose preceding commits are applied (this Ready's
   * `commits` included); each completes the oldest sync this learner forwarded.
   */
  syncsDone: number;
  /** The role may serve clients from now on (leader: quorum acked NEWLEADER; learner: UPTODATE). */
  serving: boolean;
  /** Set when the role ends: go back to LOOKING (FLE) with this reason. */
  abandon: string | null;
}

export function emptyReady(): ZabReady {
  return {
    persist: { truncateTo: null, snapshot: null, entries: [], acceptedEpoch: null, currentEpoch: null },
    messages: [],
    commits: [],
    disconnect: [],
    touches: [],
    revalidate: [],
    readHistory: [],
    requests: [],
    revalidated: [],
    syncsDone: 0,
    serving: false,
    abandon: null,
  };
}

/** True when the Ready asks nothing of the driver. */
export function isEmptyReady(r: ZabReady): boolean {
  const p = r.persist;
  return p.truncateTo === null && p.snapshot === null && p.entries.length === 0 && p.acceptedEpoch === null
    && p.currentEpoch === null && r.messages.length === 0 && r.commits.length === 0 && r.disconnect.length === 0
    && r.touches.length === 0 && r.revalidate.length === 0 && r.readHistory.length === 0 && r.requests.length === 0
    && r.revalidated.length === 0
    && r.syncsDone === 0 && !r.serving && r.abandon === null;
}

/** Inputs every role accepts. */
export type CommonInput =
  | { type: 'tick' }
  | { type: 'message'; from: bigint; packet: QuorumPacket }
  /** The local txn log is durable through this zxid (group commit completed). */
  | { type: 'persisted'; zxid: bigint };

/** Limits in ticks (zoo.cfg initLimit / syncLimit; one tick = tickTime). */
export interface ZabLimits {
  initLimit: number;
  syncLimit: number;
}

/** The last counter a leader may use; proposing at 0xffffffff forces a new epoch (ZooKeeper's rule). */
export const MAX_COUNTER = 0xffffffffn;

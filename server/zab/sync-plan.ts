// How a leader brings one learner up to date: DIFF, TRUNC (+ the txns after it) or SNAP, as a
// pure function of zxids. The caller turns the plan into packets (it holds the txn bytes).
// Counterpart: LearnerHandler.syncFollower + queueCommittedProposals (protocol.md §12.5).

/** Epoch of a zxid the way ZxidUtils.getEpochFromZxid computes it (arithmetic shift). */
function epochOf(zxid: bigint): bigint {
  return zxid >> 32n;
}

function isNewEpochZxid(zxid: bigint): boolean {
  return (zxid & 0xffffffffn) === 0n;
}

export interface SyncPlanInput {
  /** The learner's last logged zxid (ACKEPOCH's zxid). */
  peerLastZxid: bigint;
  /** The leader's data tree lastProcessedZxid. */
  lastProcessedZxid: bigint;
  /** zxids of the leader's in-memory committed log (the last commitLogCount txns), ascending. */
  committedLog: readonly bigint[];
  /**
   * zxids of the leader's on-disk txn log, ascending, when syncing from it is allowed
   * (txn-log sync enabled and the range within the size limit); undefined when not.
   */
  txnLog?: readonly bigint[] | undefined;
  /** zookeeper.forceSnapshotSync (tests). */
  forceSnap?: boolean;
}

export type SyncPlan =
  | { kind: 'DIFF'; zxid: bigint; fromTxnLog: bigint[]; fromCommittedLog: bigint[]; lastQueued: bigint }
  | { kind: 'TRUNC'; zxid: bigint; fromTxnLog: bigint[]; fromCommittedLog: bigint[]; lastQueued: bigint }
  | { kind: 'SNAP'; zxid: bigint; lastQueued: bigint };

type Op = { kind: 'DIFF' | 'TRUNC'; zxid: bigint };

/** State shared by the two passes of queueCommittedProposals (txn log, then committed log). */
interface Queue {
  op: Op | null;
  sent: bigint[];
}

/**
 * Queues (peerLastZxid, maxZxid] from `log`, first choosing the op packet if none yet: DIFF
 * when the peer's zxid is in the log (or is a fresh-epoch zxid), TRUNC to the last zxid below
 * it when the peer has txns of the same epoch the leader never saw. Returns the last zxid
 * queued; a divergence across an epoch boundary stops without an op (the caller then snaps).
 */
function queueProposals(q: Queue, log: readonly bigint[], peerLastZxid: bigint, maxZxid: bigint | null, lastCommitted: bigint): bigint {
  const peerNewEpoch = isNewEpochZxid(peerLastZxid);
  let queued = peerLastZxid;
  let prev = -1n;
  for (const zxid of log) {
    if (maxZxid !== null && zxid > maxZxid) break;
    if (zxid < peerLastZxid) {
      prev = zxid;
      continue;
    }
    if (q.op === null) {
      if (zxid === peerLastZxid) {
        q.op = { kind: 'DIFF', zxid: lastCommitted };
        continue;
      }
      if (peerNewEpoch) {
        q.op = { kind: 'DIFF', zxid: lastCommitted };
      } else if (zxid > peerLastZxid) {
        // A TRUNC may not cross an epoch boundary: the learner could not apply it.
        if (epochOf(zxid) !== epochOf(peerLastZxid)) return queued;
        q.op = { kind: 'TRUNC', zxid: prev };
      }
    }
    if (zxid <= queued) continue;
    q.sent.push(zxid);
    queued = zxid;
  }
  if (q.op === null && peerNewEpoch) q.op = { kind: 'DIFF', zxid: lastCommitted };
  return queued;
}

export function planSync(input: SyncPlanInput): SyncPlan {
  const { peerLastZxid: peer, lastProcessedZxid, committedLog, txnLog } = input;
  const snap: SyncPlan = { kind: 'SNAP', zxid: lastProcessedZxid, lastQueued: lastProcessedZxid };
  // An empty committed log behaves as a one-point window at lastProcessedZxid.
  const min = committedLog[0] ?? lastProcessedZxid;
  const max = committedLog[committedLog.length - 1] ?? lastProcessedZxid;

  if (input.forceSnap) return snap;
  if (peer === lastProcessedZxid) {
    return { kind: 'DIFF', zxid: peer, fromTxnLog: [], fromCommittedLog: [], lastQueued: peer };
  }
  if (peer > max && !isNewEpochZxid(peer)) {
    // The learner has txns the leader never committed (a former leader): cut back to ours.
    return { kind: 'TRUNC', zxid: max, fromTxnLog: [], fromCommittedLog: [], lastQueued: max };
  }
  if (min <= peer && peer <= max) {
    const q: Queue = { op: null, sent: [] };
    const lastQueued = queueProposals(q, committedLog, peer, null, max);
    return q.op === null ? snap : { ...q.op, fromTxnLog: [], fromCommittedLog: q.sent, lastQueued };
  }
  if (peer < min && txnLog !== undefined) {
    // The txn log must start at or before the peer's zxid, or it cannot prove continuity.
    const first = txnLog[0];
    if (first === undefined || first > peer) return snap;
    const fromLog: Queue = { op: null, sent: [] };
    const reached = queueProposals(fromLog, txnLog, peer, min, max);
    if (fromLog.op === null || reached < min) return snap; // a gap between disk and memory
    const fromMemory: Queue = { op: fromLog.op, sent: [] };
    const lastQueued = queueProposals(fromMemory, committedLog, reached, null, max);
    return { ...fromLog.op, fromTxnLog: fromLog.sent, fromCommittedLog: fromMemory.sent, lastQueued };
  }
  return snap;
}

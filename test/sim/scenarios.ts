// Named scenarios: scripted fault sequences that reproduce known ZooKeeper traps, each run on
// top of the random workload with every invariant and the history check active, plus the
// scenario's own assertion (a SimFailure when it does not hold, or when the setup never formed).
//  * highestZxidJoinsLate   — a leader logs txns nobody else sees, dies, and rejoins after a new
//                             epoch: its orphan txns are cut away, never committed (ZOOKEEPER-1549 class)
//  * leaderDiesBetweenSnapAndNewLeader — a lagging follower gets SNAP, the leader dies before
//                             NEWLEADER: the follower's snapshot must not make it serve or lose data
//  * laggingLearnerDiffsFromDisk — a follower further behind than the leader's in-memory log is
//                             brought level by a DIFF read from the leader's on-disk log, no SNAP
//  * crashAfterAckBeforeFsync — a follower loses power with a proposal written but not synced:
//                             it must not have ACKed it, so the txn cannot have committed (3911 class)
//  * closeSessionLostMidProposal — closeSession is logged by a leader that dies before sending
//                             it: the session must still end (expiry) and its ephemerals go
//  * zxidRollover           — the counter reaches 0xffffffff: the leader steps down, a new epoch
//                             starts at counter 0 and nothing is lost (ZOOKEEPER-1277 class)
//  * syncOnLaggingFollower  — sync + read on a follower whose fsync lags (regression: the learner
//                             completed SYNC before the txns committed ahead of it were applied)
//  * stuckDiskFollowerDropped — a follower keeps pinging while its fsync hangs: the leader drops
//                             it after syncLimit without an ACK (SyncLimitCheck), writes go on with
//                             the other follower, and it syncs again once its disk recovers

import { OpCode } from '../../protocol/ops.js';
import { quorumPacketTypeName, QuorumPacketType as T } from '../../protocol/quorum.js';
import { decodeTxn } from '../../server/requests/txn.js';
import type { Member } from './member.js';
import type { SimOptions } from './options.js';
import { ZabSim } from './sim.js';

const QUIET: Partial<SimOptions> = { dropRate: 0, duplicateRate: 0, reorderRate: 0, partitionRate: 0, crashRate: 0, boundaryCrashRate: 0 };
const hex = (z: bigint): string => `0x${z.toString(16)}`;

/** Runs tick by tick until `done` (or fails after `ticks`). */
function until(sim: ZabSim, ticks: number, what: string, done: () => boolean): void {
  for (let i = 0; i < ticks; i++) {
    if (done()) return;
    sim.runTicks(1);
  }
  if (!done()) sim.fail(`scenario: ${what} did not happen within ${ticks} ticks`);
}

function leaderOf(sim: ZabSim): Member {
  until(sim, 100, 'a serving leader', () => sim.servingLeaders().length === 1);
  return sim.servingLeaders()[0]!;
}

/** Everyone serves again, the history checks pass. */
function settle(sim: ZabSim, ticks = 150): void {
  sim.calm();
  until(sim, ticks, 'every member serving again', () => sim.servingLeaders().length === 1 && sim.servingCount() === sim.members.size);
  sim.runTicks(20);
  sim.checkHistory();
}

export function highestZxidJoinsLate(seed: number): ZabSim {
  const sim = new ZabSim({ seed, voters: 3, syncLimit: 10, ...QUIET });
  sim.replayHint = `npm run sim -- --scenario highestZxidJoinsLate --seed ${seed}`;
  const leader = leaderOf(sim);
  sim.clients.forEach((c) => (c.pinned = leader.sid));
  sim.runTicks(20);
  // The leader can no longer send: what it proposes now stays in its own log.
  const others = [...sim.members.keys()].filter((s) => s !== leader.sid);
  sim.net.cut([leader.sid], others, 60_000, false);
  // Orphans: logged by the leader alone (what reached a follower may rightly commit later).
  const orphansNow = () => {
    const elsewhere = new Set(others.flatMap((sid) => sim.member(sid).disk.entries().map((e) => e.zxid)));
    return leader.disk.entries().map((e) => e.zxid).filter((z) => !elsewhere.has(z));
  };
  until(sim, 30, 'orphan proposals on the cut-off leader', () => orphansNow().length > 0);
  sim.runTicks(3);
  const orphans = orphansNow();
  sim.keepDown.add(leader.sid);
  leader.crash('process', 'scenario: the leader with the highest zxid dies');
  sim.net.healAll();
  // The others move on to a new epoch and commit there before the old leader returns.
  const epochBefore = leader.disk.currentEpoch;
  until(sim, 100, 'commits in the new epoch', () => sim.inv.lastCommitted >> 32n > epochBefore);
  sim.restart(leader.sid);
  settle(sim);
  for (const z of orphans) {
    if (sim.inv.isCommitted(z)) sim.fail(`orphan ${hex(z)} of the late member was committed`);
    if (leader.disk.entries().some((e) => e.zxid === z)) sim.fail(`the late member still logs orphan ${hex(z)}`);
  }
  return sim;
}

export function leaderDiesBetweenSnapAndNewLeader(seed: number): ZabSim {
  // The leader's txn log never serves here (as when its size limit refuses): SNAP it is.
  const sim = new ZabSim({ seed, voters: 3, commitLogCount: 5, historyRefusalRate: 1, ...QUIET });
  sim.replayHint = `npm run sim -- --scenario leaderDiesBetweenSnapAndNewLeader --seed ${seed}`;
  const leader = leaderOf(sim);
  const lagging = [...sim.members.values()].find((m) => m !== leader)!;
  sim.keepDown.add(lagging.sid);
  lagging.crash('process', 'scenario: a follower goes away');
  // It falls more than commitLogCount txns behind: it will need a SNAP.
  const from = sim.inv.committedCount;
  until(sim, 200, 'the leader committing past the in-memory window', () => sim.inv.committedCount > from + 20);
  let snap: { zxid: bigint; epoch: bigint; role: unknown } | null = null;
  sim.hooks.afterSend = (m, to, packet) => {
    if (snap || m !== leader || to !== lagging.sid || packet.type !== T.SNAP) return false;
    snap = { zxid: packet.zxid, epoch: lagging.disk.currentEpoch, role: lagging.role };
    sim.keepDown.add(leader.sid);
    return true; // the leader dies right after SNAP (and its snapshot), before NEWLEADER
  };
  sim.restart(lagging.sid);
  until(sim, 100, 'SNAP sent and the leader dead', () => snap !== null && !leader.up);
  sim.hooks.afterSend = undefined;
  // The follower reads the SNAP, then hears the connection close and gives up on that leader.
  until(sim, 50, 'the follower leaving the dead leader', () => lagging.role !== snap!.role);
  if (lagging.disk.snapshot.zxid !== snap!.zxid) sim.fail(`the follower did not persist the SNAP at ${hex(snap!.zxid)}`);
  if (lagging.disk.currentEpoch !== snap!.epoch) sim.fail('the follower wrote a new currentEpoch without NEWLEADER');
  if (lagging.serving) sim.fail('the follower serves without NEWLEADER / UPTODATE');
  sim.runTicks(30);
  sim.restart(leader.sid);
  settle(sim);
  return sim;
}

export function laggingLearnerDiffsFromDisk(seed: number): ZabSim {
  const sim = new ZabSim({ seed, voters: 3, commitLogCount: 5, historyRefusalRate: 0, ...QUIET });
  sim.replayHint = `npm run sim -- --scenario laggingLearnerDiffsFromDisk --seed ${seed}`;
  const leader = leaderOf(sim);
  const lagging = [...sim.members.values()].find((m) => m !== leader)!;
  // It leaves with some history of its own, so that the leader's log can continue it.
  until(sim, 200, 'the follower logging a txn', () => lagging.disk.syncedZxid > 0n);
  sim.keepDown.add(lagging.sid);
  lagging.crash('process', 'scenario: a follower goes away');
  const from = sim.inv.committedCount;
  until(sim, 200, 'the leader committing past the in-memory window', () => sim.inv.committedCount > from + 20);
  const ops: number[] = [];
  sim.hooks.afterSend = (m, to, packet) => {
    if (m === leader && to === lagging.sid && ([T.DIFF, T.TRUNC, T.SNAP] as number[]).includes(packet.type)) ops.push(packet.type);
    return false;
  };
  sim.restart(lagging.sid);
  settle(sim);
  sim.hooks.afterSend = undefined;
  if (!leader.isLeader) sim.fail('scenario: the leader changed; the sync under test did not happen');
  if (ops[0] !== T.DIFF) sim.fail(`scenario: the lagging follower got ${ops.map(quorumPacketTypeName).join(', ') || 'nothing'}, not a DIFF`);
  // Equal trees at equal zxids are checked at every apply (invariants), this DIFF's included.
  if (sim.stats.historyReads.served === 0) sim.fail('scenario: the DIFF did not come from the on-disk log');
  return sim;
}

export function crashAfterAckBeforeFsync(seed: number): ZabSim {
  const sim = new ZabSim({ seed, voters: 3, clients: 2, ...QUIET });
  sim.replayHint = `npm run sim -- --scenario crashAfterAckBeforeFsync --seed ${seed}`;
  const leader = leaderOf(sim);
  const [slow, muted] = [...sim.members.values()].filter((m) => m !== leader) as [Member, Member];
  sim.clients.forEach((c) => (c.pinned = leader.sid));
  sim.runTicks(10);
  // The muted follower's ACKs never arrive; the slow one's fsync takes 300ms.
  sim.net.cut([muted.sid], [leader.sid], 60_000, false);
  sim.hooks.fsyncDelay = (m) => (m === slow ? 300 : undefined);
  let written: bigint | null = null;
  sim.hooks.afterAppend = (m, entries) => {
    if (m !== slow || written !== null) return false;
    written = entries[entries.length - 1]!.zxid;
    sim.s.after(100, () => {
      // Power goes while the txn is written but not synced: it must not be committed.
      if (sim.inv.isCommitted(written!)) sim.fail(`${hex(written!)} committed before ${slow.sid} synced it`);
      slow.crash('power', 'scenario: power lost before fsync');
    });
    return false;
  };
  until(sim, 100, 'the slow follower losing power', () => written !== null && !slow.up);
  sim.hooks.afterAppend = undefined;
  sim.hooks.fsyncDelay = undefined;
  sim.net.healAll();
  settle(sim);
  return sim;
}

export function closeSessionLostMidProposal(seed: number): ZabSim {
  const sim = new ZabSim({ seed, voters: 3, clients: 5, ...QUIET });
  sim.replayHint = `npm run sim -- --scenario closeSessionLostMidProposal --seed ${seed}`;
  const leader = leaderOf(sim);
  let victim: bigint | null = null;
  sim.hooks.beforeSend = (m, _to, packet) => {
    if (victim !== null || m !== leader || packet.type !== T.PROPOSAL) return false;
    const txn = decodeTxn(packet.data!);
    if (txn.header.type !== OpCode.closeSession || m.replica.tree.ephemeralsOf(txn.header.clientId).size === 0) return false;
    victim = txn.header.clientId; // logged here, about to be proposed: the leader dies now
    sim.keepDown.add(leader.sid);
    return true;
  };
  until(sim, 600, 'a closeSession of a session with ephemerals reaching the proposal stage', () => victim !== null);
  sim.hooks.beforeSend = undefined;
  sim.runTicks(Math.ceil((3 * sim.o.sessionTimeoutMs) / sim.o.tickMs));
  sim.restart(leader.sid);
  settle(sim);
  for (const m of sim.members.values()) {
    if (m.replica.sessions.has(victim!)) sim.fail(`member ${m.sid} still has session ${hex(victim!)} whose close was lost`);
    if (m.replica.tree.ephemeralsOf(victim!).size > 0) sim.fail(`member ${m.sid} keeps ephemerals of session ${hex(victim!)}`);
  }
  return sim;
}

export function zxidRollover(seed: number): ZabSim {
  const start = 0xffffffffn - 25n;
  const sim = new ZabSim({ seed, voters: 3, ...QUIET, initialCounter: (currentEpoch) => (currentEpoch === 0n ? start : undefined) });
  sim.replayHint = `npm run sim -- --scenario zxidRollover --seed ${seed}`;
  until(sim, 300, 'the counter running out', () => (sim.stats.abandons['zxid counter exhausted'] ?? 0) > 0);
  until(sim, 200, 'commits in the next epoch', () => sim.inv.lastCommitted >> 32n >= 2n);
  settle(sim);
  if (!sim.inv.isCommitted((1n << 32n) | (start + 1n))) sim.fail('the first txn of epoch 1 is not committed');
  return sim;
}

export function syncOnLaggingFollower(seed: number): ZabSim {
  const sim = new ZabSim({ seed, voters: 3, clients: 6, ...QUIET });
  sim.replayHint = `npm run sim -- --scenario syncOnLaggingFollower --seed ${seed}`;
  sim.hooks.fsyncDelay = (m) => (m.sid === 1n && !m.isLeader ? 150 : undefined);
  sim.clients.forEach((c, i) => (c.pinned = i % 2 === 0 ? 1n : null));
  sim.runTicks(300);
  sim.checkHistory();
  return sim;
}

export function stuckDiskFollowerDropped(seed: number): ZabSim {
  const sim = new ZabSim({ seed, voters: 3, clients: 4, ...QUIET });
  sim.replayHint = `npm run sim -- --scenario stuckDiskFollowerDropped --seed ${seed}`;
  const leader = leaderOf(sim);
  sim.runTicks(10);
  const stuck = [...sim.members.values()].find((m) => m !== leader)!;
  const reason = 'proposal not ACKed within syncLimit';
  const dropsBefore = sim.stats.learnerDrops[reason] ?? 0;
  // Each fsync of the stuck follower takes 3 s (30 ticks; syncLimit is 5): links and pings are fine.
  sim.hooks.fsyncDelay = (m) => (m === stuck ? 3000 : undefined);
  until(sim, 100, 'the leader dropping the follower whose disk hangs', () => (sim.stats.learnerDrops[reason] ?? 0) > dropsBefore);
  if (!leader.isLeader) sim.fail('scenario: the leader changed; a lost follower must not cost it its quorum');
  const committed = sim.inv.lastCommitted;
  until(sim, 50, 'commits without the stuck follower', () => sim.inv.lastCommitted > committed);
  sim.hooks.fsyncDelay = undefined;
  settle(sim, 300);
  return sim;
}

export const SCENARIOS = {
  highestZxidJoinsLate,
  leaderDiesBetweenSnapAndNewLeader,
  laggingLearnerDiffsFromDisk,
  crashAfterAckBeforeFsync,
  closeSessionLostMidProposal,
  zxidRollover,
  syncOnLaggingFollower,
  stuckDiskFollowerDropped,
} as const;

// What a simulated member sees of the simulation around it: the clock, the network, the options,
// the checkers, its peers, scenario hooks, and counters for the run's summary.

import type { QuorumPacket } from '../../protocol/quorum.js';
import type { QuorumConfig } from '../../server/zab/quorum-config.js';
import type { Entry } from '../../server/zab/types.js';
import type { Invariants } from './invariants.js';
import type { Member } from './member.js';
import type { Network } from './network.js';
import type { Boundary, SimOptions } from './options.js';
import type { Scheduler } from './scheduler.js';

/** Scenario hooks: return true to crash the member right there. */
export interface Hooks {
  beforeSend?(m: Member, to: bigint, packet: QuorumPacket): boolean | void;
  afterSend?(m: Member, to: bigint, packet: QuorumPacket): boolean | void;
  /** Entries were written (not yet synced): true = the member loses power now. */
  afterAppend?(m: Member, entries: readonly Entry[]): boolean | void;
  /** The latency of this member's next fsync, in ms (default: 1..maxFsync). */
  fsyncDelay?(m: Member): number | undefined;
}

export interface SimStats {
  crashes: { process: number; power: number };
  boundaryCrashes: Partial<Record<Boundary, number>>;
  lostBytes: number;
  tornBytes: number;
  truncs: number;
  fatalTruncs: number;
  snaps: number;
  /** Leader reads of its on-disk log for a learner behind the committed log: served / refused. */
  historyReads: { served: number; refused: number };
  roleEnds: number;
  servingStarts: number;
  abandons: Record<string, number>;
  /** Learners a leader closed, per reason with its zxid left out. */
  learnerDrops: Record<string, number>;
  proposals: number;
  expiries: number;
  clientOps: number;
  clientUnknown: number;
  sessionsExpired: number;
}

export function emptyStats(): SimStats {
  return {
    crashes: { process: 0, power: 0 }, boundaryCrashes: {}, lostBytes: 0, tornBytes: 0, truncs: 0, fatalTruncs: 0,
    snaps: 0, historyReads: { served: 0, refused: 0 }, roleEnds: 0, servingStarts: 0, abandons: {}, learnerDrops: {}, proposals: 0, expiries: 0, clientOps: 0, clientUnknown: 0,
    sessionsExpired: 0,
  };
}

export interface World {
  readonly s: Scheduler;
  readonly net: Network;
  readonly o: SimOptions;
  readonly config: QuorumConfig;
  readonly inv: Invariants;
  readonly stats: SimStats;
  readonly hooks: Hooks;
  member(sid: bigint): Member;
  voters(): Member[];
  fail(msg: string): never;
  nextRoleId(): number;
  trace(msg: string): void;
  /** ms until a crashed member boots again; null keeps it down. */
  restartDelay(m: Member): number | null;
}

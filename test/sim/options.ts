// What one simulated run looks like: ensemble shape, Zab limits, fault rates, client load.
// Everything random in a run comes from `seed`; the rest of the options are plain numbers, so a
// run is replayed exactly by giving the same options and seed.

/** Where in the driver's Ready loop (docs/zab.md) a member may crash. */
export const BOUNDARIES = [
  'beforePersist', // the Ready is lost entirely
  'afterPersist', // epochs / truncation / snapshot durable, entries not yet written
  'afterAppend', // entries written (not synced), nothing sent
  'midSend', // some of the Ready's packets sent, the rest not
  'afterSend', // everything sent, commits not applied
  'afterApply', // commits applied, sessions / requests / role changes not acted on
  'beforePersisted', // an fsync completed, the machine not yet told
] as const;
export type Boundary = (typeof BOUNDARIES)[number];

export interface SimOptions {
  seed: number;
  voters: number;
  observers: number;
  /** tickTime in simulated ms; election, leader and learner ticks all use it. */
  tickMs: number;
  initLimit: number;
  syncLimit: number;
  /** One-way delay between members (and between a client and its member), 1..maxDelay ms. */
  maxDelay: number;
  /** Election notifications only. */
  dropRate: number;
  duplicateRate: number;
  reorderRate: number;
  /** Per tick: probability a partition starts (isolate one, split in two, or one-way). */
  partitionRate: number;
  /** Per tick: probability a random member crashes; `powerLossShare` of those lose unsynced writes. */
  crashRate: number;
  powerLossShare: number;
  /** Per non-empty Ready: probability the member crashes at one of `boundaries`. */
  boundaryCrashRate: number;
  boundaries: readonly Boundary[];
  /** fsync latency, 1..maxFsync ms. */
  maxFsync: number;
  /** Simulated client sessions and their pace. */
  clients: number;
  /** Mean think time between a client's ops, ms. */
  clientThinkMs: number;
  sessionTimeoutMs: number;
  /**
   * The leader's in-memory committed log (zookeeper.commitLogCount); small values send learners
   * to the on-disk log (DIFF from disk) or SNAP.
   */
  commitLogCount: number;
  /** Probability a leader's read of its on-disk log is refused (as by the size limit): SNAP instead. */
  historyRefusalRate: number;
  /** The zxid-rollover scenario: the counter a new leader starts its epoch from, by its currentEpoch. */
  initialCounter?: (currentEpoch: bigint) => bigint | undefined;
}

export const DEFAULT_OPTIONS: Omit<SimOptions, 'seed'> = {
  voters: 3,
  observers: 0,
  tickMs: 100,
  initLimit: 10,
  syncLimit: 5,
  maxDelay: 20,
  dropRate: 0.05,
  duplicateRate: 0.05,
  reorderRate: 0.05,
  partitionRate: 0.01,
  crashRate: 0.005,
  powerLossShare: 0.5,
  boundaryCrashRate: 0.002,
  boundaries: BOUNDARIES,
  maxFsync: 30,
  clients: 4,
  clientThinkMs: 150,
  sessionTimeoutMs: 2000,
  commitLogCount: 500,
  historyRefusalRate: 0.2,
};

/** The same run with every fault switched off (partitions under way still heal on time). */
export function calm(o: SimOptions): SimOptions {
  return { ...o, dropRate: 0, duplicateRate: 0, reorderRate: 0, partitionRate: 0, crashRate: 0, boundaryCrashRate: 0 };
}

// Who votes and what a quorum is. Owns the majority rule every Zab machine counts with:
// more than half of the voting members, where only voters' acks count (observers never do).
// Counterpart: org.apache.zookeeper.server.quorum.flexible.QuorumMaj + SyncedLearnerTracker.

export interface QuorumConfig {
  /** Voting members (participants), each with weight 1. */
  readonly voters: ReadonlySet<bigint>;
  /** Observers: receive committed txns, never vote, never count toward a quorum. */
  readonly observers: ReadonlySet<bigint>;
  /** Dynamic config version (the `version=` line); 0 for a static zoo.cfg. */
  readonly version: bigint;
  /** Dynamic config text (protocol.md §13.4) sent in notifications and NEWLEADER. */
  readonly text: string;
}

export function quorumConfig(voters: Iterable<bigint | number>, observers: Iterable<bigint | number> = [], text = '', version = 0n): QuorumConfig {
  const v = new Set([...voters].map(BigInt));
  const o = new Set([...observers].map(BigInt));
  for (const sid of o) if (v.has(sid)) throw new Error(`server ${sid} cannot be both voter and observer`);
  if (v.size === 0) throw new Error('a quorum config needs at least one voter');
  return { voters: v, observers: o, version, text };
}

export function isVoter(cfg: QuorumConfig, sid: bigint): boolean {
  return cfg.voters.has(sid);
}

/** QuorumMaj.containsQuorum over the voters among `acks`. */
export function hasQuorum(cfg: QuorumConfig, acks: Iterable<bigint>): boolean {
  let n = 0;
  for (const sid of new Set(acks)) if (cfg.voters.has(sid)) n++;
  return n > Math.floor(cfg.voters.size / 2);
}

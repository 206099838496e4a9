// The safety properties checked while a simulation runs, each at the step where it could first
// break. A violation throws at once (the message starts with SEED=…, added by the caller).
//  * at most one leader establishes each epoch;
//  * a member's acceptedEpoch and currentEpoch never go back, currentEpoch ≤ acceptedEpoch, its
//    log's zxids only grow, a leader proposes zxids in order within its epoch, never counter 2^32-1;
//  * a learner ACKs a proposal only once it is durable, NEWLEADER only once all it synced is durable
//    and the new epoch written; a txn is committed only while a quorum of voters holds it durably;
//  * committed prefixes agree: what serving members apply is one history, without holes;
//  * every committed txn is in the history of every leader that later establishes a newer epoch;
//  * equal zxids mean equal replicas (tree digest + session table), serving or not;
//  * no ephemeral outlives its session (no ephemeral owned by a session the replica doesn't have).
// Counterpart: the Zab paper's invariants (primary order, integrity, agreement) plus ZooKeeper's
// digest check (ZOOKEEPER-3114) and its ephemeral-cleanup guarantees.

import type { Entry } from '../../server/zab/types.js';
import { hasQuorum, type QuorumConfig } from '../../server/zab/quorum-config.js';
import type { Replica } from './replica.js';

const hex = (z: bigint): string => `0x${z.toString(16)}`;
const epochOf = (z: bigint): bigint => z >> 32n;

export class Invariants {
  /** epoch → the member that established it (currentEpoch written as leader). */
  readonly establishedBy = new Map<bigint, bigint>();
  /** zxid → fingerprint of every replica seen at that zxid. */
  private readonly fingerprints = new Map<bigint, { fp: string; sid: bigint }>();
  /** The committed history: what serving members have applied, in zxid order. */
  private readonly committedZxids: bigint[] = [];
  private readonly committed = new Map<bigint, { index: number; data: Buffer }>();
  private readonly epochs = new Map<bigint, { accepted: bigint; current: bigint }>();
  private readonly quorumChecked = new Set<bigint>();
  /** Per member: the replica whose entries were verified against the committed history, and how far. */
  private readonly verified = new Map<bigint, { replica: Replica; count: number }>();
  checks = 0;

  constructor(private readonly config: QuorumConfig, private readonly fail: (msg: string) => never) {}

  get committedCount(): number {
    return this.committedZxids.length;
  }

  get lastCommitted(): bigint {
    return this.committedZxids[this.committedZxids.length - 1] ?? 0n;
  }

  isCommitted(zxid: bigint): boolean {
    return this.committed.has(zxid);
  }

  epochFiles(sid: bigint, accepted: bigint, current: bigint): void {
    this.checks++;
    const before = this.epochs.get(sid) ?? { accepted: 0n, current: 0n };
    if (accepted < before.accepted) this.fail(`member ${sid}: acceptedEpoch went back from ${before.accepted} to ${accepted}`);
    if (current < before.current) this.fail(`member ${sid}: currentEpoch went back from ${before.current} to ${current}`);
    if (current > accepted) this.fail(`member ${sid}: currentEpoch ${current} above acceptedEpoch ${accepted}`);
    this.epochs.set(sid, { accepted, current });
  }

  /** The log only grows in zxid order (a new epoch may start anywhere above the last one). */
  appended(sid: bigint, lastLogged: bigint, entries: readonly Entry[]): void {
    this.checks++;
    let prev = lastLogged;
    for (const e of entries) {
      if (e.zxid <= prev) this.fail(`member ${sid} logs ${hex(e.zxid)} after ${hex(prev)}`);
      if (epochOf(e.zxid) === epochOf(prev) && e.zxid !== prev + 1n) this.fail(`member ${sid} logs ${hex(e.zxid)} after ${hex(prev)}: a hole`);
      if ((e.zxid & 0xffffffffn) === 0xffffffffn) this.fail(`member ${sid} logs ${hex(e.zxid)}: counter 2^32-1 is never used`);
      prev = e.zxid;
    }
  }

  /** A leader wrote currentEpoch: it owns the epoch, and its history holds every older committed txn. */
  established(sid: bigint, epoch: bigint, replica: Replica): void {
    this.checks++;
    const prev = this.establishedBy.get(epoch);
    if (prev !== undefined && prev !== sid) this.fail(`epoch ${epoch} established by ${prev} and by ${sid}`);
    this.establishedBy.set(epoch, sid);
    const mine = new Map(replica.entries.map((e) => [e.zxid, e.data]));
    for (const zxid of this.committedZxids) {
      if (epochOf(zxid) >= epoch || zxid <= replica.baseZxid) continue;
      const data = mine.get(zxid);
      if (!data) this.fail(`leader ${sid} of epoch ${epoch} lacks committed txn ${hex(zxid)}`);
      if (!data.equals(this.committed.get(zxid)!.data)) this.fail(`leader ${sid} of epoch ${epoch} has a different txn at ${hex(zxid)}`);
    }
    const lastOld = [...this.committedZxids].reverse().find((z) => epochOf(z) < epoch);
    if (lastOld !== undefined && replica.zxid < lastOld) this.fail(`leader ${sid} of epoch ${epoch} is at ${hex(replica.zxid)}, behind committed ${hex(lastOld)}`);
  }

  /** The leader commits `zxid`: a quorum of voters must hold it durably right now. */
  quorumDurable(zxid: bigint, holders: readonly bigint[]): void {
    if (this.quorumChecked.has(zxid)) return;
    this.checks++;
    this.quorumChecked.add(zxid);
    if (!hasQuorum(this.config, holders)) this.fail(`${hex(zxid)} committed while durable only on [${holders.join(',')}]`);
  }

  /** Equal zxids, equal replicas: the first fingerprint seen at a zxid is the reference. */
  fingerprint(sid: bigint, zxid: bigint, fp: string): void {
    this.checks++;
    const seen = this.fingerprints.get(zxid);
    if (!seen) this.fingerprints.set(zxid, { fp, sid });
    else if (seen.fp !== fp) this.fail(`replicas differ at ${hex(zxid)}: member ${sid} has ${fp}, member ${seen.sid} had ${seen.fp}`);
  }

  ephemerals(sid: bigint, replica: Replica): void {
    this.checks++;
    const orphans = replica.orphanEphemerals();
    if (orphans.length > 0) this.fail(`member ${sid} keeps ephemerals of closed sessions: ${orphans.join(', ')}`);
  }

  /** A serving member's history (what it applied since its base) agrees with the committed one. */
  servingHistory(sid: bigint, replica: Replica): void {
    this.checks++;
    let v = this.verified.get(sid);
    if (!v || v.replica !== replica) {
      v = { replica, count: 0 };
      this.verified.set(sid, v);
    }
    for (; v.count < replica.entries.length; v.count++) {
      const i = v.count;
      const e = replica.entries[i]!;
      const prev = i === 0 ? replica.baseZxid : replica.entries[i - 1]!.zxid;
      const known = this.committed.get(e.zxid);
      if (known) {
        if (!known.data.equals(e.data)) this.fail(`member ${sid} applied a different txn at ${hex(e.zxid)}`);
        // No committed txn between the previous one applied here (or the snapshot) and this one.
        const before = this.committedZxids[known.index - 1];
        if (before !== undefined && (i > 0 ? before !== prev : before > prev)) {
          this.fail(`member ${sid} applied ${hex(e.zxid)} after ${hex(prev)}, skipping committed ${hex(before)}`);
        }
        continue;
      }
      const last = this.committedZxids[this.committedZxids.length - 1];
      if (last !== undefined) {
        if (e.zxid <= last) this.fail(`member ${sid} applied ${hex(e.zxid)}, which no one committed, below committed ${hex(last)}`);
        if (i > 0 ? prev !== last : prev < last) this.fail(`member ${sid} applied ${hex(e.zxid)} after ${hex(prev)}, missing committed ${hex(last)}`);
      }
      this.committed.set(e.zxid, { index: this.committedZxids.length, data: e.data });
      this.committedZxids.push(e.zxid);
    }
  }
}

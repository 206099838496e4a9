// The simulated network between ensemble members. Election notifications travel as datagrams
// that may be delayed, lost, duplicated or overtaken. The quorum stream travels over links with
// TCP's guarantees: FIFO per direction, nothing lost or duplicated while the link lives; a
// partition breaks a link silently (both ends find out by their own timeouts), a close by one end
// reaches the other after the data sent before it. Partitions cut directed pairs for a while,
// so they can be symmetric (isolate one member, split the ensemble) or one-way.
// Counterpart: QuorumCnxManager (election) and the learner sockets, as seen from outside.

import type { Scheduler } from './scheduler.js';

export interface NetworkFaults {
  /** One-way delay in ms, uniform in [1, maxDelay]. */
  maxDelay: number;
  /** Election notifications: probability of loss, of a duplicate, of a long extra delay. */
  dropRate: number;
  duplicateRate: number;
  reorderRate: number;
}

/** A learner's connection to its leader. Ends: the learner's sid and the leader's. */
export class Link {
  /** False once broken by a partition or closed by an end: nothing new is sent. */
  open = true;
  /** Broken by a partition or a power loss: even what is in flight is lost. */
  broken = false;
  /** Arrival time of the last packet each way (learner→leader, leader→learner), for FIFO. */
  readonly arrival: [number, number] = [0, 0];

  constructor(readonly learner: bigint, readonly leader: bigint) {}

  other(sid: bigint): bigint {
    return sid === this.learner ? this.leader : this.learner;
  }
}

interface Cut {
  readonly from: bigint;
  readonly to: bigint;
  readonly until: number;
}

export class Network {
  private cuts: Cut[] = [];
  /** Counters for the run summary. */
  readonly stats = { datagrams: 0, dropped: 0, duplicated: 0, reordered: 0, linksBroken: 0, partitions: 0 };

  constructor(private readonly s: Scheduler, private faults: NetworkFaults) {}

  setFaults(faults: NetworkFaults): void {
    this.faults = faults;
  }

  blocked(from: bigint, to: bigint): boolean {
    const now = this.s.now;
    return this.cuts.some((c) => c.from === from && c.to === to && c.until > now);
  }

  /** Cuts every pair from `a` to `b` (and back when symmetric) for `ms`. */
  cut(a: readonly bigint[], b: readonly bigint[], ms: number, symmetric: boolean): void {
    this.stats.partitions++;
    const until = this.s.now + ms;
    this.cuts = this.cuts.filter((c) => c.until > this.s.now);
    for (const x of a) {
      for (const y of b) {
        if (x === y) continue;
        this.cuts.push({ from: x, to: y, until });
        if (symmetric) this.cuts.push({ from: y, to: x, until });
      }
    }
  }

  healAll(): void {
    this.cuts = [];
  }

  private delay(): number {
    return this.s.int(1, this.faults.maxDelay);
  }

  // ---- election datagrams -------------------------------------------------------------------

  datagram(from: bigint, to: bigint, deliver: () => void): void {
    this.stats.datagrams++;
    if (this.blocked(from, to) || this.s.chance(this.faults.dropRate)) {
      this.stats.dropped++;
      return;
    }
    const copies = this.s.chance(this.faults.duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      let d = this.delay();
      if (this.s.chance(this.faults.reorderRate)) {
        this.stats.reordered++;
        d += this.s.int(1, 10 * this.faults.maxDelay);
      }
      this.s.after(d, () => {
        if (!this.blocked(from, to)) deliver();
      });
    }
  }

  // ---- quorum links -------------------------------------------------------------------------

  /**
   * A learner dials its leader: `accept` runs at the leader when the SYN arrives (false =
   * refused), then `established` or `refused` at the learner one delay later. A cut path loses
   * the attempt; the learner's own timeout deals with it.
   */
  dial(link: Link, accept: () => boolean, established: () => void, refused: () => void): void {
    const { learner, leader } = link;
    if (this.blocked(learner, leader)) return;
    this.s.after(this.delay(), () => {
      if (this.blocked(learner, leader)) return;
      const ok = accept();
      if (!ok) link.open = false;
      this.s.after(this.delay(), () => {
        if (this.blocked(leader, learner)) return;
        (ok ? established : refused)();
      });
    });
  }

  /** Sends one packet from `from` over the link; `deliver` runs at the other end, in order. */
  send(link: Link, from: bigint, deliver: () => void): void {
    if (!link.open) return;
    const to = link.other(from);
    if (this.blocked(from, to)) return this.breakLink(link);
    const dir = from === link.learner ? 0 : 1;
    const at = Math.max(this.s.now + this.delay(), link.arrival[dir]);
    link.arrival[dir] = at;
    this.s.after(at - this.s.now, () => {
      if (link.broken) return;
      if (this.blocked(from, to)) return this.breakLink(link);
      deliver();
    });
  }

  /**
   * `from` closes the link (role ended, peer dropped, process died and the kernel closed its
   * sockets): what it sent before still arrives, then `closed` runs at the other end.
   */
  close(link: Link, from: bigint, closed: () => void): void {
    if (!link.open) return;
    link.open = false;
    const to = link.other(from);
    if (this.blocked(from, to)) return;
    const dir = from === link.learner ? 0 : 1;
    const at = Math.max(this.s.now + this.delay(), link.arrival[dir]);
    this.s.after(at - this.s.now, () => {
      if (!link.broken && !this.blocked(from, to)) closed();
    });
  }

  /** A partition (or a machine that lost power) ends the link with no word to either end. */
  breakLink(link: Link): void {
    if (!link.broken) this.stats.linksBroken++;
    link.open = false;
    link.broken = true;
  }
}

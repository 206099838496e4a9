// Steps that must wait until the tree has applied a given zxid: a sync is answered only once
// everything ordered before it is visible here. Barriers are added in non-decreasing zxid order
// and released in that order as txns are applied.
// Counterpart: the sync handling of CommitProcessor (a sync waits in the commit queue).

interface Barrier {
  readonly zxid: bigint;
  readonly run: () => void;
}

export class ZxidBarriers {
  private readonly queue: Barrier[] = [];

  /** Runs `run` now if `applied` already reaches `zxid` and nothing waits, else once released. */
  add(zxid: bigint, applied: bigint, run: () => void): void {
    if (this.queue.length === 0 && zxid <= applied) run();
    else this.queue.push({ zxid, run });
  }

  /** The tree now stands at `applied`: run every barrier it reaches, oldest first. */
  release(applied: bigint): void {
    while (this.queue.length > 0 && this.queue[0]!.zxid <= applied) this.queue.shift()!.run();
  }

  get size(): number {
    return this.queue.length;
  }
}

// The txns a pipeline handed to its log and has not applied yet, in zxid order, each with what to
// do once it is applied, and how far the log has reported them durable. Only a durable prefix may
// be applied, oldest first: that keeps zxid order, and each session's replies in request order.
// Counterpart: the queue between SyncRequestProcessor and FinalRequestProcessor (standalone), the
// leader's toBeApplied list.

import type { ApplyResult } from './apply.js';
import { Fifo } from './fifo.js';
import type { Txn } from './txn.js';

export interface Submitted {
  readonly txn: Txn;
  /** Runs once the txn is applied, with what applying it gave. */
  readonly done: (result: ApplyResult) => void;
}

export class CommitQueue {
  private readonly waiting = new Fifo<Submitted>();
  /** The newest zxid the log reported durable. */
  private durableZxid = 0n;

  /** Txns submitted and not yet taken. */
  get length(): number {
    return this.waiting.length;
  }

  /** Queues a txn handed to the log (zxids must be submitted in increasing order). */
  push(txn: Txn, done: (result: ApplyResult) => void): void {
    this.waiting.push({ txn, done });
  }

  /** The log says every txn up to `zxid` is durable (an older report changes nothing). */
  markDurable(zxid: bigint): void {
    if (zxid > this.durableZxid) this.durableZxid = zxid;
  }

  /** Whether the oldest queued txn is durable (may be taken). */
  get hasDurable(): boolean {
    const next = this.waiting.peek();
    return next !== undefined && next.txn.header.zxid <= this.durableZxid;
  }

  /** Removes and returns the oldest txn if it is durable; undefined otherwise. */
  takeDurable(): Submitted | undefined {
    return this.hasDurable ? this.waiting.shift() : undefined;
  }
}

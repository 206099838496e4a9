// Applies what the txn log made durable without holding the event loop: a group commit can make
// thousands of txns durable at once, and applying and answering them all in one turn would stall
// every connection (and the fsync of the next batch) for as long. So they are applied in slices
// of about `sliceMs`, with a setImmediate between slices that lets I/O in. Order is the
// pipeline's: zxid order, each session's replies in request order.
// Counterpart: none in ZooKeeper, whose CommitProcessor/FinalRequestProcessor run on their own
// threads; this is the single-threaded equivalent of not starving the network threads.

import { performance } from 'node:perf_hooks';
import type { RequestProcessor } from '../requests/request-processor.js';

/** How long one slice may apply before yielding (the bench's lag target is 5 ms at p99). */
export const APPLY_SLICE_MS = 2;
/** Txns applied between two looks at the clock. */
const TXNS_PER_CHECK = 16;

export class ApplyPacing {
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly processor: RequestProcessor,
    private readonly now: () => number,
    private readonly sliceMs = APPLY_SLICE_MS,
  ) {}

  /** The log made everything up to `zxid` durable: apply it, in slices. */
  durable(zxid: bigint): void {
    this.processor.markDurable(zxid);
    if (!this.scheduled) this.slice();
  }

  /** Resolves once every txn reported durable so far is applied. */
  idle(): Promise<void> {
    if (!this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private slice(): void {
    const started = performance.now();
    while (this.processor.applyDurable(TXNS_PER_CHECK, this.now())) {
      if (performance.now() - started >= this.sliceMs) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.slice();
        });
        return;
      }
    }
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

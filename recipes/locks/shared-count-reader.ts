// Where a semaphore can take its maxLeases from instead of a fixed number: a shared counter every
// process reads, so all agree and it can change at run time. The counters recipe's SharedCount
// (Curator's 4-byte big-endian count node, followed across changes and reconnects) is one; any
// object of this shape will do. Counterpart: org.apache.curator.framework.recipes.shared.SharedCountReader.

import type { Observable } from 'rxjs';

export interface SharedCountReader {
  /** The current count. */
  readonly count: number;
  /** Each new count (not the current one). */
  readonly count$: Observable<number>;
}

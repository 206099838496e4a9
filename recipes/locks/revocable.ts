// Cooperative revocation of a held lock, as Curator's: a lock made revocable watches its node,
// and anyone may ask the holder to let go with Revoker.attemptRevoke(framework, nodePath) — for
// example with a path from participantNodes(). The holder's listener decides what to do (usually
// finish up and release). Counterpart: Revocable, RevocationListener, Revoker.

import type { ZooKeeperFramework } from '../../framework/index.js';
import { attemptRevoke } from '../internal/index.js';
import type { LockLease } from './lock.js';

/** Called (asynchronously) when a revocation is requested for a held lock: `lock` and the lease holding it. */
export type RevocationListener<T> = (lock: T, lease: LockLease) => void;

export interface Revocable<T> {
  /** From now on the lock's nodes are revocable; `listener` hears the requests. */
  makeRevocable(listener: RevocationListener<T>): void;
}

export const Revoker = {
  /**
   * Asks the holder of the lock node `nodePath` to release it, by writing "__REVOKE__" as the
   * node's data. A node already gone is fine. Only a holder that made its lock revocable reacts.
   */
  attemptRevoke(framework: ZooKeeperFramework, nodePath: string): Promise<void> {
    return attemptRevoke(framework, nodePath);
  },
} as const;

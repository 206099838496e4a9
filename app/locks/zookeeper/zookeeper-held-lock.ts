// A ZooKeeper lock while held: a recipe lease (InterProcessMutex, a read/write side, or a
// SemaphoreV2 lease) behind the LockRegistry's HeldLock. The fencing token is the lock node's
// czxid; the recipe's loss (SUSPENDED under the standard error policy, session LOST, framework
// closed) is reported once as the registry's LockLostError, with the recipe's error as cause.
// Counterpart: Curator's lock lease plus the ConnectionStateListener a Curator user adds to it.

import type { LockLease, LostReason } from '../../../recipes/locks/index.js';
import { LockLostError, type LockLostReason } from '../errors.js';
import type { HeldLock, LockKind } from '../lock-registry.js';
import { LossNotifier } from '../loss-notifier.js';

/**
 * How the recipes' loss reasons read in the registry's terms: after SUSPENDED the node may or may
 * not still exist (unconfirmed); after LOST or a closed framework the session, and so the
 * ephemeral node, is gone (expired).
 */
const REASONS: Record<LostReason, LockLostReason> = {
  'connection-suspended': 'unconfirmed',
  'session-lost': 'expired',
  'framework-closed': 'expired',
};

export class ZooKeeperHeldLock implements HeldLock {
  readonly fencingToken: bigint;
  private readonly notifier = new LossNotifier();
  private releasing: Promise<void> | undefined;

  constructor(
    readonly key: string,
    readonly kind: LockKind,
    private readonly lease: LockLease,
    private readonly onEnd: (held: ZooKeeperHeldLock) => void,
  ) {
    this.fencingToken = lease.fencingToken;
    lease.lost$.subscribe({
      next: (error) => {
        const reason = REASONS[(error as { reason?: LostReason }).reason ?? 'session-lost'] ?? 'expired';
        if (this.notifier.lose(new LockLostError(key, reason, { cause: error }))) onEnd(this);
      },
    });
  }

  /** The lock node (namespace-free), e.g. for a Curator process to look at. */
  get nodePath(): string {
    return this.lease.nodePath;
  }

  get isHeld(): boolean {
    return this.releasing === undefined && this.notifier.error === undefined && this.lease.isHeld;
  }

  get lost$() {
    return this.notifier.lost$;
  }

  get lostSignal(): AbortSignal {
    return this.notifier.signal;
  }

  /**
   * Deletes the lock node (a guaranteed delete: if ZooKeeper cannot be reached the framework goes
   * on in the background) — also after a loss, since after SUSPENDED the node may still be
   * there. Rejects with the LockLostError if the lock was lost while held.
   */
  release(): Promise<void> {
    return (this.releasing ??= this.doRelease());
  }

  private async doRelease(): Promise<void> {
    const lostBefore = this.notifier.error;
    try {
      await this.lease.release();
    } finally {
      if (!lostBefore) this.notifier.end();
      this.onEnd(this);
    }
    if (lostBefore) throw lostBefore;
  }
}

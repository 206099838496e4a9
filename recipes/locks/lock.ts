// The shape every lock of recipes/locks shares: acquire() with a timeout and an AbortSignal
// resolves to a lease the caller releases (or disposes with `await using`); the lease carries the
// fencing token and the loss signals. Counterpart: Curator's InterProcessLock (acquire,
// acquire(time, unit), release, isAcquiredInThisProcess) with the release moved onto the lease.

import type { Observable } from 'rxjs';

export interface AcquireOptions {
  /**
   * Give up with LockTimeoutError after this many milliseconds of waiting (the contender's node
   * is deleted). The lock is always checked once first, so a free lock is acquired even with 0.
   * Undefined: wait until acquired, aborted, or the framework closes.
   */
  readonly timeoutMs?: number;
  /** Aborting rejects the pending acquire with `signal.reason` and deletes the contender's node. */
  readonly signal?: AbortSignal;
}

/** Something held until released or lost. */
export interface LockHandle extends AsyncDisposable {
  /** True from acquisition until release() or a loss. */
  readonly isHeld: boolean;
  /** True once lost (see lost$); stays true after release. */
  readonly isLost: boolean;
  /**
   * Emits one error and completes when the lock is lost while held: SUSPENDED (under the standard
   * error policy), LOST, a new session, or the framework closing. Completes without a value on
   * release. Late subscribers still get the loss.
   */
  readonly lost$: Observable<Error>;
  /** Aborted, with the loss error as reason, at the same moment as lost$: hand it to the protected work. */
  readonly lostSignal: AbortSignal;
  /**
   * Gives the lock back: deletes the node (a guaranteed delete: if ZooKeeper cannot be reached
   * it goes on in the background). Idempotent. Also needed after a loss — after SUSPENDED the
   * node may still exist.
   */
  release(): Promise<void>;
}

/** A lock or lease held through one ZooKeeper node. */
export interface LockLease extends LockHandle {
  /** The lock's path (as given to the lock). */
  readonly lockPath: string;
  /** The held node's path. */
  readonly nodePath: string;
  /**
   * The held node's czxid: every later holder that excludes this one gets a larger token, so a
   * protected resource can refuse writes carrying a token smaller than the largest it has seen.
   */
  readonly fencingToken: bigint;
}

export interface InterProcessLock<L extends LockHandle = LockHandle> {
  acquire(options?: AcquireOptions): Promise<L>;
  /** True while any lease of this lock object is held in this process. */
  isAcquiredInThisProcess(): boolean;
}

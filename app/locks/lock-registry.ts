// The backend-neutral lock contract of the app layer: a LockRegistry hands out DistributedLock
// contenders by key; acquiring one yields a HeldLock that reports its own loss. ZooKeeper (via
// the recipes' InterProcessMutex / ReadWriteLock / Semaphore, with fencing tokens) and Redis
// (TTL keys, no fencing) implement it. Counterpart: Spring Integration's LockRegistry, with
// Curator's InterProcessLock acquire/release and ConnectionStateListener loss signal folded in.
import type { Observable } from 'rxjs';
import type { LockLostError } from './errors.js';

/**
 * What a contender asks for. `mutex`: one holder. `read` / `write`: shared readers or one
 * writer. `semaphore`: up to `permits` holders. A backend refuses a kind it cannot provide
 * with UnsupportedLockKindError from `obtain()`.
 */
export type LockKind = 'mutex' | 'read' | 'write' | 'semaphore';

export interface ObtainOptions {
  /** Default 'mutex'. */
  readonly kind?: LockKind;
  /** Semaphore only: how many holders may hold the key at once (a positive integer). */
  readonly permits?: number;
}

export interface AcquireOptions {
  /**
   * Give up with LockTimeoutError after this many milliseconds of waiting. Omitted: wait until
   * acquired or aborted. 0: one attempt. The first attempt is always answered before a timeout
   * is reported, so a free lock is acquired even with timeoutMs 0.
   */
  readonly timeoutMs?: number;
  /** Aborting rejects the pending acquire with `signal.reason`; an attempt that raced it is undone. */
  readonly signal?: AbortSignal;
}

/** A lock the caller holds, until release() or until the backend loses it. */
export interface HeldLock {
  readonly key: string;
  readonly kind: LockKind;
  /**
   * A number that grows with every grant of this key, for the protected resource to reject
   * writes from an older holder (ZooKeeper: the lock node's sequence number / czxid).
   * `undefined` when the backend has none (Redis).
   */
  readonly fencingToken: bigint | undefined;
  /** True from acquisition until release() is called or the lock is lost. */
  readonly isHeld: boolean;
  /**
   * Emits one LockLostError and completes if the lock is lost while held (the backend's record
   * expired, was taken, or could not be confirmed in time); completes without a value on
   * release(). Late subscribers still get the loss. Best effort: see docs/lock-registry.md.
   */
  readonly lost$: Observable<LockLostError>;
  /** The same loss as an AbortSignal (its reason is the LockLostError), to hand to the work. */
  readonly lostSignal: AbortSignal;
  /**
   * Gives the lock back. Resolves once the backend dropped this holder's record; calling it
   * again is a no-op. Rejects with LockLostError if the lock was lost while held (reported on
   * lost$ or found at release): the protected work may have overlapped another holder.
   */
  release(): Promise<void>;
}

/**
 * One contender for one key. Not re-entrant: acquire() while this contender holds the key or
 * is acquiring it rejects with LockNotReentrantError. Once released or lost it may acquire
 * again. Two contenders for one key exclude each other even in the same process.
 */
export interface DistributedLock {
  readonly key: string;
  readonly kind: LockKind;
  /** True while a HeldLock from this contender is held. */
  readonly isHeld: boolean;
  acquire(options?: AcquireOptions): Promise<HeldLock>;
}

export interface LockRegistry {
  /** The backend's name, for messages: 'redis', 'zookeeper'. */
  readonly backend: string;
  /** The kinds obtain() accepts. */
  readonly kinds: ReadonlySet<LockKind>;
  /** A new contender for `key` (a non-empty string); throws UnsupportedLockKindError for a kind not in `kinds`. */
  obtain(key: string, options?: ObtainOptions): DistributedLock;
  /**
   * Releases every lock still held through this registry (best effort), rejects pending
   * acquires, and refuses new obtain() calls. Connections passed in by the caller stay open.
   */
  close(): Promise<void>;
}

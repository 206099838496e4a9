// One contender for a ZooKeeper lock: it wraps one recipe object (a mutex, one side of a
// read-write lock, or a semaphore) and turns its acquire into the LockRegistry's — the same
// timeout and abort rules, the registry's close, the registry's errors, and no re-entrancy (the
// recipe mutex is re-entrant per async context, but a contender is one would-be holder).
// Counterpart: Spring Integration's ZookeeperLockRegistry.ZkLock over Curator's InterProcessMutex.

import type { AcquireOptions as RecipeAcquireOptions, LockLease } from '../../../recipes/locks/index.js';
import { LockTimeoutError as RecipeLockTimeoutError } from '../../../recipes/errors.js';
import { LockNotReentrantError, LockRegistryClosedError, LockTimeoutError } from '../errors.js';
import type { AcquireOptions, DistributedLock, HeldLock, LockKind } from '../lock-registry.js';
import { ZooKeeperHeldLock } from './zookeeper-held-lock.js';

export interface ZooKeeperContenderContext {
  /** Aborted when the registry closes. */
  readonly closing: AbortSignal;
  readonly onHeld: (held: ZooKeeperHeldLock) => void;
  readonly onEnd: (held: ZooKeeperHeldLock) => void;
}

export class ZooKeeperContender implements DistributedLock {
  private acquiring = false;
  private current: ZooKeeperHeldLock | undefined;

  constructor(
    readonly key: string,
    readonly kind: LockKind,
    /** The recipe path the lock lives at. */
    readonly path: string,
    /** Acquires through the recipe (a new node each call). */
    private readonly acquireLease: (options: RecipeAcquireOptions) => Promise<LockLease>,
    private readonly context: ZooKeeperContenderContext,
  ) {}

  get isHeld(): boolean {
    return this.current?.isHeld === true;
  }

  async acquire(options: AcquireOptions = {}): Promise<HeldLock> {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new RangeError(`acquire timeoutMs must be a finite number >= 0, got ${String(timeoutMs)}`);
    }
    if (this.acquiring || this.current?.isHeld) throw new LockNotReentrantError(this.key);
    const { closing } = this.context;
    if (closing.aborted) throw new LockRegistryClosedError(this.key, 'zookeeper');
    if (signal?.aborted) throw signal.reason;
    this.acquiring = true;
    try {
      const stop = signal ? AbortSignal.any([signal, closing]) : closing;
      let lease: LockLease;
      try {
        lease = await this.acquireLease({ ...(timeoutMs === undefined ? {} : { timeoutMs }), signal: stop });
      } catch (error) {
        // Closing the registry ends every pending acquire, whatever the recipe saw first (when a
        // container is disposed, the framework closes at the same moment as the registry).
        if (closing.aborted && !(signal?.aborted && error === signal.reason)) throw new LockRegistryClosedError(this.key, 'zookeeper');
        if (error instanceof RecipeLockTimeoutError) throw new LockTimeoutError(this.key, error.timeoutMs);
        throw error;
      }
      if (closing.aborted) {
        // Granted in the same tick as the registry closed: give it straight back.
        lease.release().catch(() => undefined);
        throw new LockRegistryClosedError(this.key, 'zookeeper');
      }
      const held = new ZooKeeperHeldLock(this.key, this.kind, lease, (h) => this.context.onEnd(h));
      this.current = held;
      if (held.isHeld) this.context.onHeld(held); // a lease granted while already lost (SUSPENDED) has ended
      return held;
    } finally {
      this.acquiring = false;
    }
  }
}

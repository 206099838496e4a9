// InterProcessSemaphoreMutex: a mutex that is NOT re-entrant, built as Curator builds it — on a
// one-lease InterProcessSemaphoreV2 (so its layout is the semaphore's: "<path>/locks" and
// "<path>/leases"). Any second acquire waits for the first lease to be returned, in any process
// and on the same object; inside withLock / lease.run the owning context asking again is refused
// with LockNotReentrantError instead of waiting for itself forever.
// Counterpart: org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex.

import type { Observable } from 'rxjs';
import type { Data, ZooKeeperFramework } from '../../framework/index.js';
import { LeaseReleasedError, LockNotReentrantError, type LockLostError } from '../errors.js';
import type { AcquireOptions, InterProcessLock, LockLease } from './lock.js';
import { ownedInContext, runAsOwner, type OwnerMark } from './owner-context.js';
import type { SemaphoreLease } from './semaphore-lease.js';
import { InterProcessSemaphoreV2 } from './semaphore-v2.js';

export interface InterProcessSemaphoreMutexOptions {
  /** Data of the lease node. Default: the framework's default data. */
  readonly nodeData?: Data;
}

export class InterProcessSemaphoreMutex implements InterProcessLock<SemaphoreMutexLease> {
  readonly path: string;
  private readonly semaphore: InterProcessSemaphoreV2;
  private readonly held = new Set<SemaphoreMutexLease>();

  constructor(
    readonly framework: ZooKeeperFramework,
    path: string,
    options: InterProcessSemaphoreMutexOptions = {},
  ) {
    this.semaphore = new InterProcessSemaphoreV2(framework, path, 1, options);
    this.path = this.semaphore.path;
  }

  /**
   * Acquires the mutex (waits while anyone holds it). Rejects with LockNotReentrantError when the
   * current context already owns it, LockTimeoutError on timeout, the signal's reason on abort.
   */
  async acquire(options: AcquireOptions = {}): Promise<SemaphoreMutexLease> {
    if (ownedInContext(this) !== undefined) throw new LockNotReentrantError(this.path);
    const lease = new SemaphoreMutexLease(this, await this.semaphore.acquire(options), (l) => this.held.delete(l));
    this.held.add(lease);
    return lease;
  }

  /** Acquires, runs `fn` as the owner (a nested acquire is refused), releases when fn settles. */
  async withLock<T>(fn: (lease: SemaphoreMutexLease) => T | Promise<T>, options: AcquireOptions = {}): Promise<T> {
    const lease = await this.acquire(options);
    try {
      return await lease.run(() => fn(lease));
    } finally {
      await lease.release();
    }
  }

  isAcquiredInThisProcess(): boolean {
    return this.held.size > 0;
  }

  /** The lease node names (the holder and at most one waiter's node). */
  participantNodes(): Promise<string[]> {
    return this.semaphore.participantNodes();
  }

  toString(): string {
    return `InterProcessSemaphoreMutex(${this.path})`;
  }
}

export class SemaphoreMutexLease implements LockLease, OwnerMark {
  private released: Promise<void> | undefined;

  constructor(
    private readonly mutex: InterProcessSemaphoreMutex,
    private readonly lease: SemaphoreLease,
    private readonly onReleased: (lease: SemaphoreMutexLease) => void,
  ) {}

  get active(): boolean {
    return this.released === undefined;
  }

  get lockPath(): string {
    return this.mutex.path;
  }

  get nodePath(): string {
    return this.lease.nodePath;
  }

  get fencingToken(): bigint {
    return this.lease.fencingToken;
  }

  get isHeld(): boolean {
    return this.released === undefined && this.lease.isHeld;
  }

  get isLost(): boolean {
    return this.lease.isLost;
  }

  get lost$(): Observable<LockLostError> {
    return this.lease.lost$;
  }

  get lostSignal(): AbortSignal {
    return this.lease.lostSignal;
  }

  release(): Promise<void> {
    return (this.released ??= this.lease.release().finally(() => this.onReleased(this)));
  }

  /** Runs `fn` as the owner: inside, acquiring this mutex again is refused (not re-entrant). */
  run<T>(fn: () => T): T {
    if (this.released !== undefined) throw new LeaseReleasedError(this.lockPath);
    return runAsOwner(this.mutex, this, fn);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

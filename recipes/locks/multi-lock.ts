// InterProcessMultiLock: several locks taken as one — all or nothing. Locks are acquired in the
// given order (give every process the same order, or two multi-locks can deadlock each other);
// if one cannot be had (timeout, abort, error) the ones already taken are released in reverse
// order and acquire rejects. Release goes in reverse order too. Unlike Curator, which gives each
// lock the whole timeout, one timeout covers the whole acquire. The lease reports a loss as soon
// as any of its locks is lost. Counterpart: org.apache.curator.framework.recipes.locks.InterProcessMultiLock.

import { merge, take, type Observable } from 'rxjs';
import type { ZooKeeperFramework } from '../../framework/index.js';
import { LockTimeoutError } from '../errors.js';
import { InterProcessMutex } from './interprocess-mutex.js';
import type { AcquireOptions, InterProcessLock, LockHandle } from './lock.js';

export class InterProcessMultiLock implements InterProcessLock<MultiLockLease> {
  readonly locks: readonly InterProcessLock[];
  private readonly held = new Set<MultiLockLease>();

  /** Over InterProcessMutexes on `paths`, or over the given locks (any mix of kinds). */
  constructor(framework: ZooKeeperFramework, paths: readonly string[]);
  constructor(locks: readonly InterProcessLock[]);
  constructor(first: ZooKeeperFramework | readonly InterProcessLock[], paths?: readonly string[]) {
    this.locks = Array.isArray(first) ? [...(first as readonly InterProcessLock[])] : (paths ?? []).map((p) => new InterProcessMutex(first as ZooKeeperFramework, p));
    if (this.locks.length === 0) throw new RangeError('InterProcessMultiLock needs at least one lock');
  }

  /** Acquires every lock in order within one timeout; on any failure releases those taken (in reverse) and rejects. */
  async acquire(options: AcquireOptions = {}): Promise<MultiLockLease> {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new RangeError(`timeoutMs must be a finite number >= 0, got ${String(timeoutMs)}`);
    }
    const started = performance.now();
    const acquired: LockHandle[] = [];
    try {
      for (const lock of this.locks) {
        const remaining = timeoutMs === undefined ? undefined : Math.max(0, timeoutMs - (performance.now() - started));
        acquired.push(await lock.acquire({ ...(remaining !== undefined ? { timeoutMs: remaining } : {}), ...(signal ? { signal } : {}) }));
      }
    } catch (e) {
      await releaseInReverse(acquired).catch(() => undefined);
      if (e instanceof LockTimeoutError && timeoutMs !== undefined) throw new LockTimeoutError(e.path, timeoutMs);
      throw e;
    }
    const lease = new MultiLockLease(acquired, (l) => this.held.delete(l));
    this.held.add(lease);
    return lease;
  }

  /** Acquires all, runs `fn` as the owner of each, releases (in reverse) when fn settles. */
  async withLock<T>(fn: (lease: MultiLockLease) => T | Promise<T>, options: AcquireOptions = {}): Promise<T> {
    const lease = await this.acquire(options);
    try {
      return await lease.run(() => fn(lease));
    } finally {
      await lease.release();
    }
  }

  /** True while a lease of this multi-lock is held (all its locks, as Curator's "all of them"). */
  isAcquiredInThisProcess(): boolean {
    return this.held.size > 0;
  }
}

/** Holds all the locks of one multi-lock acquire. */
export class MultiLockLease implements LockHandle {
  readonly lost$: Observable<Error>;
  readonly lostSignal: AbortSignal;
  private released: Promise<void> | undefined;

  constructor(
    /** One lease per lock, in acquisition order. */
    readonly leases: readonly LockHandle[],
    private readonly onReleased: (lease: MultiLockLease) => void,
  ) {
    this.lost$ = merge(...leases.map((l) => l.lost$)).pipe(take(1));
    this.lostSignal = AbortSignal.any(leases.map((l) => l.lostSignal));
  }

  /** Each lock's fencing token (undefined for a lease that has none), in acquisition order. */
  get fencingTokens(): Array<bigint | undefined> {
    return this.leases.map((l) => (l as { fencingToken?: bigint }).fencingToken);
  }

  get isHeld(): boolean {
    return this.released === undefined && this.leases.every((l) => l.isHeld);
  }

  get isLost(): boolean {
    return this.leases.some((l) => l.isLost);
  }

  /** Releases every lock in reverse order; rejects (after trying all) with the first failure, or an AggregateError of several. */
  release(): Promise<void> {
    return (this.released ??= releaseInReverse(this.leases).finally(() => this.onReleased(this)));
  }

  /** Runs `fn` as the owner of every lock whose lease supports it (re-entrant inside). */
  run<T>(fn: () => T): T {
    let run = fn;
    for (const lease of [...this.leases].reverse()) {
      const runner = (lease as { run?: <R>(f: () => R) => R }).run;
      if (typeof runner === 'function') {
        const inner = run;
        run = () => runner.call(lease, inner) as T;
      }
    }
    return run();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

async function releaseInReverse(leases: readonly LockHandle[]): Promise<void> {
  const errors: unknown[] = [];
  for (const lease of [...leases].reverse()) {
    try {
      await lease.release();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'releasing the multi-lock failed for several locks');
}

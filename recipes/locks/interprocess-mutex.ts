// InterProcessMutex: a fair, re-entrant mutex across processes (and languages: the nodes are
// Curator's "_c_<uuid>-lock-<seq>" under the lock path, so Java services using Curator share it).
// Contenders are granted in node order; each waits for its predecessor only. Re-entrant per
// owner, where the owner is the async context (see owner-context.ts): `withLock(fn)` and
// `lease.run(fn)` make fn the owner, and acquiring again inside re-enters without a new node.
// Every lease carries the node's czxid as fencing token and loss signals (lost$ / lostSignal).
// Counterpart: org.apache.curator.framework.recipes.locks.InterProcessMutex.

import type { Data, ZooKeeperFramework } from '../../framework/index.js';
import type { LockLostError } from '../errors.js';
import { LockInternals, StandardLockInternalsDriver, type LockInternalsDriver } from '../internal/index.js';
import type { AcquireOptions, InterProcessLock } from './lock.js';
import { MutexHold, type MutexLease } from './mutex-lease.js';
import { ownedInContext } from './owner-context.js';
import type { Revocable, RevocationListener } from './revocable.js';

export interface InterProcessMutexOptions {
  /** Data of the lock nodes. Default: the framework's default data (Curator: the local address). */
  readonly nodeData?: Data;
  /** Decides who holds the lock (default: the standard driver). */
  readonly driver?: LockInternalsDriver;
}

/** For recipes built on the mutex (read-write lock, leader selector): another node name or lease count. */
export interface MutexInternalsOptions extends InterProcessMutexOptions {
  /** Default "lock-". */
  readonly lockName?: string;
  /** Default 1. */
  readonly maxLeases?: number;
}

export const LOCK_NAME = 'lock-';

export class InterProcessMutex implements InterProcessLock<MutexLease>, Revocable<InterProcessMutex> {
  /** The lock path. */
  readonly path: string;
  protected readonly internals: LockInternals<LockLostError>;
  private readonly nodeData: Buffer | undefined;
  private readonly holds = new Set<MutexHold>();
  private revocationListener: RevocationListener<InterProcessMutex> | undefined;

  constructor(
    readonly framework: ZooKeeperFramework,
    path: string,
    options: MutexInternalsOptions = {},
  ) {
    this.internals = new LockInternals(framework, {
      basePath: path,
      lockName: options.lockName ?? LOCK_NAME,
      driver: options.driver ?? new StandardLockInternalsDriver(),
      maxLeases: options.maxLeases ?? 1,
    });
    this.path = this.internals.basePath;
    this.nodeData = toBytes(options.nodeData);
  }

  /**
   * Acquires the mutex: re-enters it if the current async context already owns it (no new node),
   * else creates a node and waits for its turn. Rejects with LockTimeoutError on timeout, the
   * signal's reason on abort, ClientClosedError if the framework closes, LockLostError when
   * re-entering a hold that was lost.
   */
  async acquire(options: AcquireOptions = {}): Promise<MutexLease> {
    const owned = ownedInContext<MutexHold>(this);
    if (owned !== undefined) {
      const lost = owned.node.lostError;
      if (lost !== undefined) throw lost;
      return owned.newLease();
    }
    this.beforeAttempt();
    const node = await this.internals.attemptLock({ ...options, ...(this.nodeData ? { nodeData: this.nodeData } : {}) });
    const hold = new MutexHold(this, this.path, node, (h) => this.holds.delete(h));
    this.holds.add(hold);
    const lease = hold.newLease();
    if (node.isRevocable) node.onRevocationRequested(() => this.revocationListener?.(this, lease));
    return lease;
  }

  /**
   * Acquires the mutex, runs `fn` as its owner (re-entrant inside), and releases it when fn
   * settles. fn gets the lease: pass `lease.lostSignal` to work that must stop when the lock is lost.
   */
  async withLock<T>(fn: (lease: MutexLease) => T | Promise<T>, options: AcquireOptions = {}): Promise<T> {
    const lease = await this.acquire(options);
    try {
      return await lease.run(() => fn(lease));
    } finally {
      await lease.release();
    }
  }

  /** True while any owner in this process holds the mutex through this object. */
  isAcquiredInThisProcess(): boolean {
    return this.holds.size > 0;
  }

  /** True when the current async context owns the mutex (inside withLock / lease.run). */
  isOwnedByCurrentContext(): boolean {
    return ownedInContext(this) !== undefined;
  }

  /** The lock node of the current context's hold (undefined when it owns none). */
  protected ownedNodePath(): string | undefined {
    return ownedInContext<MutexHold>(this)?.node.path;
  }

  /** All contenders' node paths in lock order (the first holds the mutex). */
  participantNodes(): Promise<string[]> {
    return this.internals.participantNodes();
  }

  /**
   * Makes the lock revocable from now on: its nodes are created empty and watched, and a
   * "__REVOKE__" written to the held node (Revoker.attemptRevoke) calls `listener` with this mutex
   * and the holding lease. Revocation is cooperative: the listener decides to release.
   */
  makeRevocable(listener: RevocationListener<InterProcessMutex>): void {
    this.revocationListener = listener;
    this.internals.makeRevocable();
  }

  /** Checks before a new node is created (the read-write lock refuses an upgrade here). */
  protected beforeAttempt(): void {}

  toString(): string {
    return `${this.constructor.name}(${this.path})`;
  }
}

function toBytes(data: Data | undefined): Buffer | undefined {
  if (data === undefined || data === null) return undefined;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
}
